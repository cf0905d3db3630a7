//! Warm start: a start point and, optionally, multipliers from an earlier solve (IPOPT's
//! `warm_start_init_point`), e.g. when re-solving after a small change of the data.
//!
//! The multipliers are given in the units and signs of [`super::Output`] and mapped into
//! the reformulation: constraint multipliers scaled by the row and objective scaling, bound
//! multipliers by the objective scaling, and the slack bounds' multipliers from the rows'
//! (stationarity in a slack s_r of c_r(x) - s_r = 0 reads z_U - z_L = y_r). Every bound
//! multiplier is raised to `warm_start_mult_bound_push` so that the iterate stays interior.
//! A warm start pays off with a barrier parameter near the old solution's: set `mu_init`
//! small (e.g. 1e-8) and `bound_push`/`bound_frac` small (e.g. 1e-9), as with IPOPT.

use super::error::IpmError;
use super::state::State;

/// A start point and optional multipliers for [`super::solve_warm`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarmStart {
    /// Start point (length n); replaces the problem's x0.
    pub x: Vec<f64>,
    /// Constraint multipliers (length m, [`super::Output::multipliers`]' convention).
    pub multipliers: Option<Vec<f64>>,
    /// Lower-bound multipliers (length n, >= 0).
    pub lower_bound_multipliers: Option<Vec<f64>>,
    /// Upper-bound multipliers (length n, >= 0).
    pub upper_bound_multipliers: Option<Vec<f64>>,
}

impl WarmStart {
    /// A warm start from a point only (multipliers estimated as for a cold start).
    pub fn from_point(x: Vec<f64>) -> Self {
        Self {
            x,
            ..Self::default()
        }
    }

    /// Checks lengths and values against a problem with `n` variables and `m` constraints.
    pub fn validate(&self, n: usize, m: usize) -> Result<(), IpmError> {
        let check = |name: &str, v: Option<&Vec<f64>>, len: usize, nonneg: bool| {
            let Some(v) = v else { return Ok(()) };
            if v.len() != len {
                return Err(IpmError::InvalidProblem(format!(
                    "warm start: {name} has length {}, expected {len}",
                    v.len()
                )));
            }
            if let Some(i) = v
                .iter()
                .position(|x| !x.is_finite() || (nonneg && *x < 0.0))
            {
                let need = if nonneg { "finite and >= 0" } else { "finite" };
                return Err(IpmError::InvalidProblem(format!(
                    "warm start: {name}[{i}] = {} must be {need}",
                    v[i]
                )));
            }
            Ok(())
        };
        check("x", Some(&self.x), n, false)?;
        check("multipliers", self.multipliers.as_ref(), m, false)?;
        check(
            "lower_bound_multipliers",
            self.lower_bound_multipliers.as_ref(),
            n,
            true,
        )?;
        check(
            "upper_bound_multipliers",
            self.upper_bound_multipliers.as_ref(),
            n,
            true,
        )
    }
}

/// Sets the multipliers of the state from `start` (after the state's set-up, so that the
/// scaling is known). Returns true when constraint multipliers were given (the
/// least-squares estimate is then skipped).
pub(crate) fn apply_multipliers(st: &mut State<'_>, start: &WarmStart, push: f64) -> bool {
    let scale = st.nlp.obj_scale;
    let free: Vec<usize> = st.nlp.free().to_vec();
    for (k, &j) in free.iter().enumerate() {
        if st.bounds.has_l[k] {
            let z = start.lower_bound_multipliers.as_ref().map_or(0.0, |z| z[j]);
            st.zl[k] = (z * scale).max(push);
        }
        if st.bounds.has_u[k] {
            let z = start.upper_bound_multipliers.as_ref().map_or(0.0, |z| z[j]);
            st.zu[k] = (z * scale).max(push);
        }
    }
    let Some(user) = &start.multipliers else {
        return false;
    };
    st.nlp.scaled_multipliers(user, &mut st.y);
    let slacks: Vec<Option<usize>> = st.nlp.row_slacks().collect();
    for (r, slack) in slacks.into_iter().enumerate() {
        if let Some(s) = slack {
            let y = st.y[r];
            if st.bounds.has_l[s] {
                st.zl[s] = (-y).max(push);
            }
            if st.bounds.has_u[s] {
                st.zu[s] = y.max(push);
            }
        }
    }
    true
}
