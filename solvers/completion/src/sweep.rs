//! One half-sweep of alternating minimization: every target's (column's or row's)
//! regression on the rows of the fixed factor it observes, in parallel, with per-thread
//! workspaces sized once; and the local-identifiability check at a fit.

use std::sync::Mutex;

use rayon::prelude::*;

use super::data::Observations;
use super::dense::{Scratch, cholesky_any, cholesky_scratch, gram_lower};
use super::model::Model;
use super::regression::{self, LsqProblem, RegressionOptions, RegressionWorkspace};
use super::rng::SplitMix;
use super::settings::RegressionSolver;

/// Per-thread scratch: gathered A and b, the unknowns, and the solver workspace.
struct Worker {
    a: Vec<f64>,
    b: Vec<f64>,
    x: Vec<f64>,
    g: Vec<f64>,
    chol: Scratch,
    ws: RegressionWorkspace,
}

impl Worker {
    fn new(max_rows: usize, kk: usize, opts: &RegressionOptions) -> Self {
        Worker {
            a: vec![0.0; max_rows * kk],
            b: vec![0.0; max_rows],
            x: vec![0.0; kk],
            g: vec![0.0; kk * kk],
            chol: cholesky_scratch(kk),
            ws: RegressionWorkspace::new(max_rows, kk, opts),
        }
    }

    /// Gathers the rows `idx[range]` of the fixed factor (with a 1 for the bias) into A.
    fn gather(&mut self, model: &Model, side: &Side, range: std::ops::Range<usize>, fixed: &[f64]) {
        let (k, kk) = (model.k, model.unknowns());
        for (q, p) in range.enumerate() {
            let i = side.idx[p] as usize;
            let arow = &mut self.a[q * kk..(q + 1) * kk];
            arow[..k].copy_from_slice(&fixed[i * k..(i + 1) * k]);
            if model.biases {
                arow[k] = 1.0;
            }
        }
    }
}

/// One side of the observation index: entries of target t are `ptr[t]..ptr[t+1]`, at
/// positions `idx` of the fixed factor, with values `val`.
pub struct Side<'a> {
    /// Offsets of each target's entries.
    pub ptr: &'a [usize],
    /// Index into the fixed factor of each entry.
    pub idx: &'a [u32],
    /// Value of each entry.
    pub val: &'a [f64],
}

impl<'a> Side<'a> {
    /// The column side: one regression per column on the rows of U it observes.
    pub fn columns(obs: &'a Observations) -> Self {
        Self {
            ptr: &obs.col_ptr,
            idx: &obs.col_row,
            val: &obs.col_val,
        }
    }

    /// The row side: one regression per row on the rows of V it observes.
    pub fn rows(obs: &'a Observations) -> Self {
        Self {
            ptr: &obs.row_ptr,
            idx: &obs.row_col,
            val: &obs.row_val,
        }
    }
}

/// Per-target outcome of the last half-sweep on one side: residual sum of squares,
/// regression iterations, and whether the iteration cap was hit (1) or not (0).
pub struct TargetStats {
    /// ||A x - b||^2 of each target's regression.
    pub rss: Vec<f64>,
    /// Iterations of each target's regression solver.
    pub its: Vec<u32>,
    /// 1 where the regression stopped short of its accuracy.
    pub unconverged: Vec<u32>,
}

impl TargetStats {
    /// Zeros for `targets` targets.
    pub fn new(targets: usize) -> Self {
        Self {
            rss: vec![0.0; targets],
            its: vec![0; targets],
            unconverged: vec![0; targets],
        }
    }
}

/// Targets per parallel task.
const CHUNK: usize = 16;

/// What every regression of a run shares: the model, the ridge, the solver, the seed and
/// the per-thread workers.
pub struct Context {
    /// The model's shape.
    pub model: Model,
    /// Ridge weight lambda.
    pub lambda: f64,
    /// Ridge scaled by each target's entry count.
    pub weighted: bool,
    /// Regression solver.
    pub solver: RegressionSolver,
    /// Seed of the sketches.
    pub seed: u64,
    pool: Vec<Mutex<Worker>>,
}

impl Context {
    /// A context whose workers hold regressions of up to `max_rows` rows; one worker per
    /// rayon thread plus one for the calling thread.
    pub fn new(
        model: Model,
        lambda: f64,
        weighted: bool,
        solver: RegressionSolver,
        seed: u64,
        max_rows: usize,
        opts: &RegressionOptions,
    ) -> Self {
        let threads = rayon::current_num_threads().max(1);
        let pool = (0..threads + 1)
            .map(|_| Mutex::new(Worker::new(max_rows, model.unknowns(), opts)))
            .collect();
        Self {
            model,
            lambda,
            weighted,
            solver,
            seed,
            pool,
        }
    }

    /// The calling thread's worker.
    fn worker(&self) -> std::sync::MutexGuard<'_, Worker> {
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1) % self.pool.len();
        match self.pool[slot].lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Solves every target's regression given the fixed factor (and its biases), in
    /// parallel. Writes the new factor rows and biases, and per target the rss,
    /// iterations and whether the iteration cap was hit. `first` is the index of the first
    /// target in the whole matrix (0 unless the targets are one block of many): it seeds
    /// each target's sketch, so a block solved alone draws the sketches of the full run.
    #[allow(clippy::too_many_arguments)]
    pub fn half_sweep(
        &self,
        side: &Side,
        fixed: &[f64],
        fixed_bias: &[f64],
        target: &mut [f64],
        target_bias: &mut [f64],
        stats: &mut TargetStats,
        opts: &RegressionOptions,
        stream: u64,
        first: usize,
    ) {
        let model = &self.model;
        let (k, kk) = (model.k, model.unknowns());
        target
            .par_chunks_mut(CHUNK * k)
            .zip(target_bias.par_chunks_mut(CHUNK))
            .zip(stats.rss.par_chunks_mut(CHUNK))
            .zip(
                stats
                    .its
                    .par_chunks_mut(CHUNK)
                    .zip(stats.unconverged.par_chunks_mut(CHUNK)),
            )
            .enumerate()
            .for_each(|(chunk, (((tf, tb), tr), (ti, tu)))| {
                let mut guard = self.worker();
                let w = &mut *guard;
                for (c, xt) in tf.chunks_exact_mut(k).enumerate() {
                    let t = chunk * CHUNK + c;
                    let range = side.ptr[t]..side.ptr[t + 1];
                    let rows = range.len();
                    w.gather(model, side, range.clone(), fixed);
                    for (q, p) in range.enumerate() {
                        let mut bval = side.val[p];
                        if model.biases {
                            bval -= model.mean + fixed_bias[side.idx[p] as usize];
                        }
                        w.b[q] = bval;
                    }
                    w.x[..k].copy_from_slice(xt);
                    if model.biases {
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
                    let seed = SplitMix::for_item(self.seed, stream, (first + t) as u64).next_u64();
                    let st =
                        regression::solve(self.solver, &problem, &mut w.x, opts, &mut w.ws, seed);
                    xt.copy_from_slice(&w.x[..k]);
                    if model.biases {
                        tb[c] = w.x[k];
                    }
                    tr[c] = st.rss;
                    ti[c] = st.iterations as u32;
                    tu[c] = u32::from(!st.converged);
                }
            });
    }

    /// Targets whose regression is singular given the fixed factor: a Cholesky pivot of the
    /// Gram matrix below 1e-12 of its mean diagonal (every pivot bounds the smallest
    /// eigenvalue from above). Their factor rows are not determined by the data. Returns
    /// how many there are and the first one.
    pub fn ill_posed(&self, side: &Side, fixed: &[f64], targets: usize) -> (usize, Option<usize>) {
        let kk = self.model.unknowns();
        let flags: Vec<bool> = (0..targets)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|t| {
                let mut guard = self.worker();
                let w = &mut *guard;
                let range = side.ptr[t]..side.ptr[t + 1];
                let rows = range.len();
                w.gather(&self.model, side, range, fixed);
                gram_lower(&w.a[..rows * kk], rows, kk, &mut w.g);
                let trace: f64 = (0..kk).map(|d| w.g[d * kk + d]).sum();
                if !cholesky_any(&mut w.g, kk, &mut w.chol) {
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
