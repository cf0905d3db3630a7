//! The problems of the papers opal implements, as ready instances with exact derivatives.

pub mod logreg;
pub mod pde;
