//! The classical augmented Lagrangian method (method of multipliers; Hestenes 1969,
//! Powell 1969), the second baseline of `adasketch`:
//!
//!   x_{k+1} ~ argmin_x  f(x) + lambda_k^T c(x) + (mu_k/2) ||c(x)||^2   (to ||grad|| <= tau_k)
//!   lambda_{k+1} = lambda_k + mu_k c(x_{k+1}),  mu_{k+1} = 1.5 mu_k,  tau_{k+1} = tau_k / 10,
//!
//! with mu_0 = 1 and tau_0 = 1. The subproblems are solved by Newton's method with a
//! modified Cholesky factorization (Nocedal & Wright, Alg. 3.3: H(x, lambda + mu c) +
//! mu J^T J + tau I with tau raised until the factorization succeeds) and an Armijo line
//! search; dense factorizations for n <= `dense_limit`, faer's sparse Cholesky (symbolic
//! analysis once) otherwise.

mod settings;
mod solve;

pub use settings::Settings;
pub use solve::{solve, solve_observed};
