//! A pure-Rust SIF decoder and evaluator: CUTEst problems without Fortran.
//!
//! [`load`] reads a SIF file (the Standard Input Format of LANCELOT and CUTEst), executes
//! its data part (parameters, DO loops, all sections), compiles the Fortran expressions of
//! its element and group types once into register programs, and returns a [`SifProblem`]
//! that implements [`opal_problems::SmoothProblem`] with the supplied first and second
//! derivatives (f, grad f, c, sparse J, the Hessian of the Lagrangian and its product).
//!
//! ```no_run
//! use opal_problems::SmoothProblem;
//! let p = opal_cutest::load("HS6.SIF", &[]).unwrap();
//! let f = p.objective(&p.info().x0).unwrap();
//! let big = opal_cutest::load("DTOC1L.SIF", &[("NX".into(), "10".into())]).unwrap();
//! # let _ = (f, big);
//! ```
//!
//! Modules: [`lexer`] (cards and fields, fixed and free format), [`params`] (parameter
//! arithmetic, array names, user overrides), [`sections`] (the data part) and [`model`] (what
//! it declares), [`expr`] (Fortran
//! expressions), [`compile`] and [`vm`] (the compiled form), [`functions`] (the ELEMENTS
//! and GROUPS parts); inside the crate, `assemble` builds the decoded problem (`problem`,
//! its flattened tables in `ragged` rows) that `eval` evaluates with the scratch space of
//! `workspace`.

#![deny(missing_docs)]

mod assemble;
pub mod compile;
pub mod error;
mod eval;
pub mod expr;
pub mod functions;
mod hash;
pub mod lexer;
pub mod model;
pub mod params;
mod problem;
mod ragged;
pub mod sections;
pub mod vm;
mod workspace;

use std::path::Path;

pub use error::{Field, SifError};
pub use params::{UserParameter, Value};
pub use problem::SifProblem;
pub use sections::GroupKind;

use lexer::{Keyword, Line};

/// Limits that keep hostile input from running away.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Most data cards executed (DO loops repeat cards); the default is far above what
    /// any file of the CUTEst collection needs.
    pub max_cards: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_cards: 500_000_000,
        }
    }
}

/// Reads and decodes a SIF file; `params` are user values of the file's `$-PARAMETER`s
/// (`("N", "1000")`).
pub fn load(path: impl AsRef<Path>, params: &[(String, String)]) -> Result<SifProblem, SifError> {
    load_with(path, params, &Options::default())
}

/// [`load`] with explicit limits.
pub fn load_with(
    path: impl AsRef<Path>,
    params: &[(String, String)],
    options: &Options,
) -> Result<SifProblem, SifError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SifError::Io {
        path: file.clone(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    decode(&text, &file, params, options)
}

/// Decodes SIF text; `name` stands for the file in error messages.
pub fn load_str(
    text: &str,
    name: &str,
    params: &[(String, String)],
) -> Result<SifProblem, SifError> {
    decode(text, name, params, &Options::default())
}

/// Decodes SIF text with explicit limits.
pub fn decode(
    text: &str,
    file: &str,
    params: &[(String, String)],
    options: &Options,
) -> Result<SifProblem, SifError> {
    let sif = |e: error::CardError| e.into_sif(file);
    let lines = lexer::lex(text).map_err(sif)?;
    if !matches!(
        lines.first(),
        Some(Line::Indicator {
            keyword: Keyword::Name,
            ..
        })
    ) {
        return Err(SifError::Invalid {
            file: file.to_string(),
            message: "no NAME card".into(),
        });
    }
    let mut table = params::Params::with_overrides(params);
    let (model, end) = sections::read_data(&lines, &mut table, options.max_cards).map_err(sif)?;
    let unused = table.unused_overrides();
    if let Some(name) = unused.first() {
        let known: Vec<&str> = table.declared.iter().map(|p| p.name.as_str()).collect();
        return Err(SifError::Parameter {
            file: file.to_string(),
            name: name.to_string(),
            message: if known.is_empty() {
                "the file declares no $-PARAMETER".into()
            } else {
                format!(
                    "not a $-PARAMETER of the file (it has: {})",
                    known.join(", ")
                )
            },
        });
    }
    let mut parts = [None, None];
    let mut i = end + 1;
    while i < lines.len() {
        if let Line::Indicator { keyword, line, .. } = &lines[i]
            && matches!(keyword, Keyword::Elements | Keyword::Groups)
        {
            let k = usize::from(*keyword == Keyword::Groups);
            let stop = lines[i + 1..]
                .iter()
                .position(|l| {
                    matches!(
                        l,
                        Line::Indicator {
                            keyword: Keyword::Endata,
                            ..
                        }
                    )
                })
                .map(|p| i + 1 + p)
                .unwrap_or(lines.len());
            let part = functions::parse_part(&lines[i + 1..stop], k == 0, *line).map_err(sif)?;
            parts[k] = Some(part);
            i = stop;
        }
        i += 1;
    }
    let mut declared = std::mem::take(&mut table.declared);
    for (name, value) in params::suggested_values(text) {
        if let Some(p) = declared.iter_mut().find(|p| p.name == name)
            && !p.suggested.contains(&value)
        {
            p.suggested.push(value);
        }
    }
    assemble::assemble(
        file,
        model,
        parts[0].as_ref(),
        parts[1].as_ref(),
        classification(text),
        declared,
    )
}

/// The classification string from a `* classification XXXX-XX-N-M` comment.
fn classification(text: &str) -> Option<String> {
    text.lines().filter(|l| l.starts_with('*')).find_map(|l| {
        let lower = l.to_ascii_lowercase();
        let at = lower.find("classification")?;
        l[at + "classification".len()..]
            .split_whitespace()
            .next()
            .map(str::to_string)
    })
}
