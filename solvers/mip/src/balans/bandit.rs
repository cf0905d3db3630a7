//! Multi-armed bandit policies choosing the next destroy operator (one arm per
//! operator + rate): Thompson sampling, epsilon-greedy, softmax, UCB1, uniform.

use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::{Beta, Distribution};

use super::settings::BanditSpec;

/// A bandit over `arms` arms with running reward statistics.
#[derive(Debug, Clone)]
pub struct Bandit {
    spec: BanditSpec,
    pulls: Vec<u64>,
    reward_sum: Vec<f64>,
    successes: Vec<u64>,
    total: u64,
    /// Per-arm weights or draws of one selection (sized once).
    scratch: Vec<f64>,
}

impl Bandit {
    /// A fresh bandit (no arm pulled yet).
    pub fn new(spec: BanditSpec, arms: usize) -> Self {
        Self {
            spec,
            pulls: vec![0; arms],
            reward_sum: vec![0.0; arms],
            successes: vec![0; arms],
            total: 0,
            scratch: Vec::with_capacity(arms),
        }
    }

    /// Number of arms.
    pub fn arms(&self) -> usize {
        self.pulls.len()
    }

    /// Mean reward of `arm` (0 before its first pull).
    pub fn mean(&self, arm: usize) -> f64 {
        if self.pulls[arm] == 0 {
            0.0
        } else {
            self.reward_sum[arm] / self.pulls[arm] as f64
        }
    }

    fn argmax(&self, score: impl Fn(usize) -> f64) -> usize {
        let mut best = 0;
        let mut best_v = f64::NEG_INFINITY;
        for a in 0..self.arms() {
            let v = score(a);
            if v > best_v {
                best_v = v;
                best = a;
            }
        }
        best
    }

    /// Chooses the next arm.
    pub fn select(&mut self, rng: &mut StdRng) -> usize {
        let k = self.arms();
        match self.spec {
            BanditSpec::Uniform => rng.random_range(0..k),
            BanditSpec::EpsilonGreedy { epsilon } => {
                if rng.random::<f64>() < epsilon {
                    rng.random_range(0..k)
                } else {
                    self.argmax(|a| self.mean(a))
                }
            }
            BanditSpec::Softmax { tau } => {
                let m = (0..k).map(|a| self.mean(a)).fold(f64::MIN, f64::max);
                let mut w = std::mem::take(&mut self.scratch);
                w.clear();
                w.extend((0..k).map(|a| ((self.mean(a) - m) / tau).exp()));
                let total: f64 = w.iter().sum();
                let mut u = rng.random::<f64>() * total;
                let mut pick = k - 1;
                for (a, wa) in w.iter().enumerate() {
                    if u < *wa {
                        pick = a;
                        break;
                    }
                    u -= wa;
                }
                self.scratch = w;
                pick
            }
            BanditSpec::Ucb1 { alpha } => {
                if let Some(a) = self.pulls.iter().position(|&p| p == 0) {
                    return a;
                }
                let lt = (self.total.max(1) as f64).ln();
                self.argmax(|a| self.mean(a) + alpha * (2.0 * lt / self.pulls[a] as f64).sqrt())
            }
            BanditSpec::ThompsonSampling => {
                let mut draws = std::mem::take(&mut self.scratch);
                draws.clear();
                draws.extend((0..k).map(|a| {
                    let s = self.successes[a] as f64;
                    let f = (self.pulls[a] - self.successes[a]) as f64;
                    Beta::new(1.0 + s, 1.0 + f)
                        .map(|d| d.sample(rng))
                        .unwrap_or(0.5)
                }));
                let pick = self.argmax(|a| draws[a]);
                self.scratch = draws;
                pick
            }
        }
    }

    /// Records `reward` for `arm` (Thompson sampling counts reward > 0 as a success).
    pub fn update(&mut self, arm: usize, reward: f64) {
        self.pulls[arm] += 1;
        self.reward_sum[arm] += reward;
        if reward > 0.0 {
            self.successes[arm] += 1;
        }
        self.total += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Synthetic Bernoulli arms; arm 2 is best. Each policy should pull it most in the
    /// second half of the run.
    fn concentrates(spec: BanditSpec) -> f64 {
        let p = [0.1, 0.3, 0.8, 0.2];
        let mut rng = StdRng::seed_from_u64(7);
        let mut env = StdRng::seed_from_u64(11);
        let mut b = Bandit::new(spec, p.len());
        let n = 2000;
        let mut best_late = 0;
        for t in 0..n {
            let a = b.select(&mut rng);
            let r = if env.random::<f64>() < p[a] { 1.0 } else { 0.0 };
            b.update(a, r);
            if t >= n / 2 && a == 2 {
                best_late += 1;
            }
        }
        best_late as f64 / (n / 2) as f64
    }

    #[test]
    fn thompson_concentrates() {
        assert!(concentrates(BanditSpec::ThompsonSampling) > 0.9);
    }

    #[test]
    fn epsilon_greedy_concentrates() {
        let f = concentrates(BanditSpec::EpsilonGreedy { epsilon: 0.1 });
        assert!(f > 0.85, "{f}");
    }

    #[test]
    fn softmax_concentrates() {
        // Mean rewards in [0, 1]: a small temperature separates them.
        let f = concentrates(BanditSpec::Softmax { tau: 0.05 });
        assert!(f > 0.85, "{f}");
    }

    #[test]
    fn ucb1_concentrates() {
        let f = concentrates(BanditSpec::Ucb1 { alpha: 0.5 });
        assert!(f > 0.85, "{f}");
    }

    #[test]
    fn uniform_does_not_concentrate() {
        let f = concentrates(BanditSpec::Uniform);
        assert!((f - 0.25).abs() < 0.05, "{f}");
    }

    #[test]
    fn softmax_default_prefers_high_rewards() {
        // The Balans default: rewards 8/4/2/1, tau 1.36. Arm 1 earns 8, the others 1.
        let mut rng = StdRng::seed_from_u64(3);
        let mut b = Bandit::new(BanditSpec::Softmax { tau: 1.359686 }, 3);
        let mut count = [0usize; 3];
        for _ in 0..300 {
            let a = b.select(&mut rng);
            count[a] += 1;
            b.update(a, if a == 1 { 8.0 } else { 1.0 });
        }
        assert!(count[1] > 250, "{count:?}");
    }

    #[test]
    fn deterministic_per_seed() {
        let run = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut b = Bandit::new(BanditSpec::ThompsonSampling, 5);
            (0..50)
                .map(|i| {
                    let a = b.select(&mut rng);
                    b.update(a, (i % 3 == 0) as u8 as f64);
                    a
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }
}
