//! Acceptance experiments of blind gain calibration (issue 8): exact recovery over seeds,
//! a phase transition (CSV and PNG heat map), a noise sweep with its log-log slope, and
//! speed against the linear baseline. Run with `cargo run --release -p opal-bench --bin
//! calibration -- <experiment>`; results go to `--out` (default
//! target/bench-output/calibration).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};
use opal_bench::heatmap::{Axes, Panel, render};
use opal_calibration::{
    DenseOperator, HadamardOperator, Method, Output, Problem, SensingOperator, Settings, measure,
    relative_error, solve,
};
use opal_core::Budget;
use opal_problems::generators::calibration::{CalibrationInstance, instance};
use opal_problems::generators::{gaussian_vec, rng};

#[derive(Parser)]
struct Args {
    /// Output directory for CSV files and pictures.
    #[arg(long, default_value = "target/bench-output/calibration")]
    out: PathBuf,
    #[command(subcommand)]
    experiment: Experiment,
}

#[derive(Subcommand)]
enum Experiment {
    /// Exact recovery at n = 128, m = 64, p = 32, rho = 0.5 over many seeds.
    Recovery {
        #[arg(long, default_value_t = 50)]
        seeds: u64,
    },
    /// Success rate over a grid of (m, p) at fixed n, both methods.
    Phase {
        #[arg(long, default_value_t = 64)]
        n: usize,
        #[arg(long, default_value_t = 10)]
        trials: u64,
    },
    /// Error against the noise level, with the log-log slope.
    Noise {
        #[arg(long, default_value_t = 10)]
        seeds: u64,
    },
    /// Dense n = m = 1024, p = 16: PGD against the linear baseline; fast operators.
    Speed {
        #[arg(long, default_value_t = 1024)]
        n: usize,
        #[arg(long, default_value_t = 16)]
        p: usize,
        /// Signal length of the large fast-operator run (0 skips it).
        #[arg(long, default_value_t = 65536)]
        fast_n: usize,
        /// Snapshots of the large fast-operator run.
        #[arg(long, default_value_t = 8)]
        fast_p: usize,
    },
}

fn errors(out: &Output, x: &[f64], d: &[f64]) -> (f64, f64) {
    (relative_error(&out.x, x), relative_error(&out.d, d))
}

fn run(op: &dyn SensingOperator, y: &[f64], rho: f64, settings: &Settings) -> Output {
    solve(&Problem::new(op, y, rho), settings).expect("valid generated instance")
}

fn pgd() -> Settings {
    Settings::default()
}

fn linear() -> Settings {
    Settings::default().method(Method::Linear)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("wrote {}", path.display());
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let k = v.len();
    if k == 0 {
        f64::NAN
    } else if k % 2 == 1 {
        v[k / 2]
    } else {
        0.5 * (v[k / 2 - 1] + v[k / 2])
    }
}

fn recovery(dir: &Path, seeds: u64) {
    let (n, m, p, rho) = (128, 64, 32, 0.5);
    let mut csv = String::from("seed,method,status,iterations,err_x,err_d,seconds\n");
    let (mut ok_pgd, mut ok_lin) = (0, 0);
    let (mut worst_pgd, mut worst_lin) = (0.0f64, 0.0f64);
    let mut its = Vec::new();
    let (mut t_pgd, mut t_lin) = (0.0, 0.0);
    for seed in 1..=seeds {
        let inst = instance(n, m, p, rho, 0.0, seed).unwrap();
        let op = DenseOperator::from_instance(&inst).unwrap();
        for (name, settings) in [("pgd", pgd()), ("linear", linear())] {
            let out = run(&op, &inst.y, rho, &settings);
            let (ex, ed) = errors(&out, &inst.x, &inst.d);
            let secs = out.time.as_secs_f64();
            writeln!(
                csv,
                "{seed},{name},{},{},{ex:.3e},{ed:.3e},{secs:.6}",
                status(&out),
                out.iterations
            )
            .unwrap();
            let good = ex <= 1e-8 && ed <= 1e-8;
            if name == "pgd" {
                ok_pgd += good as u32;
                worst_pgd = worst_pgd.max(ex.max(ed));
                its.push(out.iterations as f64);
                t_pgd += secs;
            } else {
                ok_lin += good as u32;
                worst_lin = worst_lin.max(ex.max(ed));
                t_lin += secs;
            }
        }
    }
    write(&dir.join("recovery.csv"), &csv);
    let min_it = its.iter().copied().fold(f64::INFINITY, f64::min);
    let max_it = its.iter().copied().fold(0.0, f64::max);
    println!(
        "recovery n = {n}, m = {m}, p = {p}, rho = {rho}: PGD {ok_pgd}/{seeds} with both errors <= 1e-8 \
         (worst {worst_pgd:.2e}; iterations median {}, range {min_it}..{max_it}); \
         linear {ok_lin}/{seeds} (worst {worst_lin:.2e}); total time PGD {t_pgd:.3} s, linear {t_lin:.3} s, \
         ratio linear/PGD {:.2}",
        median(&mut its),
        t_lin / t_pgd
    );
}

fn phase(dir: &Path, n: usize, trials: u64) {
    let rho = 0.5;
    let ms: Vec<usize> = (1..=8)
        .map(|k| 4 * k)
        .chain([40, 48, 56, 64, 80, 96, 112, 128])
        .collect();
    let ps: Vec<usize> = (1..=24).collect();
    let mut csv =
        String::from("method,n,m,p,trials,successes,rate,median_iterations,median_seconds\n");
    let mut rates = [
        vec![vec![0.0; ps.len()]; ms.len()],
        vec![vec![0.0; ps.len()]; ms.len()],
    ];
    let started = Instant::now();
    for (r, &m) in ms.iter().enumerate() {
        for (c, &p) in ps.iter().enumerate() {
            for (k, (name, settings)) in [("pgd", pgd()), ("linear", linear())].iter().enumerate() {
                let mut successes = 0;
                let mut its = Vec::new();
                let mut secs = Vec::new();
                // Near the counting bound PGD needs thousands of iterations; a generous
                // budget keeps the picture about recoverability, not patience.
                let settings = &settings.clone().budget(Budget::iterations(50_000));
                for t in 0..trials {
                    let seed = 1_000_000 * (n as u64) + 10_000 * m as u64 + 100 * p as u64 + t;
                    let inst = instance(n, m, p, rho, 0.0, seed).unwrap();
                    let op = DenseOperator::from_instance(&inst).unwrap();
                    let out = run(&op, &inst.y, rho, settings);
                    let (ex, ed) = errors(&out, &inst.x, &inst.d);
                    successes += (ex.max(ed) <= 1e-6) as u32;
                    its.push(out.iterations as f64);
                    secs.push(out.time.as_secs_f64());
                }
                let rate = successes as f64 / trials as f64;
                rates[k][r][c] = rate;
                writeln!(
                    csv,
                    "{name},{n},{m},{p},{trials},{successes},{rate:.2},{},{:.6}",
                    median(&mut its),
                    median(&mut secs)
                )
                .unwrap();
            }
        }
        eprintln!(
            "phase: m = {m} done ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    write(&dir.join(format!("phase_n{n}.csv")), &csv);
    // The counting bound of the linear method, m p >= n + m - 1, as a staircase between
    // cells: for each row the left edge of the first column that satisfies it.
    let mut curve = Vec::new();
    for (r, &m) in ms.iter().enumerate() {
        let c = ps
            .iter()
            .position(|&p| m * p + 1 >= n + m)
            .unwrap_or(ps.len()) as f64;
        curve.push((c, r as f64));
        curve.push((c, r as f64 + 1.0));
    }
    let col_labels: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
    let row_labels: Vec<String> = ms.iter().map(|m| m.to_string()).collect();
    let path = dir.join(format!("phase_n{n}.png"));
    let note = format!(
        "N = {n}, RHO = 0.5: SUCCESS RATE OVER {trials} TRIALS (BOTH ERRORS <= 1E-6). RED: M P = N + M - 1"
    );
    let t1 = "PGD";
    let t2 = "LINEAR";
    render(
        &path,
        &[
            Panel {
                title: t1,
                values: &rates[0],
                curve: Some(&curve),
            },
            Panel {
                title: t2,
                values: &rates[1],
                curve: Some(&curve),
            },
        ],
        &Axes {
            col_labels: &col_labels,
            row_labels: &row_labels,
            col_name: "P",
            row_name: "M",
            note: &note,
        },
    )
    .expect("render heat map");
    println!("wrote {}", path.display());
    // Summary: the smallest p with full success per m, both methods.
    for (r, &m) in ms.iter().enumerate() {
        let first = |k: usize| {
            ps.iter()
                .enumerate()
                .find(|&(c, _)| rates[k][r][c..].iter().all(|&v| v >= 1.0))
                .map_or("-".to_string(), |(_, p)| p.to_string())
        };
        let bound = (n + m - 1).div_ceil(m);
        println!(
            "phase n = {n}: m = {m:3}: all trials succeed from p = {} (PGD), {} (linear); counting bound p >= {bound}",
            first(0),
            first(1)
        );
    }
}

fn noise(dir: &Path, seeds: u64) {
    let (n, m, p, rho) = (128, 64, 32, 0.5);
    let levels = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
    let mut csv = String::from("method,noise,mean_err_x,mean_err_d\n");
    let mut logs: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
    for &level in &levels {
        for (k, (name, settings)) in [("pgd", pgd()), ("linear", linear())].iter().enumerate() {
            let (mut sx, mut sd) = (0.0, 0.0);
            for seed in 1..=seeds {
                let inst = instance(n, m, p, rho, level, 5000 + seed).unwrap();
                let op = DenseOperator::from_instance(&inst).unwrap();
                let out = run(&op, &inst.y, rho, settings);
                let (ex, ed) = errors(&out, &inst.x, &inst.d);
                sx += ex;
                sd += ed;
            }
            let (ex, ed) = (sx / seeds as f64, sd / seeds as f64);
            writeln!(csv, "{name},{level:e},{ex:.4e},{ed:.4e}").unwrap();
            logs[k].push((level.log10(), ex.max(ed).log10()));
            println!("noise {level:.0e}: {name:6} mean err_x {ex:.3e}, err_d {ed:.3e}");
        }
    }
    write(&dir.join("noise.csv"), &csv);
    for (k, name) in ["pgd", "linear"].iter().enumerate() {
        let pts = &logs[k];
        let np = pts.len() as f64;
        let mx = pts.iter().map(|v| v.0).sum::<f64>() / np;
        let my = pts.iter().map(|v| v.1).sum::<f64>() / np;
        let sxy: f64 = pts.iter().map(|v| (v.0 - mx) * (v.1 - my)).sum();
        let sxx: f64 = pts.iter().map(|v| (v.0 - mx).powi(2)).sum();
        println!(
            "noise sweep {name}: log-log slope of max(err_x, err_d) against noise = {:.3}",
            sxy / sxx
        );
    }
}

/// Gains as the generator draws them (mean 1, within rho), for operators it cannot build.
fn gains(m: usize, rho: f64, seed: u64) -> Vec<f64> {
    instance(1, m, 1, rho, 0.0, seed).unwrap().d
}

/// The status with its reason (`converged (residual_tolerance)`).
fn status(out: &Output) -> String {
    match out.reason {
        Some(r) => format!("{} ({r})", out.status),
        None => out.status.to_string(),
    }
}

fn report(label: &str, out: &Output, x: &[f64], d: &[f64]) -> f64 {
    let (ex, ed) = errors(out, x, d);
    let t = out.time.as_secs_f64();
    println!(
        "{label}: {}, {} iterations, {} operator applications, {t:.3} s, err_x {ex:.2e}, err_d {ed:.2e}",
        status(out),
        out.iterations,
        out.operator_applications
    );
    t
}

fn speed(dir: &Path, n: usize, p: usize, fast_n: usize, fast_p: usize) {
    let (m, rho) = (n, 0.5);
    let t0 = Instant::now();
    let inst: CalibrationInstance = instance(n, m, p, rho, 0.0, 2024).unwrap();
    let op = DenseOperator::from_instance(&inst).unwrap();
    println!(
        "speed: dense n = m = {n}, p = {p} generated in {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    let mut csv = String::from("case,status,iterations,applications,seconds,err_x,err_d\n");
    let mut row = |case: &str, out: &Output, x: &[f64], d: &[f64]| {
        let (ex, ed) = errors(out, x, d);
        writeln!(
            csv,
            "{case},{},{},{},{:.6},{ex:.3e},{ed:.3e}",
            status(out),
            out.iterations,
            out.operator_applications,
            out.time.as_secs_f64()
        )
        .unwrap();
    };
    let a = run(&op, &inst.y, rho, &pgd());
    let ta = report("  PGD (line search)", &a, &inst.x, &inst.d);
    row("dense_pgd", &a, &inst.x, &inst.d);
    let b = run(&op, &inst.y, rho, &linear());
    let tb = report("  linear baseline", &b, &inst.x, &inst.d);
    row("dense_linear", &b, &inst.x, &inst.d);
    // Tolerances aimed at errors of about 1e-8 rather than the defaults' 1e-12.
    let loose = pgd().tol_residual(1e-9).tol_step(1e-10);
    let e = run(&op, &inst.y, rho, &loose);
    let te = report(
        "  PGD (line search, tolerances for 1e-8)",
        &e,
        &inst.x,
        &inst.d,
    );
    row("dense_pgd_1e-8", &e, &inst.x, &inst.d);
    let fixed = pgd().fixed_step(0.5).budget(Budget::iterations(20_000));
    let c = run(&op, &inst.y, rho, &fixed);
    let tc = report("  PGD (fixed steps, mu = 0.5)", &c, &inst.x, &inst.d);
    row("dense_pgd_fixed", &c, &inst.x, &inst.d);
    println!(
        "  time ratio linear / PGD = {:.2} (default tolerances), {:.2} (tolerances for 1e-8), \
         {:.2} (fixed steps)",
        tb / ta,
        tb / te,
        tb / tc
    );
    drop(op);
    drop(inst);

    // The same sizes with the fast operator.
    let fast = HadamardOperator::random(n, m, p, 7).unwrap();
    let x = gaussian_vec(&mut rng(8), n);
    let d = gains(m, rho, 9);
    let y = measure(&fast, &x, &d);
    let f = run(&fast, &y, rho, &pgd());
    let tf = report(
        &format!("  fast operator n = m = {n}, p = {p}: PGD"),
        &f,
        &x,
        &d,
    );
    row("fast_pgd", &f, &x, &d);
    println!("  time ratio dense PGD / fast PGD = {:.2}", ta / tf);

    if fast_n > 0 {
        let fast = HadamardOperator::random(fast_n, fast_n, fast_p, 10).unwrap();
        let x = gaussian_vec(&mut rng(11), fast_n);
        let d = gains(fast_n, rho, 12);
        let y = measure(&fast, &x, &d);
        let g = run(&fast, &y, rho, &pgd());
        report(
            &format!("  fast operator n = m = {fast_n}, p = {fast_p}: PGD"),
            &g,
            &x,
            &d,
        );
        row("fast_pgd_large", &g, &x, &d);
    }
    write(&dir.join("speed.csv"), &csv);
}

fn main() {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out).unwrap_or_else(|e| panic!("{}: {e}", args.out.display()));
    match args.experiment {
        Experiment::Recovery { seeds } => recovery(&args.out, seeds),
        Experiment::Phase { n, trials } => phase(&args.out, n, trials),
        Experiment::Noise { seeds } => noise(&args.out, seeds),
        Experiment::Speed {
            n,
            p,
            fast_n,
            fast_p,
        } => speed(&args.out, n, p, fast_n, fast_p),
    }
}
