//! The memory a fit will take, estimated from its sizes before anything large is
//! allocated: a configuration that cannot fit in the machine is refused with the estimate
//! (or, under [`SolverKind::Auto`], handed to a solver that fits) instead of ending in the
//! kernel's out-of-memory killer.

use opal_core::memory::{available_bytes, format_bytes};

use super::error::ReluError;
use super::settings::SolverKind;

/// The sizes that decide a fit's memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    /// Samples.
    pub n: usize,
    /// Features, with the bias column when fitted.
    pub d: usize,
    /// Patterns kept.
    pub p: usize,
    /// Nonzero entries of X.
    pub nnz: usize,
    /// The ReLU program (2P weight blocks and 2nP cone rows) rather than the gated one.
    pub relu: bool,
}

impl Sizes {
    /// Estimated peak bytes of `solver` on these sizes, with what dominates it. The data
    /// (the caller's X, its augmented copy, the n x P patterns) are counted too.
    pub(crate) fn estimate(&self, solver: SolverKind) -> (f64, &'static str) {
        let (n, d, p) = (self.n as f64, self.d as f64, self.p as f64);
        let m = if self.relu { 2.0 * p } else { p };
        let data = 2.0 * n * d + n * p;
        let (words, what) = match solver {
            SolverKind::Ipm => (
                2.0 * n * n + n * d * p + 14.0 * n * m,
                "an n x n capacitance matrix and the n x dP products",
            ),
            SolverKind::Admm => (
                4.0 * n * n + 10.0 * n * m,
                "the n x n capacitance matrix of the Woodbury u-update and its factor",
            ),
            SolverKind::AdmmCg => (12.0 * n * m + 30.0 * d * m, "n x P blocks of the splitting"),
            SolverKind::AugLag => (
                n * p + 5.0 * n * m + 1.5 * self.nnz as f64 + 16.0 * m * d + 5.0 * d * m,
                "the multipliers and the n x 2P products",
            ),
            SolverKind::Fista | SolverKind::Auto => (
                n * p + 1.5 * self.nnz as f64 + 16.0 * p * d + 8.0 * n + 5.0 * d * p,
                "the patterns and predictions",
            ),
        };
        (8.0 * (data + words), what)
    }

    /// Whether `solver` fits in `available` bytes (with a tenth kept free); unknown
    /// availability fits.
    pub(crate) fn fits(&self, solver: SolverKind, available: Option<u64>) -> bool {
        available.is_none_or(|a| self.estimate(solver).0 <= 0.9 * a as f64)
    }

    /// Ok when `solver` fits in the machine's available memory, else the refusal with the
    /// estimate and what to do instead.
    pub(crate) fn check(
        &self,
        solver: SolverKind,
        available: Option<u64>,
    ) -> Result<(), ReluError> {
        if self.fits(solver, available) {
            return Ok(());
        }
        let (bytes, what) = self.estimate(solver);
        let instead = if self.relu {
            "solver='al'"
        } else {
            "solver='fista'"
        };
        Err(ReluError::Memory(format!(
            "the {} solver needs about {} for n = {}, d = {}, P = {} ({what}), more than the {} \
             this machine has available; use {instead} (memory linear in n) or fewer samples",
            solver.name(),
            format_bytes(bytes),
            self.n,
            self.d,
            self.p,
            format_bytes(available.unwrap_or(0) as f64),
        )))
    }
}

/// The machine's available memory now.
pub(crate) fn available() -> Option<u64> {
    available_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a9a(relu: bool, p: usize) -> Sizes {
        Sizes {
            n: 32_561,
            d: 124,
            p,
            nnz: 32_561 * 15,
            relu,
        }
    }

    #[test]
    fn full_a9a_admm_is_refused_on_24_gb_and_fista_fits() {
        let avail = Some(24_000_000_000);
        let s = a9a(true, 50);
        let err = s.check(SolverKind::Admm, avail).unwrap_err().to_string();
        assert!(err.contains("GB") && err.contains("n = 32561"), "{err}");
        assert!(!s.fits(SolverKind::Ipm, Some(16_000_000_000)));
        assert!(s.fits(SolverKind::AdmmCg, avail));
        assert!(s.fits(SolverKind::AugLag, avail));
        let g = a9a(false, 100);
        assert!(g.fits(SolverKind::Fista, avail));
        // The gated FISTA run on full a9a measured 147 MB; the estimate is of that order.
        let (bytes, _) = g.estimate(SolverKind::Fista);
        assert!((5e7..5e8).contains(&bytes), "{bytes}");
    }

    #[test]
    fn unknown_availability_never_refuses() {
        assert!(a9a(true, 50).check(SolverKind::Admm, None).is_ok());
    }
}
