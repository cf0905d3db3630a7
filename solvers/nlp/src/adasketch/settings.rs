//! Settings of the sketched inexact Newton method (defaults from the paper's reference code).

use opal_core::{check_range, setters};

use crate::eqnlp::merit::{Inexact, KktChoice};
use crate::eqnlp::params::{parse, parse_bool};
use crate::eqnlp::{KktSolveMethod, MeritSettings, NlpError, Sampling, SketchConfig, SketchKind};

/// Settings of [`super::solve`]: the merit iteration's ([`MeritSettings`], shared with
/// `newton`) and the sketch's. Every field has a documented default; build with
/// `Settings::default().sketch(SketchKind::Gaussian).merit(MeritSettings::default().tol(1e-8))`;
/// JSON through serde (missing fields keep their defaults, unknown ones are refused).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Tolerances, budget, merit penalties, Hessian modification, line search.
    /// Default [`MeritSettings::default`].
    pub merit: MeritSettings,
    /// How the Newton systems are solved: `Sketch` (randomized sketching to the adaptive
    /// accuracy, the method of the paper) or `Direct` (a sparse LU of every system, the
    /// steps of `newton`). Default `Sketch`.
    pub kkt_solve_method: KktSolveMethod,
    /// Seed of the sketches (runs are deterministic per seed). Default 0.
    pub seed: u64,
    /// Initial accuracy parameter delta. Default 0.1.
    pub delta: f64,
    /// Lower bound of delta at the start of each iteration. Default 1e-6.
    pub delta_min: f64,
    /// Superlinear schedule theta_k = min(1, r_k) in the accuracy condition (default
    /// theta = 1). Default false.
    pub superlinear: bool,
    /// Sketch of the inner solver. Default Kaczmarz.
    pub sketch: SketchKind,
    /// Row sampling of Kaczmarz / sparse sign sketches. Default squared norm.
    pub sampling: Sampling,
    /// Sketch size s (block). `None`: 1 for Gaussian and Kaczmarz, 8 for sparse sign.
    pub block_size: Option<usize>,
    /// Rows combined per sparse sign sketch column. Default 2.
    pub column_nnz: usize,
    /// Inner iteration cap per outer iteration, after which the direct fallback (if on)
    /// takes over. `None` (default): 20 sweeps' worth of projections over the n + m KKT
    /// rows, 20 (n + m) / s for block size s, within [1,000, 1,000,000]; a sketch that has
    /// not reached its target by then is rarely worth more than one sparse factorization.
    pub max_inner: Option<usize>,
    /// Symmetric Ruiz equilibration of K before sketching. Default true.
    pub equilibrate: bool,
    /// Round-off floor: the inner solve counts as accurate once ||K d - b|| <=
    /// residual_floor * (||K||_F ||d|| + ||b||), below which the reference accuracy
    /// condition cannot be met in floating point. Default 1e-12.
    pub residual_floor: f64,
    /// With `direct_fallback`, stop an inner solve early when its observed convergence
    /// rate predicts that even `fallback_residual` needs more than 4x the cap. Default true.
    pub stall_detection: bool,
    /// When the sketch misses the accuracy condition within the cap and its direction is
    /// not usable (relative residual above `fallback_residual`, or no sufficient descent),
    /// solve that iteration's KKT system directly (sparse LU). Counted in
    /// `Output::direct_solves`. Without it, such directions go through the penalty
    /// adaptation as in the paper. Default true.
    pub direct_fallback: bool,
    /// A capped sketch direction is used when ||K d - b|| <= fallback_residual ||b|| and it
    /// gives sufficient descent. Default 0.1.
    pub fallback_residual: f64,
    /// Warm start of the inner solve at (1 - alpha_prev) d_prev (exact for QPs, where the
    /// new Newton direction is exactly that); otherwise at 0. Default true.
    pub warm_start: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            merit: MeritSettings::default(),
            kkt_solve_method: KktSolveMethod::Sketch,
            seed: 0,
            delta: 0.1,
            delta_min: 1e-6,
            superlinear: false,
            sketch: SketchKind::Kaczmarz,
            sampling: Sampling::SquaredNorm,
            block_size: None,
            column_nnz: 2,
            max_inner: None,
            equilibrate: true,
            residual_floor: 1e-12,
            stall_detection: true,
            direct_fallback: true,
            fallback_residual: 0.1,
            warm_start: true,
        }
    }
}

impl Settings {
    setters!(
        merit: MeritSettings, kkt_solve_method: KktSolveMethod, seed: u64, delta: f64,
        delta_min: f64, superlinear: bool, sketch: SketchKind, sampling: Sampling,
        block_size: Option<usize>, column_nnz: usize, max_inner: Option<usize>,
        equilibrate: bool, residual_floor: f64, stall_detection: bool, direct_fallback: bool,
        fallback_residual: f64, warm_start: bool,
    );

    /// The sketch size in effect.
    pub fn effective_block(&self) -> usize {
        self.block_size.unwrap_or(match self.sketch {
            SketchKind::SparseSign => 8,
            _ => 1,
        })
    }

    /// Sets a parameter by name from text (the CLI's `--param NAME=VALUE`), the merit
    /// iteration's included. Returns Ok(false) when `name` is not a setting of this solver.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "kkt" | "kkt_solve_method" => self.kkt_solve_method = parse(name, value)?,
            "seed" => self.seed = parse(name, value)?,
            "delta" => self.delta = parse(name, value)?,
            "delta_min" => self.delta_min = parse(name, value)?,
            "superlinear" => self.superlinear = parse_bool(name, value)?,
            "sketch" => self.sketch = parse(name, value)?,
            "sampling" => self.sampling = parse(name, value)?,
            "block" | "block_size" => self.block_size = Some(parse(name, value)?),
            "column_nnz" => self.column_nnz = parse(name, value)?,
            "max_inner" => self.max_inner = Some(parse(name, value)?),
            "equilibrate" => self.equilibrate = parse_bool(name, value)?,
            "residual_floor" => self.residual_floor = parse(name, value)?,
            "stall_detection" => self.stall_detection = parse_bool(name, value)?,
            "direct_fallback" | "fallback" => self.direct_fallback = parse_bool(name, value)?,
            "fallback_residual" => self.fallback_residual = parse(name, value)?,
            "warm_start" => self.warm_start = parse_bool(name, value)?,
            _ => return self.merit.set(name, value),
        }
        Ok(true)
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), NlpError> {
        self.merit.validate()?;
        check_range("delta", self.delta, 0.0, f64::MAX, true)?;
        check_range("delta_min", self.delta_min, 0.0, f64::MAX, true)?;
        check_range("residual_floor", self.residual_floor, 0.0, 1.0, false)?;
        check_range(
            "fallback_residual",
            self.fallback_residual,
            0.0,
            f64::MAX,
            false,
        )?;
        if self.effective_block() == 0 || self.column_nnz == 0 {
            return Err(NlpError::InvalidSetting {
                name: "block_size",
                detail: "sketch sizes must be positive".into(),
            });
        }
        Ok(())
    }

    /// How the merit iteration solves its systems under these settings.
    pub(crate) fn kkt_choice(&self) -> KktChoice {
        match self.kkt_solve_method {
            KktSolveMethod::Direct => KktChoice::Direct,
            KktSolveMethod::Sketch => KktChoice::Sketch(Inexact {
                seed: self.seed,
                delta: self.delta,
                delta_min: self.delta_min,
                superlinear: self.superlinear,
                sketch: SketchConfig {
                    kind: self.sketch,
                    sampling: self.sampling,
                    block: self.effective_block(),
                    column_nnz: self.column_nnz,
                    equilibrate: self.equilibrate,
                    residual_floor: self.residual_floor,
                    stall_detection: self.stall_detection && self.direct_fallback,
                },
                max_inner: self.max_inner,
                direct_fallback: self.direct_fallback,
                fallback_residual: self.fallback_residual,
                warm_start: self.warm_start,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nests_the_merit_settings() {
        let s: Settings = serde_json::from_str(
            r#"{"sketch": "sparse_sign", "merit": {"tol": 1e-9}, "kkt_solve_method": "direct"}"#,
        )
        .unwrap();
        assert_eq!(s.sketch, SketchKind::SparseSign);
        assert_eq!(s.merit.tol, 1e-9);
        assert_eq!(s.kkt_solve_method, KktSolveMethod::Direct);
        assert_eq!(s.merit.budget.max_iterations, 10_000);
        assert!(serde_json::from_str::<Settings>(r#"{"tol": 1e-9}"#).is_err());
    }

    #[test]
    fn text_parameters_reach_the_merit_settings() {
        let mut s = Settings::default();
        assert!(s.set("sketch", "gaussian").unwrap());
        assert!(s.set("tol", "1e-9").unwrap());
        assert!(s.set("time_limit", "inf").unwrap());
        assert!(s.set("kkt", "direct").unwrap());
        assert!(!s.set("mu0", "1").unwrap());
        assert_eq!((s.sketch, s.merit.tol), (SketchKind::Gaussian, 1e-9));
        assert_eq!(s.kkt_solve_method, KktSolveMethod::Direct);
        assert!(s.set("time_limit", "-1").is_err());
    }
}
