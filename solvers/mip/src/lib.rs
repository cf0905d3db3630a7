//! Mixed-integer linear programming: [`balans`] (Balans and ParBalans: bandit-driven
//! adaptive large-neighbourhood search) and the plain-HiGHS baseline over a safe handle of
//! HiGHS ([`highs`]). The only crate of opal that links HiGHS. Algorithms on in-memory
//! models only: reading MPS/LP files and JSON configurations is `opal-io`'s.

#![deny(missing_docs)]

pub mod balans;
#[cfg(feature = "good_lp")]
pub mod good_lp;
pub mod highs;
pub mod method;

pub use method::{Method, UnknownMethod};
