//! Mixed-integer linear programming: [`balans`] (Balans and ParBalans: bandit-driven
//! adaptive large-neighbourhood search) over a safe handle of HiGHS ([`highs`]). The only
//! crate of opal that links HiGHS.

pub mod balans;
pub mod highs;
