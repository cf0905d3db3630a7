//! The optimization algorithms of opal, one module per paper's method, each a settings
//! struct with documented defaults, a `solve` returning a result with a status enum, and
//! an optional iteration observer. Solvers see problems only through `opal-problems`.
//!
//! Equality-constrained nonlinear programs: [`adasketch`] (sketched inexact Newton, the
//! default), [`newton_merit`] (exact Newton on the same merit) and [`auglag`] (classical
//! augmented Lagrangian), sharing [`eqnlp`].

/// Builder-style setters `fn name(mut self, value: T) -> Self` for settings structs (used
/// inside an `impl Settings` block). Defined before the modules so that all can use it.
macro_rules! setters {
    ($($name:ident : $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets `", stringify!($name), "`.")]
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            }
        )*
    };
}

pub mod adasketch;
pub mod auglag;
pub mod balans;
pub mod calibration;
pub mod completion;
pub mod convex_relu;
pub mod eqnlp;
pub mod highs;
pub mod interrupt;

pub use interrupt::Interrupt;
pub mod newton_merit;
