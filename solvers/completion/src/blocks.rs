//! Kernels for a driver that holds the observations in blocks of rows or of columns
//! rather than in one index (a distributed driver such as opal's Dask front end):
//! compressing one block's triplets ([`compress_block`]), the block's rows of the
//! initialization's test matrix and sparse products ([`test_matrix_rows`],
//! [`block_product`]), and the block's regressions given the other factor
//! ([`solve_block`], [`ill_posed_block`]). They run the code of the in-process sweeps, so a
//! blocked driver that repeats [`complete`](crate::complete)'s steps (initialization,
//! orthonormalizations, V step then U step, stopping tests) reproduces its fit up to
//! rounding. Biases are not part of the blocked model.

use super::data::Entry;
use super::init::{compressed_product, test_matrix};
use super::model::Model;
use super::regression::RegressionOptions;
use super::settings::{Duplicates, RegressionSolver};
use super::sweep::{Context, Side, TargetStats};
use crate::error::CompletionError;

/// One block of lines (rows, or columns) in compressed form: the entries of local line t
/// are `ptr[t]..ptr[t + 1]` of `idx` (the other index, increasing) and `val`.
#[derive(Debug, Clone, Copy)]
pub struct Lines<'a> {
    /// Offsets, one more than the block's lines.
    pub ptr: &'a [usize],
    /// Index of each entry along the other dimension.
    pub idx: &'a [u32],
    /// Value of each entry.
    pub val: &'a [f64],
}

impl Lines<'_> {
    /// Number of lines in the block.
    pub fn count(&self) -> usize {
        self.ptr.len().saturating_sub(1)
    }

    /// Checks the structure (offsets non-decreasing from 0 to the entry count, every index
    /// below `other_len`) so that the kernels never index out of range.
    pub fn check(&self, other_len: usize) -> Result<(), CompletionError> {
        let bad = |what: String| Err(CompletionError::Data(format!("invalid block: {what}")));
        if self.ptr.first() != Some(&0) || self.ptr.windows(2).any(|w| w[0] > w[1]) {
            return bad("offsets must start at 0 and not decrease".into());
        }
        let nnz = self.ptr[self.ptr.len() - 1];
        if nnz != self.idx.len() || nnz != self.val.len() {
            return bad(format!(
                "offsets end at {nnz} for {} indices and {} values",
                self.idx.len(),
                self.val.len()
            ));
        }
        if let Some(p) = self.idx.iter().position(|&j| j as usize >= other_len) {
            return bad(format!(
                "entry {p} has index {} >= {other_len}",
                self.idx[p]
            ));
        }
        Ok(())
    }
}

/// A compressed block owned: see [`Lines`].
#[derive(Debug, Clone, PartialEq)]
pub struct CompressedBlock {
    /// Offsets, one more than the block's lines.
    pub ptr: Vec<usize>,
    /// Index along the other dimension, increasing inside each line.
    pub idx: Vec<u32>,
    /// Values.
    pub val: Vec<f64>,
    /// Input entries merged into an earlier one at the same position.
    pub merged: usize,
}

impl CompressedBlock {
    /// The block as [`Lines`].
    pub fn lines(&self) -> Lines<'_> {
        Lines {
            ptr: &self.ptr,
            idx: &self.idx,
            val: &self.val,
        }
    }
}

/// Compresses the triplets of the lines `first..first + count` (line index `line[e]`,
/// other index `other[e]`, value `value[e]`; other indices below `other_len`): entries
/// grouped by line, increasing along the other index inside a line, repeated positions
/// averaged or refused as in [`complete`](crate::complete). Refuses lengths that differ,
/// indices out of range and non-finite values, naming the entry.
pub fn compress_block(
    first: usize,
    count: usize,
    other_len: usize,
    line: &[usize],
    other: &[usize],
    value: &[f64],
    policy: Duplicates,
) -> Result<CompressedBlock, CompletionError> {
    if line.len() != value.len() || other.len() != value.len() {
        return Err(CompletionError::Data(format!(
            "line, other and value have lengths {}, {} and {}",
            line.len(),
            other.len(),
            value.len()
        )));
    }
    if other_len > u32::MAX as usize {
        return Err(CompletionError::Data(format!(
            "{other_len} lines along the other dimension exceed 2^32 - 1"
        )));
    }
    let mut ptr = vec![0usize; count + 1];
    for (e, ((&i, &j), &v)) in line.iter().zip(other).zip(value).enumerate() {
        if i < first || i - first >= count || j >= other_len {
            return Err(CompletionError::Data(format!(
                "entry {e} at ({i}, {j}) lies outside lines {first}..{} x 0..{other_len}",
                first + count
            )));
        }
        if !v.is_finite() {
            return Err(CompletionError::Data(format!(
                "entry {e} at ({i}, {j}) has the non-finite value {v}"
            )));
        }
        ptr[i - first + 1] += 1;
    }
    for t in 0..count {
        ptr[t + 1] += ptr[t];
    }
    let mut next = ptr.clone();
    let mut placed = vec![
        Entry {
            row: 0,
            col: 0,
            value: 0.0
        };
        value.len()
    ];
    for ((&i, &j), &v) in line.iter().zip(other).zip(value) {
        let p = &mut next[i - first];
        placed[*p] = Entry {
            row: 0,
            col: j as u32,
            value: v,
        };
        *p += 1;
    }
    let mut out = CompressedBlock {
        ptr: vec![0; count + 1],
        idx: Vec::with_capacity(value.len()),
        val: Vec::with_capacity(value.len()),
        merged: 0,
    };
    for t in 0..count {
        let seg = &mut placed[ptr[t]..ptr[t + 1]];
        seg.sort_by_key(|e| e.col); // stable: input order inside a repeated position
        let start = out.idx.len();
        let mut run = 1usize;
        for e in seg.iter() {
            if out.idx.len() > start && out.idx.last() == Some(&e.col) {
                if policy == Duplicates::Error {
                    return Err(CompletionError::Data(format!(
                        "({}, {}) is observed more than once (line, other index; 0-based)",
                        first + t,
                        e.col
                    )));
                }
                run += 1;
                if let Some(last) = out.val.last_mut() {
                    *last += (e.value - *last) / run as f64;
                }
                out.merged += 1;
            } else {
                run = 1;
                out.idx.push(e.col);
                out.val.push(e.value);
            }
        }
        out.ptr[t + 1] = out.idx.len();
    }
    Ok(out)
}

/// Rows `first..first + count` of the Gaussian test matrix (n x `l`, row-major) that the
/// initialization's range finder draws for `seed`: the same numbers whichever block asks.
pub fn test_matrix_rows(seed: u64, l: usize, first: usize, count: usize) -> Vec<f64> {
    test_matrix(seed, l, first, count)
}

/// out = scale * B X for the block B (lines x other_len) and X row-major `other_len x l`;
/// out row-major `lines x l`. Lengths are checked.
pub fn block_product(
    lines: &Lines,
    scale: f64,
    x: &[f64],
    l: usize,
) -> Result<Vec<f64>, CompletionError> {
    if l == 0 || !x.len().is_multiple_of(l) {
        return Err(CompletionError::Data(format!(
            "the dense factor's {} values are not rows of width {l}",
            x.len()
        )));
    }
    lines.check(x.len() / l)?;
    let mut out = vec![0.0; lines.count() * l];
    compressed_product(lines.ptr, lines.idx, lines.val, scale, x, l, &mut out);
    Ok(out)
}

/// What the regressions of one half-sweep share (the fields of
/// [`Settings`](crate::Settings) they use).
#[derive(Debug, Clone, Copy)]
pub struct BlockSettings {
    /// Rank k.
    pub rank: usize,
    /// Ridge weight lambda.
    pub lambda: f64,
    /// Ridge scaled by each line's entry count.
    pub weighted_lambda: bool,
    /// Regression solver.
    pub solver: RegressionSolver,
    /// Seed of the sketches.
    pub seed: u64,
    /// Accuracy of this half-sweep and the sketch parameters.
    pub options: RegressionOptions,
}

/// What one block's regressions did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockOutcome {
    /// Sum of the regressions' residual sums of squares.
    pub rss: f64,
    /// Iterations of the regression solvers, summed.
    pub iterations: usize,
    /// Regressions that stopped short of their accuracy.
    pub unconverged: usize,
}

/// Solves the regression of every line of the block given the fixed factor (row-major,
/// `k` columns, one row per index of the other dimension) into `target` (row-major
/// `lines x k`; on entry the warm start). `first` is the block's first line in the whole
/// matrix and `stream` the half-sweep's stream (2 s for the V step of sweep s, 2 s + 1 for
/// its U step): with them the block draws the sketches of the in-process run.
pub fn solve_block(
    lines: &Lines,
    first: usize,
    fixed: &[f64],
    target: &mut [f64],
    settings: &BlockSettings,
    stream: u64,
) -> Result<BlockOutcome, CompletionError> {
    let k = settings.rank;
    check_factors(lines, fixed, target, k)?;
    let ctx = context(lines, settings);
    let count = lines.count();
    let mut stats = TargetStats::new(count);
    let mut bias = vec![0.0; count];
    let side = Side {
        ptr: lines.ptr,
        idx: lines.idx,
        val: lines.val,
    };
    ctx.half_sweep(
        &side,
        fixed,
        &[],
        target,
        &mut bias,
        &mut stats,
        &settings.options,
        stream,
        first,
    );
    Ok(BlockOutcome {
        rss: stats.rss.iter().sum(),
        iterations: stats.its.iter().map(|&i| i as usize).sum(),
        unconverged: stats.unconverged.iter().map(|&u| u as usize).sum(),
    })
}

/// Lines of the block whose regression is singular given the fixed factor (the local
/// uniqueness test of a converged fit): how many, and the first (local index).
pub fn ill_posed_block(
    lines: &Lines,
    fixed: &[f64],
    settings: &BlockSettings,
) -> Result<(usize, Option<usize>), CompletionError> {
    let k = settings.rank;
    check_factors(lines, fixed, &vec![0.0; lines.count() * k], k)?;
    let side = Side {
        ptr: lines.ptr,
        idx: lines.idx,
        val: lines.val,
    };
    Ok(context(lines, settings).ill_posed(&side, fixed, lines.count()))
}

fn context(lines: &Lines, settings: &BlockSettings) -> Context {
    let longest = lines.ptr.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let model = Model {
        k: settings.rank,
        biases: false,
        mean: 0.0,
    };
    Context::new(
        model,
        settings.lambda,
        settings.weighted_lambda,
        settings.solver,
        settings.seed,
        longest,
        &settings.options,
    )
}

fn check_factors(
    lines: &Lines,
    fixed: &[f64],
    target: &[f64],
    k: usize,
) -> Result<(), CompletionError> {
    if k == 0 || !fixed.len().is_multiple_of(k) || target.len() != lines.count() * k {
        return Err(CompletionError::Data(format!(
            "rank {k}: the fixed factor has {} values and the block's factor {} for {} lines",
            fixed.len(),
            target.len(),
            lines.count()
        )));
    }
    lines.check(fixed.len() / k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Observations;

    #[test]
    fn compression_sorts_merges_and_refuses() {
        // lines 2..5 of a 5 x 4 matrix
        let line = [4, 2, 4, 3, 2, 4];
        let other = [3, 1, 0, 2, 1, 3];
        let value = [1.0, 2.0, 3.0, 4.0, 6.0, 5.0];
        let b = compress_block(2, 3, 4, &line, &other, &value, Duplicates::Average).unwrap();
        assert_eq!(b.ptr, vec![0, 1, 2, 4]);
        assert_eq!(b.idx, vec![1, 2, 0, 3]);
        assert_eq!(b.val, vec![4.0, 4.0, 3.0, 3.0]);
        assert_eq!(b.merged, 2);
        let e = compress_block(2, 3, 4, &line, &other, &value, Duplicates::Error).unwrap_err();
        assert!(e.to_string().contains("(2, 1)"), "{e}");
        let e = compress_block(2, 2, 4, &line, &other, &value, Duplicates::Average).unwrap_err();
        assert!(e.to_string().contains("entry 0"), "{e}");
        let e = compress_block(2, 3, 4, &[2], &[0], &[f64::NAN], Duplicates::Average).unwrap_err();
        assert!(e.to_string().contains("non-finite"), "{e}");
        let bad = Lines {
            ptr: &[0, 2],
            idx: &[0, 7],
            val: &[1.0, 1.0],
        };
        assert!(block_product(&bad, 1.0, &[0.0; 4], 1).is_err());
    }

    #[test]
    fn test_matrix_blocks_are_slices_of_the_whole() {
        let whole = test_matrix_rows(5, 3, 0, 10);
        let part = test_matrix_rows(5, 3, 4, 3);
        assert_eq!(&whole[12..21], &part[..]);
    }

    #[test]
    fn blocked_regressions_match_one_block() {
        // a 30 x 20 instance: the row regressions solved as one block or as two agree
        let (m, n, k) = (30, 20, 2);
        let inst = opal_problems::generators::completion::low_rank(m, n, k, 400, 0.0, 3).unwrap();
        let t = &inst.observed;
        let (entries, _) = crate::data::prepare(t, Duplicates::Average).unwrap();
        let obs = Observations::new(m, n, &entries);
        let v: Vec<f64> = (0..n * k).map(|i| ((i * 7 % 11) as f64) - 5.0).collect();
        let settings = BlockSettings {
            rank: k,
            lambda: 0.0,
            weighted_lambda: false,
            solver: RegressionSolver::Sketch,
            seed: 1,
            options: RegressionOptions::default(),
        };
        let mut whole = vec![0.0; m * k];
        let full = Lines {
            ptr: &obs.row_ptr,
            idx: &obs.row_col,
            val: &obs.row_val,
        };
        let all = solve_block(&full, 0, &v, &mut whole, &settings, 3).unwrap();
        let mut rss = 0.0;
        for (first, count) in [(0, 13), (13, 17)] {
            let rows: Vec<usize> = (0..t.len()).map(|e| t.rows[e]).collect();
            let keep: Vec<usize> = (0..t.len())
                .filter(|&e| (first..first + count).contains(&rows[e]))
                .collect();
            let pick = |xs: &[usize]| keep.iter().map(|&e| xs[e]).collect::<Vec<_>>();
            let vals: Vec<f64> = keep.iter().map(|&e| t.values[e]).collect();
            let b = compress_block(
                first,
                count,
                n,
                &pick(&t.rows),
                &pick(&t.cols),
                &vals,
                Duplicates::Average,
            )
            .unwrap();
            let mut part = vec![0.0; count * k];
            rss += solve_block(&b.lines(), first, &v, &mut part, &settings, 3)
                .unwrap()
                .rss;
            assert_eq!(&whole[first * k..(first + count) * k], &part[..]);
        }
        assert!((rss - all.rss).abs() <= 1e-12 * all.rss.max(1.0));
        let (singular, _) = ill_posed_block(&full, &v, &settings).unwrap();
        assert_eq!(singular, 0);
        assert!(solve_block(&full, 0, &v[..3], &mut whole, &settings, 3).is_err());
    }
}
