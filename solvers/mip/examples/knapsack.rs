//! Balans and plain HiGHS on a small multi-dimensional knapsack built in memory: both must
//! reach the optimum, which is also found here by enumerating all 2^14 packings.
//!
//! `cargo run --release --example knapsack` (part of `cargo test`: it fails loudly).

use opal_core::{Budget, Control, Status};
use opal_mip::balans::{
    Event, Iteration, Outcome, Output, Settings, solve, solve_observed, solve_plain_highs,
};
use opal_problems::linear::{LinearModel, Sense};

const VALUES: [f64; 14] = [
    36.0, 83.0, 59.0, 71.0, 43.0, 67.0, 23.0, 52.0, 93.0, 25.0, 67.0, 89.0, 60.0, 47.0,
];
const WEIGHTS: [[f64; 14]; 3] = [
    [
        7.0, 19.0, 30.0, 22.0, 30.0, 44.0, 11.0, 21.0, 35.0, 14.0, 29.0, 18.0, 3.0, 36.0,
    ],
    [
        3.0, 4.0, 5.0, 8.0, 20.0, 33.0, 12.0, 10.0, 17.0, 22.0, 34.0, 31.0, 26.0, 9.0,
    ],
    [
        21.0, 10.0, 13.0, 7.0, 26.0, 14.0, 28.0, 22.0, 9.0, 31.0, 5.0, 17.0, 19.0, 12.0,
    ],
];
const CAPACITY: [f64; 3] = [120.0, 110.0, 100.0];

/// max values . x  s.t.  weights x <= capacity, x binary.
fn knapsack() -> LinearModel {
    let mut m = LinearModel::new("KNAP14", Sense::Maximize);
    for (j, v) in VALUES.iter().enumerate() {
        m.add_col(format!("x{j}"), *v, 0.0, 1.0, true);
    }
    for (i, row) in WEIGHTS.iter().enumerate() {
        let coefs: Vec<(usize, f64)> = row.iter().copied().enumerate().collect();
        m.add_row(format!("cap{i}"), f64::NEG_INFINITY, CAPACITY[i], &coefs);
    }
    m
}

/// The optimum by enumeration.
fn brute_force() -> f64 {
    let n = VALUES.len();
    (0u32..1 << n)
        .filter(|set| {
            WEIGHTS.iter().zip(CAPACITY).all(|(row, cap)| {
                (0..n)
                    .filter(|j| set >> j & 1 == 1)
                    .map(|j| row[j])
                    .sum::<f64>()
                    <= cap
            })
        })
        .map(|set| {
            (0..n)
                .filter(|j| set >> j & 1 == 1)
                .map(|j| VALUES[j])
                .sum()
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = knapsack();
    let optimum = brute_force();
    let settings = Settings::default()
        .budget(Budget::default().with_time_limit_secs(10.0)?)
        .seed(1);

    let proven = |name: &str, out: Output| {
        println!(
            "{name:<12} {} objective {:?} in {:.3} s",
            out.status, out.objective, out.time_s
        );
        assert_eq!(out.status, Status::Optimal, "{name}: {}", out.message);
        assert_eq!(out.objective, Some(optimum), "{name}");
    };
    proven("plain HiGHS", solve_plain_highs(&model, &settings)?);
    // Balans as configured by default: HiGHS's initial solve proves this small instance.
    proven("Balans", solve(&model, &settings)?);

    // The destroy/repair search alone: from the empty knapsack, without the initial solve,
    // at most 40 iterations; an observer counts the new bests.
    let search = settings
        .clone()
        .budget(Budget::iterations(40).with_time_limit_secs(10.0)?)
        .initial_solution(Some(vec![0.0; VALUES.len()]))
        .initial_solve(false);
    let mut new_bests = 0;
    let mut count = |r: &Iteration| {
        if let Event::Step(step) = r.event {
            new_bests += usize::from(step.outcome == Outcome::NewBest);
        }
        Control::Continue
    };
    let lns = solve_observed(&model, &search, &mut count)?;
    println!(
        "{:<12} {} objective {:?} after {} iterations ({new_bests} new bests), {:.3} s",
        "Balans LNS", lns.status, lns.objective, lns.iterations, lns.time_s
    );
    assert_eq!(lns.objective, Some(optimum), "{}", lns.message);
    assert!(new_bests >= 1 && lns.iterations >= 1);
    assert!(model.max_violation(lns.solution.as_ref().unwrap()) <= 1e-9);
    println!("optimum by enumeration: {optimum}");
    Ok(())
}
