//! Applications of all snapshots of a sensing operator with workspaces sized once, shared
//! by projected gradient descent and the linear method.

use rayon::prelude::*;

use super::operator::SensingOperator;

/// Size m n of one snapshot below which the snapshots run on the calling thread.
const PARALLEL_MIN_WORK: usize = 1 << 14;

/// Applies all snapshots of an operator, in parallel or not, with workspaces sized once.
/// Each snapshot is computed independently and sums run in a fixed order, so the results
/// do not depend on the number of threads.
pub(crate) struct Engine<'a> {
    op: &'a dyn SensingOperator,
    n: usize,
    m: usize,
    chunk: usize,
    parallel: bool,
    scratch: Vec<f64>,
    parts: Vec<f64>,
    /// Applications of some A_l or A_l^T so far.
    pub applications: usize,
}

impl<'a> Engine<'a> {
    pub fn new(op: &'a dyn SensingOperator, parallel: bool) -> Self {
        let (n, m, p) = (op.signal_len(), op.sensors(), op.snapshots());
        let chunk = op.scratch_len().max(1);
        Self {
            op,
            n,
            m,
            chunk,
            // Threads pay off only when one snapshot is real work (about m n flops for a
            // dense block); results are the same either way.
            parallel: parallel && p > 1 && m * n >= PARALLEL_MIN_WORK,
            scratch: vec![0.0; p * chunk],
            parts: vec![0.0; p * n],
            applications: 0,
        }
    }

    /// out[l m..(l+1) m] = A_l x for every l.
    pub fn forward(&mut self, x: &[f64], out: &mut [f64]) {
        let (op, m, chunk) = (self.op, self.m, self.chunk);
        let job = |(l, (o, s)): (usize, (&mut [f64], &mut [f64]))| op.apply(l, x, o, s);
        if self.parallel {
            out.par_chunks_mut(m)
                .zip(self.scratch.par_chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        } else {
            out.chunks_mut(m)
                .zip(self.scratch.chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        }
        self.applications += out.len() / m;
    }

    /// out = sum_l A_l^T w_l, w in p blocks of m.
    pub fn adjoint(&mut self, w: &[f64], out: &mut [f64]) {
        let (op, m, n, chunk) = (self.op, self.m, self.n, self.chunk);
        let job = |(l, (t, s)): (usize, (&mut [f64], &mut [f64]))| {
            op.apply_transpose(l, &w[l * m..(l + 1) * m], t, s)
        };
        if self.parallel {
            self.parts
                .par_chunks_mut(n)
                .zip(self.scratch.par_chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        } else {
            self.parts
                .chunks_mut(n)
                .zip(self.scratch.chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        }
        out.copy_from_slice(&self.parts[..n]);
        for part in self.parts.chunks(n).skip(1) {
            for (o, t) in out.iter_mut().zip(part) {
                *o += t;
            }
        }
        self.applications += self.parts.len() / n;
    }
}
