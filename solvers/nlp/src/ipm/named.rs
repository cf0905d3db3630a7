//! Interior-point settings by name from text (the CLI's `--param NAME=VALUE` and the Python
//! `options` dictionary) and terminations by name (the CLI's JSON, Python's results).

use crate::eqnlp::params::{parse, parse_bool, set_budget};

use super::output::Termination;
use super::settings::{HessianApproximation, KktMethod, LinearSolver, MuStrategy, Settings};

/// The names [`Settings::set`] accepts (besides the aliases it lists in its doc).
pub const SETTING_NAMES: &[&str] = &[
    "max_iter",
    "time_limit",
    "tol",
    "constr_viol_tol",
    "dual_inf_tol",
    "compl_inf_tol",
    "acceptable_tol",
    "acceptable_iter",
    "mu_init",
    "mu_strategy",
    "mu_min",
    "kappa_eps",
    "kappa_mu",
    "theta_mu",
    "tau_min",
    "bound_push",
    "bound_frac",
    "bound_relax_factor",
    "max_gradient",
    "scaling",
    "kappa_sigma",
    "constr_mult_init_max",
    "warm_start_mult_bound_push",
    "max_soc",
    "unbounded_objective",
    "hessian",
    "lbfgs_memory",
    "linear_solver",
    "kkt_solver",
    "krylov_forcing",
    "dense_limit",
    "static_regularization",
    "restoration",
    "verbose",
];

fn choice<T: Copy>(name: &str, value: &str, options: &[(&str, T)]) -> Result<T, String> {
    let v = value.trim().to_ascii_lowercase();
    options
        .iter()
        .find(|(k, _)| *k == v)
        .map(|&(_, t)| t)
        .ok_or_else(|| {
            let known: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
            format!(
                "parameter {name}: unknown value '{value}' (one of {})",
                known.join(", ")
            )
        })
}

impl Termination {
    /// A snake_case name (`optimal`, `acceptable`, `locally_infeasible`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optimal => "optimal",
            Self::Acceptable => "acceptable",
            Self::LocallyInfeasible => "locally_infeasible",
            Self::Unbounded => "unbounded",
            Self::RestorationFailed => "restoration_failed",
            Self::InertiaCorrectionFailed => "inertia_correction_failed",
            Self::EvaluationFailed => "evaluation_failed",
            Self::Budget => "budget",
            Self::Restored => "restored",
        }
    }
}

impl Settings {
    /// Sets a setting by name from text; `Ok(false)` when `name` is not a setting (see
    /// [`SETTING_NAMES`]). `max_iter` and `time_limit` set the budget; `hessian` takes
    /// `auto`, `exact` or `lbfgs` (`limited_memory`), `lbfgs_memory` the number of stored
    /// pairs (and selects L-BFGS); `mu_strategy` `monotone` or `adaptive`; `linear_solver`
    /// `auto`, `sparse` (`sparse_ldl`) or `dense`; `kkt_solver` `direct` or `krylov`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        if set_budget(&mut self.budget, name, value)? {
            return Ok(true);
        }
        let f = |v: &str| parse::<f64>(name, v);
        match name {
            "tol" => self.tol = f(value)?,
            "constr_viol_tol" => self.constr_viol_tol = f(value)?,
            "dual_inf_tol" => self.dual_inf_tol = f(value)?,
            "compl_inf_tol" => self.compl_inf_tol = f(value)?,
            "acceptable_tol" => self.acceptable_tol = f(value)?,
            "acceptable_iter" => self.acceptable_iter = parse(name, value)?,
            "mu_init" => self.mu_init = f(value)?,
            "mu_strategy" => {
                self.mu_strategy = choice(
                    name,
                    value,
                    &[
                        ("monotone", MuStrategy::Monotone),
                        ("adaptive", MuStrategy::Adaptive),
                    ],
                )?
            }
            "mu_min" => self.mu_min = f(value)?,
            "kappa_eps" => self.kappa_eps = f(value)?,
            "kappa_mu" => self.kappa_mu = f(value)?,
            "theta_mu" => self.theta_mu = f(value)?,
            "tau_min" => self.tau_min = f(value)?,
            "bound_push" => self.bound_push = f(value)?,
            "bound_frac" => self.bound_frac = f(value)?,
            "bound_relax_factor" => self.bound_relax_factor = f(value)?,
            "max_gradient" => self.max_gradient = f(value)?,
            "scaling" => self.scaling = parse_bool(name, value)?,
            "kappa_sigma" => self.kappa_sigma = f(value)?,
            "constr_mult_init_max" => self.constr_mult_init_max = f(value)?,
            "warm_start_mult_bound_push" => self.warm_start_mult_bound_push = f(value)?,
            "max_soc" => self.max_soc = parse(name, value)?,
            "unbounded_objective" => self.unbounded_objective = f(value)?,
            "hessian" => {
                let lbfgs = HessianApproximation::LimitedMemory { memory: 6 };
                self.hessian = choice(
                    name,
                    value,
                    &[
                        ("auto", HessianApproximation::Auto),
                        ("exact", HessianApproximation::Exact),
                        ("lbfgs", lbfgs),
                        ("limited_memory", lbfgs),
                    ],
                )?
            }
            "lbfgs_memory" => {
                self.hessian = HessianApproximation::LimitedMemory {
                    memory: parse(name, value)?,
                }
            }
            "linear_solver" => {
                self.linear_solver = choice(
                    name,
                    value,
                    &[
                        ("auto", LinearSolver::Auto),
                        ("sparse", LinearSolver::SparseLdl),
                        ("sparse_ldl", LinearSolver::SparseLdl),
                        ("dense", LinearSolver::Dense),
                    ],
                )?
            }
            "kkt_solver" => {
                self.kkt_solver = choice(
                    name,
                    value,
                    &[("direct", KktMethod::Direct), ("krylov", KktMethod::Krylov)],
                )?
            }
            "krylov_forcing" => self.krylov_forcing = f(value)?,
            "dense_limit" => self.dense_limit = parse(name, value)?,
            "static_regularization" => self.static_regularization = f(value)?,
            "restoration" => self.restoration = parse_bool(name, value)?,
            "verbose" => self.verbose = parse_bool(name, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_a_setting_and_values_are_checked() {
        let mut s = Settings::default();
        for name in SETTING_NAMES {
            let value = match *name {
                "mu_strategy" => "adaptive",
                "hessian" => "lbfgs",
                "linear_solver" => "dense",
                "kkt_solver" => "krylov",
                "krylov_forcing" => "0.5",
                "scaling" | "restoration" | "verbose" => "true",
                "time_limit" => "5",
                _ => "3",
            };
            assert!(s.set(name, value).unwrap(), "{name}");
        }
        assert_eq!(s.mu_strategy, MuStrategy::Adaptive);
        assert_eq!(s.linear_solver, LinearSolver::Dense);
        assert_eq!(s.kkt_solver, KktMethod::Krylov);
        assert_eq!(s.budget.max_iterations, 3);
        assert_eq!(s.hessian, HessianApproximation::LimitedMemory { memory: 3 });
        assert!(!s.set("no_such", "1").unwrap());
        let e = s.set("mu_strategy", "fast").unwrap_err();
        assert!(e.contains("monotone, adaptive"), "{e}");
        assert!(s.set("tol", "abc").unwrap_err().contains("tol"));
    }
}
