//! The alternating-minimization driver (spec A.2): initialization, sweeps of parallel
//! column and row regressions, stopping tests and the honest status.

use std::sync::Mutex;
use std::time::Instant;

use opal_problems::triplets::Triplets;
use rayon::prelude::*;

use super::data::{self, Entry, Observations};
use super::dense::{cholesky, dot, gram_lower, orthonormalize_rows_major, times_rt};
use super::init::{SparseOp, clip_rows, randomized_svd};
use super::regression::{self, LsqProblem, RegressionOptions, RegressionWorkspace};
use super::rng::SplitMix;
use super::settings::{Mode, RegressionSolver, Settings};
use super::{CompletionError, Status};

/// One line of the sweep log, passed to the observer.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepLog {
    /// Sweep number (1-based).
    pub sweep: usize,
    /// RMSE on the training entries.
    pub train_rmse: f64,
    /// ||P(X - M)|| / ||P(M)|| on the training entries.
    pub relative_residual: f64,
    /// Objective: residual sum of squares plus the ridge terms.
    pub objective: f64,
    /// RMSE on the held-out entries, when there are any.
    pub validation_rmse: Option<f64>,
    /// Accuracy requested from the regressions in this sweep.
    pub inner_tol: f64,
    /// Iterations of the regression solvers in this sweep (all rows and columns).
    pub inner_iterations: usize,
    /// Regressions that stopped short of `inner_tol` (iteration cap).
    pub inner_unconverged: usize,
    /// Seconds since the start of the solve.
    pub time: f64,
}

/// The completion X = mu + b 1^T + 1 c^T + U V^T (biases zero when not fitted) and how the
/// solve went.
#[derive(Debug, Clone)]
pub struct Completion {
    /// Why the solve stopped; only [`Status::Converged`] claims recovery.
    pub status: Status,
    /// Rows m.
    pub nrows: usize,
    /// Columns n.
    pub ncols: usize,
    /// Rank k.
    pub rank: usize,
    /// Why the status is not a recovery, when it is not (information limit, singular
    /// regressions at the fit, held-out residual).
    pub note: Option<String>,
    /// U, m x k column-major.
    pub u: Vec<f64>,
    /// V, n x k column-major.
    pub v: Vec<f64>,
    /// Global mean mu (0 without biases).
    pub mean: f64,
    /// Row biases b (zeros without biases).
    pub row_bias: Vec<f64>,
    /// Column biases c (zeros without biases).
    pub col_bias: Vec<f64>,
    /// Sweeps run.
    pub iterations: usize,
    /// RMSE on the training entries at the returned factors.
    pub train_rmse: f64,
    /// Relative residual on the training entries at the returned factors.
    pub relative_residual: f64,
    /// RMSE on the held-out entries, when any were held out.
    pub validation_rmse: Option<f64>,
    /// Relative residual on the held-out entries, when any were held out.
    pub validation_relative_residual: Option<f64>,
    /// Training entries used.
    pub observed: usize,
    /// Held-out entries.
    pub held_out: usize,
    /// Input entries merged into others as duplicates.
    pub duplicates_merged: usize,
    /// Degrees of freedom of the model: k (m + n - k), plus m + n - 1 with biases.
    pub degrees_of_freedom: usize,
    /// Rows of the initial U clipped for incoherence.
    pub clipped_rows: usize,
    /// Total regression-solver iterations.
    pub inner_iterations: usize,
    /// Seconds spent in the initialization.
    pub init_time: f64,
    /// Total seconds.
    pub time: f64,
    /// One entry per sweep.
    pub history: Vec<SweepLog>,
}

impl Completion {
    /// The completed entry X_ij.
    pub fn predict(&self, i: usize, j: usize) -> f64 {
        let (m, n) = (self.nrows, self.ncols);
        self.mean
            + self.row_bias[i]
            + self.col_bias[j]
            + (0..self.rank)
                .map(|c| self.u[i + c * m] * self.v[j + c * n])
                .sum::<f64>()
    }

    /// Factors (U', V') with U' V'^T = X exactly, biases folded in as two extra columns
    /// ([U, b, 1] and [V, 1, c + mu]) when fitted, else (U, V); column-major, and the
    /// number of columns.
    pub fn factors(&self) -> (Vec<f64>, Vec<f64>, usize) {
        let with_bias = self.mean != 0.0
            || self.row_bias.iter().any(|&b| b != 0.0)
            || self.col_bias.iter().any(|&c| c != 0.0);
        if !with_bias {
            return (self.u.clone(), self.v.clone(), self.rank);
        }
        let mut u = self.u.clone();
        u.extend_from_slice(&self.row_bias);
        u.extend(std::iter::repeat_n(1.0, self.nrows));
        let mut v = self.v.clone();
        v.extend(std::iter::repeat_n(1.0, self.ncols));
        v.extend(self.col_bias.iter().map(|c| c + self.mean));
        (u, v, self.rank + 2)
    }
}

/// Completes the matrix observed in `data` (see [`Settings`]).
pub fn complete(data: &Triplets, settings: &Settings) -> Result<Completion, CompletionError> {
    complete_with_observer(data, settings, |_| true)
}

/// As [`complete`], calling `observer` after every sweep; returning false stops the solve
/// with [`Status::Interrupted`].
pub fn complete_with_observer(
    data: &Triplets,
    settings: &Settings,
    mut observer: impl FnMut(&SweepLog) -> bool,
) -> Result<Completion, CompletionError> {
    let start = Instant::now();
    settings.validate()?;
    let (m, n, k) = (data.nrows, data.ncols, settings.rank);
    let (entries, merged) = data::prepare(data, settings.duplicates)?;
    if k > m.min(n) {
        return Err(CompletionError::Setting {
            name: "rank",
            message: format!("rank {k} exceeds min(m, n) of the {m} x {n} matrix"),
        });
    }
    let (train_entries, held) =
        data::split_holdout(entries, settings.validation_fraction, settings.seed);
    if train_entries.is_empty() {
        return Err(CompletionError::Data(
            "no training entries left after the validation split".into(),
        ));
    }
    let train = Observations::new(m, n, &train_entries);
    let biases = settings.biases;
    let kk = k + usize::from(biases); // unknowns per regression
    let dof = k * (m + n - k) + if biases { m + n - 1 } else { 0 };
    let (min_row, min_col) = train.min_lens();
    // Identifiability (exact-recovery setting, lambda = 0): fewer observations than
    // degrees of freedom, or a row / column with fewer entries than unknowns, leaves a
    // family of exact fits; no fit can then be called a recovery.
    let underdetermined =
        settings.lambda == 0.0 && (train.len() < dof || min_row < kk || min_col < kk);
    let mean = if biases {
        train.col_val.iter().sum::<f64>() / train.len() as f64
    } else {
        0.0
    };
    let norm_m = train.sum_sq().sqrt().max(f64::MIN_POSITIVE);

    // Theory mode: disjoint parts for the initialization and every half-sweep.
    let parts: Vec<Observations> = match settings.mode {
        Mode::Practical => Vec::new(),
        Mode::Theory => data::split_parts(&train_entries, 2 * settings.max_iter + 1, settings.seed)
            .iter()
            .map(|p| Observations::new(m, n, p))
            .collect(),
    };
    drop(train_entries);
    let init_obs = parts.first().unwrap_or(&train);

    // ---- initialization ----
    let mut row_bias = vec![0.0; m];
    let mut col_bias = vec![0.0; n];
    if biases {
        init_biases(
            init_obs,
            mean,
            settings.lambda,
            settings.weighted_lambda,
            &mut row_bias,
            &mut col_bias,
        );
    }
    let (row_adj, col_adj) = adjusted_values(init_obs, mean, &row_bias, &col_bias, biases);
    let p = init_obs.len() as f64 / (m as f64 * n as f64);
    let op = SparseOp {
        obs: init_obs,
        row_val: &row_adj,
        col_val: &col_adj,
        scale: 1.0 / p,
    };
    let svd = randomized_svd(
        &op,
        k,
        settings.oversampling,
        settings.power_iters,
        settings.seed,
    );
    drop((row_adj, col_adj));
    let mut u = svd.u;
    let mut v = svd.v;
    let threshold = 2.0 * settings.incoherence * (k as f64 / m as f64).sqrt();
    let clipped_rows = clip_rows(&mut u, k, threshold);
    let orthonormal = settings.lambda == 0.0;
    let weighted = settings.weighted_lambda;
    if orthonormal {
        // U R = clipped U; warm start V = V_svd diag(sigma) R^T keeps U V^T
        let r = orthonormalize_rows_major(&mut u, m, k);
        for row in v.chunks_exact_mut(k) {
            for (c, x) in row.iter_mut().enumerate() {
                *x *= svd.sigma[c];
            }
        }
        times_rt(&mut v, k, &r);
    } else {
        // ridge: balanced factors U diag(sqrt(sigma)), V diag(sqrt(sigma))
        for (f, len) in [(&mut u, m), (&mut v, n)] {
            for row in f.chunks_exact_mut(k).take(len) {
                for (c, x) in row.iter_mut().enumerate() {
                    *x *= svd.sigma[c].sqrt();
                }
            }
        }
    }
    let init_time = start.elapsed().as_secs_f64();

    // ---- workspaces, sized once ----
    let max_rows = std::iter::once(&train)
        .chain(parts.iter())
        .map(|o| o.max_row_len().max(o.max_col_len()))
        .max()
        .unwrap_or(0);
    let base_opts = RegressionOptions {
        tol: settings.inner_tol_max,
        max_iter: settings.inner_max_iter,
        sketch_factor: settings.sketch_factor,
        sketch_nnz: settings.sketch_nnz,
    };
    let threads = rayon::current_num_threads().max(1);
    let pool: Vec<Mutex<Worker>> = (0..threads + 1)
        .map(|_| Mutex::new(Worker::new(max_rows, kk, &base_opts)))
        .collect();
    let mut col_rss = vec![0.0; n];
    let mut row_rss = vec![0.0; m];
    let mut col_its = vec![0u32; n];
    let mut row_its = vec![0u32; m];
    let mut col_unconv = vec![0u32; n];
    let mut row_unconv = vec![0u32; m];
    let held_norm = held.iter().map(|e| e.value * e.value).sum::<f64>().sqrt();
    let mut held_sq = vec![0.0; held.len()];
    let early = settings.early_stopping && !held.is_empty();
    let mut best_u = if early { u.clone() } else { Vec::new() };
    let mut best_v = if early { v.clone() } else { Vec::new() };
    let mut best_b = if early { row_bias.clone() } else { Vec::new() };
    let mut best_c = if early { col_bias.clone() } else { Vec::new() };
    let mut best_val = f64::INFINITY;
    let mut best_sweep = 0usize;
    let mut best_obj = f64::INFINITY;
    let mut since_obj = 0usize;

    let mut history: Vec<SweepLog> = Vec::new();
    let mut prev_rel = 1.0f64;
    let mut status = Status::MaxIterations;
    let mut inner_total = 0usize;
    let mut sweep = 0usize;
    let mut rel = f64::INFINITY;
    let mut rss = f64::INFINITY;
    let out_of_time = |t: &Instant| {
        settings
            .time_limit
            .is_some_and(|l| t.elapsed().as_secs_f64() >= l)
    };
    let ctx = Context {
        k,
        biases,
        mean,
        lambda: settings.lambda,
        weighted,
        solver: settings.solver,
        seed: settings.seed,
        pool: &pool,
    };
    while sweep < settings.max_iter {
        if out_of_time(&start) {
            status = Status::TimeLimit;
            break;
        }
        sweep += 1;
        let inner_tol = (settings.inner_factor * prev_rel)
            .clamp(settings.inner_tol_min, settings.inner_tol_max);
        let opts = RegressionOptions {
            tol: inner_tol,
            ..base_opts
        };
        let (v_obs, u_obs) = match settings.mode {
            Mode::Practical => (&train, &train),
            Mode::Theory => (&parts[2 * sweep - 1], &parts[2 * sweep]),
        };
        // U has orthonormal columns here (lambda = 0): re-normalize the un-normalized U
        // left by the previous sweep and carry its R into V (U V^T unchanged).
        if orthonormal && sweep > 1 {
            let r = orthonormalize_rows_major(&mut u, m, k);
            times_rt(&mut v, k, &r);
        }
        // V step: one regression per column on the rows of U it observes.
        let side_v = Side {
            ptr: &v_obs.col_ptr,
            idx: &v_obs.col_row,
            val: &v_obs.col_val,
        };
        ctx.half_sweep(
            &side_v,
            &u,
            &row_bias,
            &mut v,
            &mut col_bias,
            &mut col_rss,
            &mut col_its,
            &mut col_unconv,
            &opts,
            2 * sweep as u64,
        );
        if orthonormal {
            let r = orthonormalize_rows_major(&mut v, n, k);
            times_rt(&mut u, k, &r);
        }
        if out_of_time(&start) {
            status = Status::TimeLimit;
            // the V step is complete: the factors are consistent
        }
        // U step
        let side_u = Side {
            ptr: &u_obs.row_ptr,
            idx: &u_obs.row_col,
            val: &u_obs.row_val,
        };
        if status != Status::TimeLimit {
            ctx.half_sweep(
                &side_u,
                &v,
                &col_bias,
                &mut u,
                &mut row_bias,
                &mut row_rss,
                &mut row_its,
                &mut row_unconv,
                &opts,
                2 * sweep as u64 + 1,
            );
        }
        let its: usize = col_its.iter().chain(&row_its).map(|&x| x as usize).sum();
        let unconv: usize = col_unconv
            .iter()
            .chain(&row_unconv)
            .map(|&x| x as usize)
            .sum();
        inner_total += its;
        rss = match settings.mode {
            Mode::Practical if status != Status::TimeLimit => row_rss.iter().sum(),
            _ => full_rss(
                &train,
                &u,
                &v,
                &row_bias,
                &col_bias,
                mean,
                k,
                biases,
                &mut row_rss,
            ),
        };
        rel = rss.sqrt() / norm_m;
        let objective = rss
            + settings.lambda
                * (penalty(&u, &row_bias, k, biases, weighted.then_some(&train.row_ptr))
                    + penalty(&v, &col_bias, k, biases, weighted.then_some(&train.col_ptr)));
        let val_rmse = (!held.is_empty()).then(|| {
            (heldout_rss(
                &held,
                &u,
                &v,
                &row_bias,
                &col_bias,
                mean,
                k,
                biases,
                &mut held_sq,
            ) / held.len() as f64)
                .sqrt()
        });
        let log = SweepLog {
            sweep,
            train_rmse: (rss / train.len() as f64).sqrt(),
            relative_residual: rel,
            objective,
            validation_rmse: val_rmse,
            inner_tol,
            inner_iterations: its,
            inner_unconverged: unconv,
            time: start.elapsed().as_secs_f64(),
        };
        if settings.verbose {
            eprintln!(
                "complete: sweep {:>4}  train rmse {:.6e}  rel res {:.3e}  {}inner its {:>8} (tol {:.1e}, {} short)  {:.2}s",
                sweep,
                log.train_rmse,
                rel,
                val_rmse.map_or(String::new(), |v| format!("val rmse {v:.6e}  ")),
                its,
                inner_tol,
                unconv,
                log.time
            );
        }
        let keep_going = observer(&log);
        history.push(log);
        if !rss.is_finite() {
            status = Status::Diverged;
            break;
        }
        if status == Status::TimeLimit {
            break;
        }
        prev_rel = rel;
        if rel <= settings.tol {
            status = Status::Converged;
            break;
        }
        if let Some(vr) = val_rmse {
            if vr < best_val {
                best_val = vr;
                best_sweep = sweep;
                if early {
                    best_u.copy_from_slice(&u);
                    best_v.copy_from_slice(&v);
                    best_b.copy_from_slice(&row_bias);
                    best_c.copy_from_slice(&col_bias);
                }
            } else if early && sweep - best_sweep >= settings.patience {
                status = Status::EarlyStopped;
                break;
            }
        }
        if objective < best_obj * (1.0 - settings.stall_tol) {
            best_obj = objective;
            since_obj = 0;
        } else {
            since_obj += 1;
            if since_obj >= settings.patience {
                status = Status::Stagnated;
                break;
            }
        }
        if !keep_going {
            status = Status::Interrupted;
            break;
        }
    }
    if early && best_sweep > 0 && best_sweep < sweep && status != Status::Converged {
        // return the iterate with the best validation error
        u.copy_from_slice(&best_u);
        v.copy_from_slice(&best_v);
        row_bias.copy_from_slice(&best_b);
        col_bias.copy_from_slice(&best_c);
        rss = full_rss(
            &train,
            &u,
            &v,
            &row_bias,
            &col_bias,
            mean,
            k,
            biases,
            &mut row_rss,
        );
        rel = rss.sqrt() / norm_m;
    }
    let (validation_rmse, validation_rel) = if held.is_empty() {
        (None, None)
    } else {
        let hr = heldout_rss(
            &held,
            &u,
            &v,
            &row_bias,
            &col_bias,
            mean,
            k,
            biases,
            &mut held_sq,
        );
        (
            Some((hr / held.len() as f64).sqrt()),
            Some(hr.sqrt() / held_norm.max(f64::MIN_POSITIVE)),
        )
    };
    let mut note = None;
    if status == Status::Converged && settings.lambda == 0.0 && !underdetermined {
        // Local identifiability at the fit: every column regression given U and every row
        // regression given V must be nonsingular, or some entries are not determined.
        let side_v = Side {
            ptr: &train.col_ptr,
            idx: &train.col_row,
            val: &train.col_val,
        };
        let side_u = Side {
            ptr: &train.row_ptr,
            idx: &train.row_col,
            val: &train.row_val,
        };
        let (nc, first_c) = ctx.ill_posed(&side_v, &u, n);
        let (nr, first_r) = ctx.ill_posed(&side_u, &v, m);
        if nc + nr > 0 {
            status = Status::NotRecovered;
            note = Some(format!(
                "the fit is not locally unique: {nc} column and {nr} row regressions are \
                 singular at the solution (first: {})",
                first_c.map_or_else(
                    || format!("row {}", first_r.unwrap_or(0)),
                    |c| format!("column {c}")
                )
            ));
        }
    }
    if status == Status::Converged
        && let Some(r) = validation_rel.filter(|r| r.is_nan() || *r > settings.recovery_tol)
    {
        status = Status::NotRecovered;
        note = Some(format!(
            "the training entries are fit to {rel:.1e} but the held-out entries only to \
             {r:.1e} (> recovery_tol {:.1e})",
            settings.recovery_tol
        ));
    }
    if underdetermined {
        status = Status::Underdetermined;
        note = Some(if train.len() < dof {
            format!(
                "{} observed entries < {dof} degrees of freedom of a rank-{k} model",
                train.len()
            )
        } else {
            format!(
                "a row or column has fewer observed entries ({}) than unknowns ({kk})",
                min_row.min(min_col)
            )
        });
    }
    Ok(Completion {
        status,
        nrows: m,
        ncols: n,
        rank: k,
        u: to_col_major(&u, m, k),
        v: to_col_major(&v, n, k),
        mean,
        row_bias,
        col_bias,
        note,
        iterations: sweep,
        train_rmse: (rss / train.len() as f64).sqrt(),
        relative_residual: rel,
        validation_rmse,
        validation_relative_residual: validation_rel,
        observed: train.len(),
        held_out: held.len(),
        duplicates_merged: merged,
        degrees_of_freedom: dof,
        clipped_rows,
        inner_iterations: inner_total,
        init_time,
        time: start.elapsed().as_secs_f64(),
        history,
    })
}

fn to_col_major(a: &[f64], rows: usize, k: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows * k];
    for i in 0..rows {
        for c in 0..k {
            out[i + c * rows] = a[i * k + c];
        }
    }
    out
}

/// Per-thread scratch: gathered A and b, the unknowns, and the solver workspace.
struct Worker {
    a: Vec<f64>,
    b: Vec<f64>,
    x: Vec<f64>,
    g: Vec<f64>,
    ws: RegressionWorkspace,
}

impl Worker {
    fn new(max_rows: usize, kk: usize, opts: &RegressionOptions) -> Self {
        Worker {
            a: vec![0.0; max_rows * kk],
            b: vec![0.0; max_rows],
            x: vec![0.0; kk],
            g: vec![0.0; kk * kk],
            ws: RegressionWorkspace::new(max_rows, kk, opts),
        }
    }
}

/// One side of the observation index: entries of target t are `ptr[t]..ptr[t+1]`.
struct Side<'a> {
    ptr: &'a [usize],
    idx: &'a [u32],
    val: &'a [f64],
}

struct Context<'a> {
    k: usize,
    biases: bool,
    mean: f64,
    lambda: f64,
    weighted: bool,
    solver: RegressionSolver,
    seed: u64,
    pool: &'a [Mutex<Worker>],
}

/// Targets per parallel task.
const CHUNK: usize = 16;

impl Context<'_> {
    /// Solves every target's regression given the fixed factor, in parallel. Writes the
    /// new factor rows and biases, and per target the rss, iterations and whether the
    /// iteration cap was hit.
    fn half_sweep(
        &self,
        side: &Side,
        fixed: &[f64],
        fixed_bias: &[f64],
        target: &mut [f64],
        target_bias: &mut [f64],
        rss: &mut [f64],
        its: &mut [u32],
        unconv: &mut [u32],
        opts: &RegressionOptions,
        stream: u64,
    ) {
        let k = self.k;
        let kk = k + usize::from(self.biases);
        target
            .par_chunks_mut(CHUNK * k)
            .zip(target_bias.par_chunks_mut(CHUNK))
            .zip(rss.par_chunks_mut(CHUNK))
            .zip(its.par_chunks_mut(CHUNK).zip(unconv.par_chunks_mut(CHUNK)))
            .enumerate()
            .for_each(|(chunk, (((tf, tb), tr), (ti, tu)))| {
                let slot = rayon::current_thread_index().map_or(0, |i| i + 1) % self.pool.len();
                let mut guard = match self.pool[slot].lock() {
                    Ok(g) => g,
                    Err(poisoned) => poisoned.into_inner(),
                };
                let w = &mut *guard;
                for (c, xt) in tf.chunks_exact_mut(k).enumerate() {
                    let t = chunk * CHUNK + c;
                    let range = side.ptr[t]..side.ptr[t + 1];
                    let rows = range.len();
                    for (q, p) in range.enumerate() {
                        let i = side.idx[p] as usize;
                        let arow = &mut w.a[q * kk..(q + 1) * kk];
                        arow[..k].copy_from_slice(&fixed[i * k..(i + 1) * k]);
                        let mut bval = side.val[p];
                        if self.biases {
                            arow[k] = 1.0;
                            bval -= self.mean + fixed_bias[i];
                        }
                        w.b[q] = bval;
                    }
                    w.x[..k].copy_from_slice(xt);
                    if self.biases {
                        w.x[k] = tb[c];
                    }
                    let problem = LsqProblem {
                        a: &w.a[..rows * kk],
                        b: &w.b[..rows],
                        rows,
                        k: kk,
                        lambda: if self.weighted {
                            self.lambda * rows as f64
                        } else {
                            self.lambda
                        },
                    };
                    let seed = SplitMix::for_item(self.seed, stream, t as u64).next_u64();
                    let st =
                        regression::solve(self.solver, &problem, &mut w.x, opts, &mut w.ws, seed);
                    xt.copy_from_slice(&w.x[..k]);
                    if self.biases {
                        tb[c] = w.x[k];
                    }
                    tr[c] = st.rss;
                    ti[c] = st.iterations as u32;
                    tu[c] = u32::from(!st.converged);
                }
            });
    }
}

impl Context<'_> {
    /// Targets whose regression is singular given the fixed factor: a Cholesky pivot of the
    /// Gram matrix below 1e-12 of its mean diagonal (every pivot bounds the smallest
    /// eigenvalue from above). Their factor rows are not determined by the data. Returns
    /// how many there are and the first one.
    fn ill_posed(&self, side: &Side, fixed: &[f64], targets: usize) -> (usize, Option<usize>) {
        let k = self.k;
        let kk = k + usize::from(self.biases);
        let flags: Vec<bool> = (0..targets)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|t| {
                let slot = rayon::current_thread_index().map_or(0, |i| i + 1) % self.pool.len();
                let mut guard = match self.pool[slot].lock() {
                    Ok(g) => g,
                    Err(poisoned) => poisoned.into_inner(),
                };
                let w = &mut *guard;
                let range = side.ptr[t]..side.ptr[t + 1];
                let rows = range.len();
                for (q, p) in range.enumerate() {
                    let i = side.idx[p] as usize;
                    let arow = &mut w.a[q * kk..(q + 1) * kk];
                    arow[..k].copy_from_slice(&fixed[i * k..(i + 1) * k]);
                    if self.biases {
                        arow[k] = 1.0;
                    }
                }
                gram_lower(&w.a[..rows * kk], rows, kk, &mut w.g);
                let trace: f64 = (0..kk).map(|d| w.g[d * kk + d]).sum();
                if !cholesky(&mut w.g, kk) {
                    return true;
                }
                let floor = 1e-12 * trace / kk as f64;
                (0..kk).any(|d| w.g[d * kk + d].powi(2) <= floor)
            })
            .collect();
        let count = flags.iter().filter(|&&f| f).count();
        (count, flags.iter().position(|&f| f))
    }
}

/// Alternating ridge means for the biases: b_i = sum_j (M_ij - mu - c_j) / (lambda_i + n_i)
/// and likewise c_j (three rounds), lambda_i = lambda (or lambda n_i when weighted).
fn init_biases(
    obs: &Observations,
    mean: f64,
    lambda: f64,
    weighted: bool,
    rb: &mut [f64],
    cb: &mut [f64],
) {
    let reg = |n: usize| {
        let l = if weighted { lambda * n as f64 } else { lambda };
        l.max(1e-12) + n as f64
    };
    for _ in 0..3 {
        for j in 0..obs.ncols {
            let (rows, vals) = obs.col(j);
            let s: f64 = rows
                .iter()
                .zip(vals)
                .map(|(&i, &v)| v - mean - rb[i as usize])
                .sum();
            cb[j] = s / reg(rows.len());
        }
        for i in 0..obs.nrows {
            let (cols, vals) = obs.row(i);
            let s: f64 = cols
                .iter()
                .zip(vals)
                .map(|(&j, &v)| v - mean - cb[j as usize])
                .sum();
            rb[i] = s / reg(cols.len());
        }
    }
}

/// Ridge penalty of one factor: sum over rows of w_i (||f_i||^2 + bias_i^2), w_i = 1 or the
/// row's entry count (from `ptr`) when weighted.
fn penalty(f: &[f64], bias: &[f64], k: usize, biases: bool, ptr: Option<&Vec<usize>>) -> f64 {
    f.chunks_exact(k)
        .enumerate()
        .map(|(i, row)| {
            let w = ptr.map_or(1.0, |p| (p[i + 1] - p[i]) as f64);
            w * (dot(row, row) + if biases { bias[i] * bias[i] } else { 0.0 })
        })
        .sum()
}

/// Values minus mu + b_i + c_j, in CSR and CSC order.
fn adjusted_values(
    obs: &Observations,
    mean: f64,
    rb: &[f64],
    cb: &[f64],
    biases: bool,
) -> (Vec<f64>, Vec<f64>) {
    if !biases {
        return (obs.row_val.clone(), obs.col_val.clone());
    }
    let mut row_adj = obs.row_val.clone();
    for i in 0..obs.nrows {
        for p in obs.row_ptr[i]..obs.row_ptr[i + 1] {
            row_adj[p] -= mean + rb[i] + cb[obs.row_col[p] as usize];
        }
    }
    let mut col_adj = obs.col_val.clone();
    for j in 0..obs.ncols {
        for p in obs.col_ptr[j]..obs.col_ptr[j + 1] {
            col_adj[p] -= mean + cb[j] + rb[obs.col_row[p] as usize];
        }
    }
    (row_adj, col_adj)
}

/// Residual sum of squares over all entries of `obs` (per-row partial sums in `scratch`,
/// added in a fixed order so the result does not depend on the thread count).
fn full_rss(
    obs: &Observations,
    u: &[f64],
    v: &[f64],
    rb: &[f64],
    cb: &[f64],
    mean: f64,
    k: usize,
    biases: bool,
    scratch: &mut [f64],
) -> f64 {
    scratch.par_iter_mut().enumerate().for_each(|(i, s)| {
        let ui = &u[i * k..(i + 1) * k];
        let mut acc = 0.0;
        for p in obs.row_ptr[i]..obs.row_ptr[i + 1] {
            let j = obs.row_col[p] as usize;
            let mut pred = dot(ui, &v[j * k..(j + 1) * k]);
            if biases {
                pred += mean + rb[i] + cb[j];
            }
            let r = obs.row_val[p] - pred;
            acc += r * r;
        }
        *s = acc;
    });
    scratch.iter().sum()
}

/// Residual sum of squares on the held-out entries.
fn heldout_rss(
    held: &[Entry],
    u: &[f64],
    v: &[f64],
    rb: &[f64],
    cb: &[f64],
    mean: f64,
    k: usize,
    biases: bool,
    scratch: &mut [f64],
) -> f64 {
    scratch.par_iter_mut().zip(held).for_each(|(s, e)| {
        let (i, j) = (e.row as usize, e.col as usize);
        let mut pred = dot(&u[i * k..(i + 1) * k], &v[j * k..(j + 1) * k]);
        if biases {
            pred += mean + rb[i] + cb[j];
        }
        let r = e.value - pred;
        *s = r * r;
    });
    scratch.iter().sum()
}
