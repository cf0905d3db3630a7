//! The alternating-minimization driver (spec A.2): the data set-up, the initialization,
//! sweeps of parallel column and row regressions under the run protocol
//! (`opal_core::Run`), the stopping tests and the honest status.

use opal_core::{LogObserver, NoObserver, Observer, Observers, Run, SettingError, Start, Status};
use opal_problems::triplets::Triplets;

use super::data::{self, Entry, Observations};
use super::dense::Orthonormalizer;
use super::init::initialize;
use super::model::{Factors, Model, to_col_major};
use super::output::{Completion, Reason, SweepLog};
use super::regression::RegressionOptions;
use super::settings::{Mode, Settings};
use super::sweep::{Context, Side, TargetStats};
use crate::error::CompletionError;

/// Completes the matrix observed in `data` (see [`Settings`]).
pub fn complete(data: &Triplets, settings: &Settings) -> Result<Completion, CompletionError> {
    complete_observed(data, settings, &mut NoObserver)
}

/// As [`complete`], telling `observer` about the run (start, every sweep, the outcome); an
/// observer that answers `Control::Stop` ends the solve with `Status::Interrupted` (after
/// the sweep's own stopping tests).
pub fn complete_observed(
    data: &Triplets,
    settings: &Settings,
    observer: &mut dyn Observer<SweepLog>,
) -> Result<Completion, CompletionError> {
    settings.validate()?;
    let setup = Setup::new(data, settings)?;
    if settings.verbose {
        let mut log = LogObserver::stderr();
        let mut both = Observers::new().with(&mut log).with(observer);
        Ok(solve(&setup, settings, &mut both))
    } else {
        Ok(solve(&setup, settings, observer))
    }
}

/// The observations as the sweeps use them, and what they allow to be claimed.
struct Setup {
    model: Model,
    train: Observations,
    /// Theory mode: disjoint parts for the initialization and every half-sweep.
    parts: Vec<Observations>,
    held: Vec<Entry>,
    merged: usize,
    dof: usize,
    /// Why no fit can be called a recovery (the information limit), when so.
    underdetermined: Option<String>,
    /// ||P(M)|| on the training entries.
    norm_m: f64,
}

impl Setup {
    fn new(data: &Triplets, settings: &Settings) -> Result<Self, CompletionError> {
        let (m, n, k) = (data.nrows, data.ncols, settings.rank);
        let (entries, merged) = data::prepare(data, settings.duplicates)?;
        if k > m.min(n) {
            return Err(SettingError {
                name: "rank",
                detail: format!("rank {k} exceeds min(m, n) of the {m} x {n} matrix"),
            }
            .into());
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
        let underdetermined = if settings.lambda != 0.0 {
            None
        } else if train.len() < dof {
            Some(format!(
                "{} observed entries < {dof} degrees of freedom of a rank-{k} model",
                train.len()
            ))
        } else if min_row < kk || min_col < kk {
            Some(format!(
                "a row or column has fewer observed entries ({}) than unknowns ({kk})",
                min_row.min(min_col)
            ))
        } else {
            None
        };
        let mean = if biases {
            train.col_val.iter().sum::<f64>() / train.len() as f64
        } else {
            0.0
        };
        let parts = match settings.mode {
            Mode::Practical => Vec::new(),
            Mode::Theory => theory_parts(&train_entries, m, n, settings)?,
        };
        Ok(Self {
            model: Model { k, biases, mean },
            norm_m: train.sum_sq().sqrt().max(f64::MIN_POSITIVE),
            train,
            parts,
            held,
            merged,
            dof,
            underdetermined,
        })
    }

    /// The entries the initialization sees.
    fn init_obs(&self) -> &Observations {
        self.parts.first().unwrap_or(&self.train)
    }

    /// Longest regression of the run (rows or columns of any part).
    fn max_rows(&self) -> usize {
        std::iter::once(&self.train)
            .chain(self.parts.iter())
            .map(|o| o.max_row_len().max(o.max_col_len()))
            .max()
            .unwrap_or(0)
    }
}

/// Theory mode's sample splitting: 2T + 1 disjoint parts (T the sweep limit).
fn theory_parts(
    entries: &[Entry],
    m: usize,
    n: usize,
    settings: &Settings,
) -> Result<Vec<Observations>, CompletionError> {
    let sweeps = settings.budget.max_iterations;
    let count = sweeps
        .checked_mul(2)
        .and_then(|c| c.checked_add(1))
        .filter(|&c| c <= entries.len())
        .ok_or_else(|| SettingError {
            name: "budget.max_iterations",
            detail: format!(
                "theory mode splits the {} training entries into 2 T + 1 parts, one per \
                 half-sweep: T = {sweeps} sweeps is more than they allow",
                entries.len()
            ),
        })?;
    Ok(data::split_parts(entries, count, settings.seed)
        .iter()
        .map(|p| Observations::new(m, n, p))
        .collect())
}

/// The state of the sweeps: workspaces sized once, the per-target outcomes, the best
/// iterates of the stopping tests and the log.
struct Sweeper<'s> {
    setup: &'s Setup,
    settings: &'s Settings,
    ctx: Context,
    base_opts: RegressionOptions,
    ortho: Orthonormalizer,
    cols: TargetStats,
    rows: TargetStats,
    held_sq: Vec<f64>,
    /// The iterate with the best held-out RMSE (early stopping only).
    best: Option<Factors>,
    best_val: f64,
    best_sweep: usize,
    best_obj: f64,
    since_obj: usize,
    prev_rel: f64,
    sweep: usize,
    rss: f64,
    rel: f64,
    inner_total: usize,
    history: Vec<SweepLog>,
}

impl<'s> Sweeper<'s> {
    fn new(setup: &'s Setup, settings: &'s Settings, start: &Factors) -> Self {
        let (m, n) = (setup.train.nrows, setup.train.ncols);
        let base_opts = RegressionOptions {
            tol: settings.inner_tol_max,
            max_iter: settings.inner_max_iter,
            sketch_factor: settings.sketch_factor,
            sketch_nnz: settings.sketch_nnz,
        };
        let early = settings.early_stopping && !setup.held.is_empty();
        Self {
            setup,
            settings,
            ctx: Context::new(
                setup.model,
                settings.lambda,
                settings.weighted_lambda,
                settings.solver,
                settings.seed,
                setup.max_rows(),
                &base_opts,
            ),
            base_opts,
            ortho: Orthonormalizer::new(m.max(n), setup.model.k),
            cols: TargetStats::new(n),
            rows: TargetStats::new(m),
            held_sq: vec![0.0; setup.held.len()],
            best: early.then(|| start.clone()),
            best_val: f64::INFINITY,
            best_sweep: 0,
            best_obj: f64::INFINITY,
            since_obj: 0,
            prev_rel: 1.0,
            sweep: 0,
            rss: f64::INFINITY,
            rel: f64::INFINITY,
            inner_total: 0,
            history: Vec::with_capacity(settings.budget.max_iterations.min(1024)),
        }
    }

    /// One sweep: the V step, then the U step unless a stop request or the deadline comes
    /// between them (the factors are consistent after either step). Returns the sweep's
    /// log line and the status that cut it short, if any.
    fn sweep(
        &mut self,
        f: &mut Factors,
        run: &Run<'_, '_, SweepLog>,
    ) -> (SweepLog, Option<Status>) {
        let (setup, s) = (self.setup, self.settings);
        let (model, train) = (&setup.model, &setup.train);
        let orthonormal = s.lambda == 0.0;
        self.sweep += 1;
        let sweep = self.sweep;
        let inner_tol = (s.inner_factor * self.prev_rel).clamp(s.inner_tol_min, s.inner_tol_max);
        let opts = RegressionOptions {
            tol: inner_tol,
            ..self.base_opts
        };
        let (v_obs, u_obs) = match s.mode {
            Mode::Practical => (train, train),
            Mode::Theory => (&setup.parts[2 * sweep - 1], &setup.parts[2 * sweep]),
        };
        // U has orthonormal columns here (lambda = 0): re-normalize the un-normalized U
        // left by the previous sweep and carry its R into V (U V^T unchanged).
        if orthonormal && sweep > 1 {
            self.ortho.orthonormalize(&mut f.u, train.nrows);
            self.ortho.carry(&mut f.v);
        }
        // V step: one regression per column on the rows of U it observes.
        let v_side = Side::columns(v_obs);
        let (fixed, target) = (&f.u, &mut f.v);
        let (fixed_bias, target_bias) = (&f.row_bias, &mut f.col_bias);
        self.ctx.half_sweep(
            &v_side,
            fixed,
            fixed_bias,
            target,
            target_bias,
            &mut self.cols,
            &opts,
            2 * sweep as u64,
            0,
        );
        if orthonormal {
            self.ortho.orthonormalize(&mut f.v, train.ncols);
            self.ortho.carry(&mut f.u);
        }
        let cut = run.should_stop();
        if cut.is_none() {
            // U step
            let u_side = Side::rows(u_obs);
            self.ctx.half_sweep(
                &u_side,
                &f.v,
                &f.col_bias,
                &mut f.u,
                &mut f.row_bias,
                &mut self.rows,
                &opts,
                2 * sweep as u64 + 1,
                0,
            );
        }
        let (cols, rows) = (&self.cols, &self.rows);
        let its: usize = cols.its.iter().chain(&rows.its).map(|&x| x as usize).sum();
        let unconv: usize = (cols.unconverged.iter().chain(&rows.unconverged))
            .map(|&x| x as usize)
            .sum();
        self.inner_total += its;
        self.rss = match s.mode {
            Mode::Practical if cut.is_none() => self.rows.rss.iter().sum(),
            _ => f.rss(model, train, &mut self.rows.rss),
        };
        self.rel = self.rss.sqrt() / setup.norm_m;
        let objective = self.rss + s.lambda * f.penalty(model, train, s.weighted_lambda);
        let held = &setup.held;
        let validation_rmse = (!held.is_empty())
            .then(|| (f.heldout_rss(model, held, &mut self.held_sq) / held.len() as f64).sqrt());
        let log = SweepLog {
            sweep,
            train_rmse: (self.rss / train.len() as f64).sqrt(),
            relative_residual: self.rel,
            objective,
            validation_rmse,
            inner_tol,
            inner_iterations: its,
            inner_unconverged: unconv,
            time: run.elapsed().as_secs_f64(),
        };
        (log, cut)
    }

    /// Sweeps until a stopping test or the budget ends the run: a non-finite residual, a
    /// sweep cut short, the tolerance, the held-out RMSE (early stopping), stagnation of
    /// the objective, then the observer and the budget, in that order.
    fn iterate(
        &mut self,
        f: &mut Factors,
        run: &mut Run<'_, '_, SweepLog>,
    ) -> (Status, Option<Reason>) {
        let s = self.settings;
        if let Some(status) = run.check(0) {
            return (status, None);
        }
        loop {
            let (log, cut) = self.sweep(f, run);
            let budget = run.iteration(self.sweep, &log);
            let (objective, validation) = (log.objective, log.validation_rmse);
            self.history.push(log);
            if !self.rss.is_finite() {
                return (Status::NumericalError, None);
            }
            if let Some(status) = cut {
                return (status, None);
            }
            self.prev_rel = self.rel;
            if self.rel <= s.tol {
                return (Status::Converged, None);
            }
            if let Some(vr) = validation {
                if vr < self.best_val {
                    self.best_val = vr;
                    self.best_sweep = self.sweep;
                    if let Some(best) = &mut self.best {
                        best.copy_from(f);
                    }
                } else if self.best.is_some() && self.sweep - self.best_sweep >= s.patience {
                    return (Status::Stalled, Some(Reason::EarlyStopped));
                }
            }
            if objective < self.best_obj * (1.0 - s.stall_tol) {
                self.best_obj = objective;
                self.since_obj = 0;
            } else {
                self.since_obj += 1;
                if self.since_obj >= s.patience {
                    return (Status::Stalled, Some(Reason::Stagnated));
                }
            }
            if let Some(status) = budget {
                return (status, None);
            }
        }
    }

    /// Early stopping returns the iterate with the best held-out RMSE (unless the run
    /// converged), with its training residual.
    fn restore_best(&mut self, f: &mut Factors, status: Status) {
        let Some(best) = &self.best else { return };
        if self.best_sweep > 0 && self.best_sweep < self.sweep && status != Status::Converged {
            f.copy_from(best);
            let setup = self.setup;
            self.rss = f.rss(&setup.model, &setup.train, &mut self.rows.rss);
            self.rel = self.rss.sqrt() / setup.norm_m;
        }
    }
}

/// Residual on the held-out entries: (RMSE, relative residual), when any were held out.
fn validation(setup: &Setup, f: &Factors) -> (Option<f64>, Option<f64>) {
    let held = &setup.held;
    if held.is_empty() {
        return (None, None);
    }
    let mut scratch = vec![0.0; held.len()];
    let hr = f.heldout_rss(&setup.model, held, &mut scratch);
    let held_norm = held.iter().map(|e| e.value * e.value).sum::<f64>().sqrt();
    (
        Some((hr / held.len() as f64).sqrt()),
        Some(hr.sqrt() / held_norm.max(f64::MIN_POSITIVE)),
    )
}

/// The final status, reason and message: a converged fit is checked for local uniqueness
/// (every regression at the fit nonsingular) and against the held-out entries; below the
/// information limit no fit is a recovery.
fn verdict(
    sweeper: &Sweeper<'_>,
    f: &Factors,
    (status, reason): (Status, Option<Reason>),
    validation_rel: Option<f64>,
) -> (Status, Option<Reason>, String) {
    let (setup, s) = (sweeper.setup, sweeper.settings);
    if let Some(why) = &setup.underdetermined {
        return (
            Status::Underdetermined,
            Some(Reason::TooFewEntries),
            why.clone(),
        );
    }
    let rel = sweeper.rel;
    if status == Status::Converged && s.lambda == 0.0 {
        let train = &setup.train;
        let (nc, first_c) = sweeper
            .ctx
            .ill_posed(&Side::columns(train), &f.u, train.ncols);
        let (nr, first_r) = sweeper.ctx.ill_posed(&Side::rows(train), &f.v, train.nrows);
        if nc + nr > 0 {
            let message = format!(
                "the fit is not locally unique: {nc} column and {nr} row regressions are \
                 singular at the solution (first: {})",
                first_c.map_or_else(
                    || format!("row {}", first_r.unwrap_or(0)),
                    |c| format!("column {c}")
                )
            );
            return (Status::Underdetermined, Some(Reason::NotRecovered), message);
        }
    }
    if status == Status::Converged
        && let Some(r) = validation_rel.filter(|r| r.is_nan() || *r > s.recovery_tol)
    {
        let message = format!(
            "the training entries are fit to {rel:.1e} but the held-out entries only to \
             {r:.1e} (> recovery_tol {:.1e})",
            s.recovery_tol
        );
        return (Status::Underdetermined, Some(Reason::NotRecovered), message);
    }
    let sweeps = sweeper.sweep;
    let message = match (status, reason) {
        (Status::Converged, _) => format!(
            "the relative residual on the observed entries reached {rel:.1e} <= tol {:.1e}",
            s.tol
        ),
        (_, Some(Reason::Stagnated)) => format!(
            "the objective did not drop by stall_tol {:.1e} within {} sweeps (relative \
             residual {rel:.1e}): a stationary fit, not a recovery",
            s.stall_tol, s.patience
        ),
        (_, Some(Reason::EarlyStopped)) => format!(
            "the held-out RMSE did not improve for {} sweeps: the fit of sweep {} is returned",
            s.patience, sweeper.best_sweep
        ),
        (Status::NumericalError, _) => {
            format!("the residual became {} at sweep {sweeps}", sweeper.rss)
        }
        (Status::IterationLimit, _) => format!("the sweep limit ({sweeps}) was reached"),
        (Status::TimeLimit, _) => format!("the time limit ran out after {sweeps} sweeps"),
        (other, _) => format!("{other} after {sweeps} sweeps"),
    };
    (status, reason, message)
}

/// The solve on prepared data, under the run protocol.
fn solve(setup: &Setup, settings: &Settings, observer: &mut dyn Observer<SweepLog>) -> Completion {
    let train = &setup.train;
    let (m, n, k) = (train.nrows, train.ncols, setup.model.k);
    let problem = format!("{m} x {n}, {} observed, rank {k}", train.len());
    let mut run = Run::start(
        &settings.budget,
        observer,
        Start {
            solver: "completion",
            problem: &problem,
        },
    );
    let mut ortho = Orthonormalizer::new(m, k);
    let (mut f, clipped_rows) = initialize(setup.init_obs(), &setup.model, settings, &mut ortho);
    drop(ortho);
    let init_time = run.elapsed().as_secs_f64();
    let mut sweeper = Sweeper::new(setup, settings, &f);
    let stopped = sweeper.iterate(&mut f, &mut run);
    sweeper.restore_best(&mut f, stopped.0);
    let (validation_rmse, validation_rel) = validation(setup, &f);
    let (status, reason, message) = verdict(&sweeper, &f, stopped, validation_rel);
    let objective =
        sweeper.rss + settings.lambda * f.penalty(&setup.model, train, settings.weighted_lambda);
    let time = run.finish(status, sweeper.sweep, objective, &message);
    Completion {
        status,
        reason,
        message,
        nrows: m,
        ncols: n,
        rank: k,
        u: to_col_major(&f.u, m, k),
        v: to_col_major(&f.v, n, k),
        mean: setup.model.mean,
        row_bias: f.row_bias,
        col_bias: f.col_bias,
        iterations: sweeper.sweep,
        train_rmse: (sweeper.rss / train.len() as f64).sqrt(),
        relative_residual: sweeper.rel,
        validation_rmse,
        validation_relative_residual: validation_rel,
        observed: train.len(),
        held_out: setup.held.len(),
        duplicates_merged: setup.merged,
        degrees_of_freedom: setup.dof,
        clipped_rows,
        inner_iterations: sweeper.inner_total,
        init_time,
        time: time.as_secs_f64(),
        history: sweeper.history,
    }
}
