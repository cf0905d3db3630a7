//! Tests of the operators (the neighbourhood each builds, and that the model is restored),
//! the driver (optima, infeasibility, determinism, limits) and the configuration.

use std::time::Duration;

use opal_core::{Budget, Control, LogObserver, Status};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::operators;
use super::problem::Problem;
use super::record::{Event, Iteration, Outcome};
use super::settings::{Config, OperatorSpec};
use super::{Settings, solve, solve_observed, solve_plain_highs, solve_portfolio};
use crate::highs::{Highs, LpData};
use opal_problems::generators::mip::knapsack;
use opal_problems::linear::{LinearModel, Sense};

/// Default settings with a time limit of `seconds`.
fn within(seconds: f64) -> Settings {
    Settings::default().budget(Budget::default().with_time_limit_secs(seconds).unwrap())
}

/// Default settings with a time limit and an iteration limit.
fn limited(seconds: f64, iterations: usize) -> Settings {
    within(seconds).budget(
        Budget::iterations(iterations)
            .with_time_limit_secs(seconds)
            .unwrap(),
    )
}

/// The search alone, from `start` (no initial solve), within the limits.
fn search_from(start: Vec<f64>, seconds: f64, iterations: usize) -> Settings {
    limited(seconds, iterations)
        .initial_solution(Some(start))
        .initial_solve(false)
}

/// A covering model with binaries y, general integers z in [0, 10] and continuous w in
/// [0, 20]: minimize cost s.t. four rows sum a_ij v_j >= b_i. All-upper-bounds is feasible.
fn mixed() -> LinearModel {
    let mut m = LinearModel::new("MIXED", Sense::Minimize);
    for j in 0..6 {
        m.add_col(format!("y{j}"), 3.0 + j as f64, 0.0, 1.0, true);
    }
    for j in 0..5 {
        m.add_col(format!("z{j}"), 1.0 + j as f64, 0.0, 10.0, true);
    }
    for j in 0..3 {
        m.add_col(format!("w{j}"), 0.5 + j as f64, 0.0, 20.0, false);
    }
    for i in 0..4 {
        let coefs: Vec<(usize, f64)> = (0..14)
            .filter(|j| (i * 7 + j * 3) % 4 != 0)
            .map(|j| (j, 1.0 + ((i * 5 + j * 11) % 7) as f64 / 3.0))
            .collect();
        m.add_row(
            format!("r{i}"),
            17.5 + 4.3 * i as f64,
            f64::INFINITY,
            &coefs,
        );
    }
    m
}

/// LP point of `m` from a separate HiGHS instance.
fn lp_point(m: &LinearModel) -> Vec<f64> {
    let mut r = m.clone();
    r.integer.iter_mut().for_each(|b| *b = false);
    let mut h = Highs::new().unwrap();
    h.pass_model(&r).unwrap();
    h.run().unwrap();
    h.solution()
}

fn setup(m: &LinearModel) -> (Problem, Highs, Vec<f64>) {
    let p = Problem::new(m.clone(), lp_point(m));
    let mut h = Highs::new().unwrap();
    h.pass_model(m).unwrap();
    let x = m.col_upper.clone();
    assert!(m.max_violation(&x) <= 1e-9);
    (p, h, x)
}

/// Applies `op`, returns the model during, and checks that restore gives the model back.
fn during(
    op: OperatorSpec,
    p: &Problem,
    h: &mut Highs,
    x: &[f64],
    seed: u64,
) -> (operators::Plan, LpData) {
    let before = h.lp().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let plan = operators::build(&op, p, x, &Config::default(), &mut rng);
    operators::apply(h, p, &plan).unwrap();
    let mid = h.lp().unwrap();
    operators::restore(h, p, &plan).unwrap();
    assert_eq!(before, h.lp().unwrap(), "{} not undone", op.label());
    (plan, mid)
}

fn is_fixed_at(lp: &LpData, j: usize, v: f64) -> bool {
    lp.col_lower[j] == v && lp.col_upper[j] == v
}

fn is_original(lp: &LpData, m: &LinearModel, j: usize) -> bool {
    lp.col_lower[j] == m.col_lower[j] && lp.col_upper[j] == m.col_upper[j]
}

#[test]
fn classification() {
    let (p, _, _) = setup(&mixed());
    assert_eq!(p.binaries, (0..6).collect::<Vec<_>>());
    assert_eq!(p.general, (6..11).collect::<Vec<_>>());
    assert_eq!(p.continuous, vec![11, 12, 13]);
    assert!(!p.fractional.is_empty());
}

#[test]
fn mutation_frees_the_rate_and_fixes_the_rest() {
    let m = mixed();
    let (p, mut h, x) = setup(&m);
    for seed in 0..5 {
        let (_, lp) = during(OperatorSpec::Mutation { rate: 0.5 }, &p, &mut h, &x, seed);
        let free = p
            .discrete
            .iter()
            .filter(|&&j| is_original(&lp, &m, j))
            .count();
        assert_eq!(free, 5, "floor(0.5 * 11) free");
        for &j in &p.discrete {
            assert!(is_original(&lp, &m, j) || is_fixed_at(&lp, j, x[j]));
        }
        // Continuous columns stay free by default.
        for &j in &p.continuous {
            assert!(is_original(&lp, &m, j));
        }
        assert_eq!(lp.row_lower.len(), m.num_rows());
    }
}

#[test]
fn rins_frees_only_where_lp_and_incumbent_differ() {
    let m = mixed();
    let (p, mut h, x) = setup(&m);
    let differ: Vec<usize> = p
        .discrete
        .iter()
        .copied()
        .filter(|&j| (p.x_lp[j] - x[j]).abs() > 1e-6)
        .collect();
    assert!(differ.len() >= 3);
    let (_, lp) = during(OperatorSpec::Rins { rate: 0.4 }, &p, &mut h, &x, 1);
    let free: Vec<usize> = p
        .discrete
        .iter()
        .copied()
        .filter(|&j| is_original(&lp, &m, j))
        .collect();
    assert_eq!(free.len(), (0.4 * differ.len() as f64).floor() as usize);
    assert!(free.iter().all(|j| differ.contains(j)));
    for &j in &p.discrete {
        assert!(free.contains(&j) || is_fixed_at(&lp, j, x[j]));
    }
}

#[test]
fn rens_rounds_lp_bounds_on_fractionals() {
    let m = mixed();
    let (p, mut h, x) = setup(&m);
    let (_, lp) = during(OperatorSpec::Rens { rate: 0.5 }, &p, &mut h, &x, 2);
    let mut rounded = 0;
    for &j in &p.discrete {
        if p.fractional.contains(&j)
            && lp.col_lower[j] == p.x_lp[j].floor()
            && lp.col_upper[j] == p.x_lp[j].ceil()
        {
            rounded += 1;
        } else {
            assert!(is_fixed_at(&lp, j, x[j]), "column {j}");
        }
    }
    assert_eq!(rounded, (0.5 * p.fractional.len() as f64).floor() as usize);
}

#[test]
fn dins_bounds_general_integers_by_incumbent_distance() {
    let m = mixed();
    let (p, mut h, x) = setup(&m);
    let (_, lp) = during(OperatorSpec::Dins, &p, &mut h, &x, 0);
    let mut bounded = 0;
    for &j in &p.discrete {
        let far = p.general.contains(&j) && (p.x_lp[j] - x[j]).abs() >= 0.5;
        if far {
            let d = (x[j] - p.x_lp[j]).abs();
            assert_eq!(lp.col_lower[j], (p.x_lp[j] - d).ceil().max(0.0));
            assert_eq!(lp.col_upper[j], (p.x_lp[j] + d).floor().min(10.0));
            assert!(lp.col_lower[j] <= x[j] && x[j] <= lp.col_upper[j]);
            bounded += 1;
        } else {
            assert!(is_fixed_at(&lp, j, x[j]));
        }
    }
    assert!(bounded > 0);
}

#[test]
fn local_branching_adds_the_distance_row() {
    let m = mixed();
    let (p, mut h, mut x) = setup(&m);
    x[1] = 0.0;
    x[4] = 0.0;
    let (_, lp) = during(
        OperatorSpec::LocalBranching { rate: 0.5 },
        &p,
        &mut h,
        &x,
        4,
    );
    assert_eq!(lp.row_lower.len(), m.num_rows() + 1);
    let r = m.num_rows();
    assert_eq!(lp.row_lower[r], f64::NEG_INFINITY);
    // k in [max(1, floor(0.05 * 6)), floor(0.5 * 6)] = [1, 3]; rhs = k - (number of ones = 4).
    let k = lp.row_upper[r] + 4.0;
    assert!((1.0..=3.0).contains(&k) && k.fract() == 0.0, "k = {k}");
    for j in 0..m.num_cols() {
        let coef: f64 = (lp.a_start[j]..lp.a_start[j + 1])
            .filter(|&q| lp.a_index[q] == r)
            .map(|q| lp.a_value[q])
            .sum();
        let want = if j < 6 {
            if x[j] > 0.5 { -1.0 } else { 1.0 }
        } else {
            0.0
        };
        assert_eq!(coef, want, "column {j}");
        assert!(is_original(&lp, &m, j));
    }
}

#[test]
fn proximity_builds_the_hamming_objective_and_cut() {
    let m = mixed();
    let (p, mut h, mut x) = setup(&m);
    x[0] = 0.0;
    let f = m.objective(&x);
    let (plan, lp) = during(OperatorSpec::Proximity { rate: 0.005 }, &p, &mut h, &x, 0);
    let n = m.num_cols();
    assert_eq!(lp.cost.len(), n + 1);
    assert_eq!(lp.cost[n], 1000.0);
    assert_eq!(lp.col_lower[n], 0.0);
    assert_eq!(lp.col_upper[n], f64::INFINITY);
    for j in 0..n {
        let want = if j < 6 {
            if x[j] > 0.5 { -1.0 } else { 1.0 }
        } else {
            0.0
        };
        assert_eq!(lp.cost[j], want);
    }
    let r = m.num_rows();
    assert!((lp.row_upper[r] - (f - 0.005 * f.abs())).abs() < 1e-9);
    // The start point sets z so that the cut holds.
    let start = plan.start;
    assert!((start[n] - 0.005 * f.abs()).abs() < 1e-9);
}

#[test]
fn crossover_and_random_objective_change_only_the_objective() {
    let m = mixed();
    let (p, mut h, x) = setup(&m);
    for op in [OperatorSpec::Crossover, OperatorSpec::RandomObjective] {
        let (plan, lp) = during(op, &p, &mut h, &x, 9);
        assert_eq!(plan.solution_limit, Some(1));
        for j in 0..m.num_cols() {
            assert!(is_original(&lp, &m, j));
            assert!(lp.cost[j].abs() <= 1.0);
            assert_eq!(lp.cost[j] == 0.0, !m.integer[j]);
        }
    }
    // Second phase: free exactly where the random point differs.
    let mut xr = x.clone();
    xr[0] = 0.0;
    xr[7] = 3.0;
    let plan = operators::crossover_plan(&p, &x, &xr, &Config::default());
    let fixed: Vec<usize> = plan.changed_cols().to_vec();
    let want: Vec<usize> = p
        .discrete
        .iter()
        .copied()
        .filter(|&j| j != 0 && j != 7)
        .collect();
    assert_eq!(fixed, want);
}

#[test]
fn fix_continuous_setting_fixes_them() {
    let m = mixed();
    let (p, mut h, x) = setup(&m);
    let cfg = Config {
        fix_continuous: true,
        ..Config::default()
    };
    let mut rng = StdRng::seed_from_u64(0);
    let plan = operators::build(
        &OperatorSpec::Mutation { rate: 0.5 },
        &p,
        &x,
        &cfg,
        &mut rng,
    );
    operators::apply(&mut h, &p, &plan).unwrap();
    let lp = h.lp().unwrap();
    for &j in &p.continuous {
        assert!(is_fixed_at(&lp, j, x[j]));
    }
}

#[test]
fn inapplicable_operators_are_named() {
    let mut m = LinearModel::new("GI", Sense::Minimize);
    m.add_col("a".into(), 1.0, 0.0, 5.0, true);
    m.add_col("b".into(), 1.0, 0.0, 5.0, true);
    m.add_row("r".into(), 2.5, f64::INFINITY, &[(0, 1.0), (1, 1.0)]);
    let p = Problem::new(m.clone(), lp_point(&m));
    assert!(
        p.inapplicable(&OperatorSpec::LocalBranching { rate: 0.1 })
            .is_some()
    );
    assert!(
        p.inapplicable(&OperatorSpec::Proximity { rate: 0.1 })
            .is_some()
    );
    assert!(p.inapplicable(&OperatorSpec::Dins).is_none());
    let k = knapsack(10, 2, 0).unwrap();
    let p = Problem::new(k.clone(), lp_point(&k));
    assert_eq!(
        p.inapplicable(&OperatorSpec::Dins),
        Some("no general integers")
    );
}

/// Optimum of `m` by plain HiGHS (small models: proven).
fn highs_optimum(m: &LinearModel) -> f64 {
    let out = solve_plain_highs(m, &within(30.0)).unwrap();
    assert_eq!(out.status, Status::Optimal);
    out.objective.unwrap()
}

#[test]
fn search_loop_reaches_knapsack_optimum_from_zero() {
    let m = knapsack(40, 3, 5).unwrap();
    let opt = highs_optimum(&m);
    let settings = search_from(vec![0.0; 40], 20.0, 60).seed(1);
    let out = solve(&m, &settings).unwrap();
    let f = out.objective.unwrap();
    assert!(f <= opt + 1e-9, "maximization: {f} above the optimum {opt}");
    assert!(f >= 0.97 * opt, "Balans from zero: {f} vs {opt}");
    assert!(m.max_violation(out.solution.as_ref().unwrap()) <= 1e-6);
    assert!(out.trace.len() >= 2);
    assert!(out.trace.windows(2).all(|w| w[1].1 >= w[0].1));
    let calls: usize = out.operators.iter().map(|o| o.calls).sum();
    assert_eq!(calls, out.iterations);
    assert!(out.iterations > 0);
}

#[test]
fn deterministic_per_seed() {
    let m = knapsack(60, 4, 2).unwrap();
    let run = |seed| {
        let settings = search_from(vec![0.0; 60], 30.0, 12).seed(seed);
        let out = solve(&m, &settings).unwrap();
        (
            out.trace.iter().map(|t| t.1).collect::<Vec<_>>(),
            out.operators
                .iter()
                .map(|o| (o.name.clone(), o.calls, o.improvements))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(run(7), run(7));
}

#[test]
fn every_bandit_and_acceptance_runs() {
    use super::settings::{AcceptanceSpec, BanditSpec, Schedule};
    let m = mixed();
    let opt = highs_optimum(&m);
    let bandits = [
        BanditSpec::ThompsonSampling,
        BanditSpec::EpsilonGreedy { epsilon: 0.1 },
        BanditSpec::Ucb1 { alpha: 1.0 },
        BanditSpec::Uniform,
    ];
    let accepts = [
        AcceptanceSpec::SimulatedAnnealing {
            start: 20.0,
            end: 1.0,
            step: 0.1,
            schedule: Schedule::Exponential,
        },
        AcceptanceSpec::RecordToRecord {
            start: 0.05,
            end: 0.0,
            step: 0.01,
            schedule: Schedule::Linear,
        },
        AcceptanceSpec::LateAcceptance { length: 4 },
        AcceptanceSpec::HillClimbing,
    ];
    for (b, a) in bandits.into_iter().zip(accepts) {
        let mut cfg = Config {
            bandit: b,
            acceptance: a,
            ..Config::default()
        };
        cfg.operators.push(OperatorSpec::Dins);
        cfg.operators.push(OperatorSpec::RandomObjective);
        let settings = search_from(mixed().col_upper, 20.0, 25).config(cfg);
        let out = solve(&m, &settings).unwrap();
        let f = out.objective.unwrap();
        assert!(f >= opt - 1e-9 && m.max_violation(out.solution.as_ref().unwrap()) <= 1e-6);
        assert!(
            f < m.objective(&mixed().col_upper),
            "{b:?} {a:?} made no progress"
        );
    }
}

#[test]
fn parbalans_shares_and_returns_the_best() {
    let m = knapsack(50, 3, 8).unwrap();
    let opt = highs_optimum(&m);
    let settings = search_from(vec![0.0; 50], 20.0, 15).threads(3);
    let out = solve(&m, &settings).unwrap();
    let f = out.objective.unwrap();
    assert!(f <= opt + 1e-9 && f >= 0.95 * opt, "{f} vs {opt}");
    assert!(m.max_violation(out.solution.as_ref().unwrap()) <= 1e-6);
    let configs = super::portfolio(&Config::default(), 3);
    assert_eq!(configs.len(), 3);
    assert_ne!(configs[0].bandit, configs[1].bandit);
    assert!(solve_portfolio(&m, &settings, &[]).is_err());
}

#[test]
fn time_limit_is_honoured() {
    let m = knapsack(400, 20, 1).unwrap();
    let out = solve(&m, &within(2.0)).unwrap();
    assert!(out.time_s < 3.0, "{}", out.time_s);
    assert!(out.objective.is_some());
}

#[test]
fn bad_settings_are_errors() {
    let m = mixed();
    assert!(Budget::default().with_time_limit_secs(0.0).is_err());
    let zero = Settings::default().budget(Budget::default().with_time_limit(Some(Duration::ZERO)));
    assert!(solve(&m, &zero).is_err());
    assert!(
        solve(
            &m,
            &Settings::default().initial_solution(Some(vec![0.0; 3]))
        )
        .is_err()
    );
    let mut bad = m.clone();
    bad.cost[2] = f64::NAN;
    let e = solve(&bad, &Settings::default()).unwrap_err().to_string();
    assert!(e.contains("NaN"), "{e}");
    let cfg = Config {
        operators: vec![],
        ..Config::default()
    };
    assert!(solve(&m, &Settings::default().config(cfg)).is_err());
}

#[test]
fn config_json_round_trip_and_errors() {
    let c = Config::default();
    let back = Config::from_json_str(&c.to_json()).unwrap();
    assert_eq!(c, back);
    let partial = r#"{"bandit": {"policy": "thompson_sampling"},
        "operators": [{"kind": "dins"}, {"kind": "rins", "rate": 0.3}]}"#;
    let doc = r#"{ "operators": [{"kind": "rins", "rate": 0.4}, {"kind": "dins"}, {"kind": "crossover"}],
        "bandit": {"policy": "epsilon_greedy", "epsilon": 0.1},
        "acceptance": {"rule": "simulated_annealing", "start": 20, "end": 1, "step": 0.1},
        "sub_mip_time_limit": 6 }"#;
    let d = Config::from_json_str(doc).unwrap();
    assert_eq!((d.operators.len(), d.sub_mip_time_limit), (3, 6.0));
    let p = Config::from_json_str(partial).unwrap();
    assert_eq!(p.operators.len(), 2);
    assert_eq!(p.effective_rewards(), [1.0, 1.0, 0.0, 0.0]);
    assert_eq!(p.sub_mip_time_limit, 12.0);
    for (text, needle) in [
        (r#"{"operators": [{"kind": "rins", "rate": 1.5}]}"#, "rate"),
        (r#"{"bandit": {"policy": "softmax", "tau": -1}}"#, "tau"),
        (r#"{"speed": 3}"#, "unknown field"),
        (
            r#"{"operators": [{"kind": "teleport"}]}"#,
            "unknown variant",
        ),
        ("{\n\"bandit\": ", "line 2"),
        (
            r#"{"acceptance": {"rule": "late_acceptance", "length": 0}}"#,
            "length",
        ),
    ] {
        let e = Config::from_json_str(text).unwrap_err().to_string();
        assert!(e.contains(needle), "{text}: {e}");
    }
}

#[test]
fn an_interrupt_from_another_thread_stops_balans_and_plain_highs() {
    // A knapsack large enough that neither run ends by itself within 30 s.
    let m = knapsack(400, 40, 5).unwrap();
    for plain in [false, true] {
        let stop = opal_core::Interrupt::new();
        let settings = Settings::default().budget(
            Budget::default()
                .with_time_limit_secs(30.0)
                .unwrap()
                .with_interrupt(stop.clone()),
        );
        let trigger = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(700));
            stop.trigger();
        });
        let start = std::time::Instant::now();
        let out = if plain {
            solve_plain_highs(&m, &settings)
        } else {
            solve(&m, &settings)
        }
        .unwrap();
        trigger.join().unwrap();
        let t = start.elapsed().as_secs_f64();
        println!("plain {plain}: {} after {t:.2} s", out.status.as_str());
        assert!(t < 10.0, "plain {plain}: stopped after {t} s");
        if out.status != Status::Optimal {
            assert_eq!(out.status, Status::Interrupted, "plain {plain}");
        }
    }
}

#[test]
fn the_observer_sees_every_iteration_and_may_stop_the_run() {
    let m = knapsack(40, 3, 5).unwrap();
    let settings = search_from(vec![0.0; 40], 20.0, 15).seed(1);
    let mut records: Vec<Iteration> = Vec::new();
    let mut seen = |r: &Iteration| {
        records.push(*r);
        Control::Continue
    };
    let out = solve_observed(&m, &settings, &mut seen).unwrap();
    let steps: Vec<_> = records
        .iter()
        .filter_map(|r| match r.event {
            Event::Step(s) => Some((r.iteration, s)),
            _ => None,
        })
        .collect();
    assert_eq!(steps.len(), out.iterations);
    assert!(steps.iter().enumerate().all(|(k, s)| s.0 == k + 1));
    assert!(matches!(records[0].event, Event::LpRelaxation { .. }));
    assert!(
        records
            .iter()
            .any(|r| r.event == Event::WarmStart { accepted: true })
    );
    let best = steps
        .iter()
        .filter(|s| s.1.outcome == Outcome::NewBest)
        .count();
    let improvements: usize = out.operators.iter().map(|o| o.improvements).sum();
    assert_eq!(best, improvements);
    let last = records.last().unwrap();
    assert_eq!(last.incumbent, out.objective.unwrap());

    // An observer that stops after the third iteration.
    let mut stop = |r: &Iteration| Control::stop_if(r.iteration >= 3);
    let out = solve_observed(&m, &limited(20.0, 100).seed(1), &mut stop).unwrap();
    if out.status != Status::Optimal {
        assert_eq!(out.status, Status::Interrupted, "{}", out.message);
        assert!(out.iterations <= 3, "{}", out.iterations);
        assert!(out.objective.is_some());
    }
}

#[test]
fn the_log_has_a_line_per_record_and_a_closing_line() {
    let m = knapsack(30, 2, 3).unwrap();
    let mut log = LogObserver::new(Vec::new());
    let settings = search_from(vec![0.0; 30], 20.0, 5);
    let out = solve_observed(&m, &settings, &mut log).unwrap();
    let text = String::from_utf8(log.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("balans on KNAP30: 30 columns, 2 rows"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(" iter     time       incumbent"),
        "{text}"
    );
    assert!(
        text.contains(" lp ") && text.contains(" warm_start "),
        "{text}"
    );
    assert!(
        lines.last().unwrap().starts_with(out.status.as_str()),
        "{text}"
    );
    assert!(lines.last().unwrap().contains(&out.message), "{text}");
}

/// Issue 19 saw the `better` counter at 0 for every operator: under hill climbing (the
/// default) the current solution is always the best one, so a candidate is a new best,
/// as good, or worse, never "better but not best". Under simulated annealing, with the
/// random objective making worse points current, better candidates are counted.
#[test]
fn better_than_current_is_counted_when_the_current_solution_is_not_the_best() {
    let m = knapsack(60, 10, 3).unwrap();
    let cfg = Config {
        operators: vec![
            OperatorSpec::RandomObjective,
            OperatorSpec::Rins { rate: 0.4 },
            OperatorSpec::Mutation { rate: 0.2 },
        ],
        bandit: super::BanditSpec::Uniform,
        acceptance: super::AcceptanceSpec::SimulatedAnnealing {
            start: 2000.0,
            end: 1.0,
            step: 0.1,
            schedule: super::Schedule::Linear,
        },
        initial_time_limit: 0.001,
        sub_mip_time_limit: 0.3,
        ..Config::default()
    };
    let settings = limited(30.0, 60).seed(1).config(cfg);
    let out = solve(&m, &settings).unwrap();
    let better: usize = out.operators.iter().map(|o| o.better).sum();
    assert!(better > 0, "{:?}", out.operators);
    let hill = search_from(vec![0.0; 60], 30.0, 30).seed(1);
    let out = solve(&m, &hill).unwrap();
    assert!(out.operators.iter().all(|o| o.better == 0));
}

#[test]
fn settings_json_round_trip_and_errors() {
    let s = limited(5.0, 7).seed(3).threads(2);
    let text = serde_json::to_string(&s).unwrap();
    let back: Settings = serde_json::from_str(&text).unwrap();
    assert_eq!(back, s);
    let partial: Settings =
        serde_json::from_str(r#"{"seed": 4, "config": {"sub_mip_time_limit": 6}}"#).unwrap();
    assert_eq!((partial.seed, partial.config.sub_mip_time_limit), (4, 6.0));
    assert_eq!(partial.budget, Settings::default().budget);
    assert!(serde_json::from_str::<Settings>(r#"{"time_limit": 5}"#).is_err());
    let bad = Settings::default().gap_tolerance(f64::NAN);
    let e = solve(&mixed(), &bad).unwrap_err().to_string();
    assert!(e.contains("gap_tolerance"), "{e}");
}
