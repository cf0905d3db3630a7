//! The catalogue of built-in problems and generators, and the `name:args` spec strings the
//! CLI and Python use to name them (`pde:N=100`, `logreg:PATH`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::ProblemError;
use crate::formats::libsvm::read_libsvm;
use crate::instances::{logreg::ConstrainedLogReg, pde::PdeControl};
use crate::smooth::SmoothProblem;

/// One documented parameter of a built-in problem or generator.
#[derive(Debug, Clone, Copy)]
pub struct ParamDoc {
    /// Parameter name as typed by the user.
    pub name: &'static str,
    /// Default value, as text.
    pub default: &'static str,
    /// What it controls.
    pub help: &'static str,
}

/// A built-in problem family or generator.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Name used in specs.
    pub name: &'static str,
    /// How to write it.
    pub usage: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Its parameters.
    pub params: &'static [ParamDoc],
}

const fn p(name: &'static str, default: &'static str, help: &'static str) -> ParamDoc {
    ParamDoc {
        name,
        default,
        help,
    }
}

/// Built-in smooth problems.
pub const PROBLEMS: &[Entry] = &[
    Entry {
        name: "pde",
        usage: "pde:N=100",
        description: "PDE-constrained control on an N x N grid (n = 2N^2, m = N^2 equalities)",
        params: &[p("N", "3", "interior grid points per side")],
    },
    Entry {
        name: "logreg",
        usage: "logreg:PATH [--param rows=10 --param seed=0]",
        description: "logistic regression on a LIBSVM file with rows random linear equalities and ||x||^2 = 1",
        params: &[
            p("rows", "10", "number of random linear equality constraints"),
            p("seed", "0", "seed of the random constraint data"),
            p(
                "features",
                "largest index",
                "number of features (widens the file's)",
            ),
        ],
    },
];

/// Instance generators (`opal generate`).
pub const GENERATORS: &[Entry] = &[
    Entry {
        name: "knapsack",
        usage: "knapsack:items=50,dims=5",
        description: "multi-dimensional 0/1 knapsack MIP (maximize), written as MPS",
        params: &[
            p("items", "50", "number of items"),
            p("dims", "5", "number of capacity constraints"),
            p("seed", "0", "random seed"),
        ],
    },
    Entry {
        name: "setcover",
        usage: "setcover:elements=200,sets=100",
        description: "weighted set cover MIP (minimize), written as MPS",
        params: &[
            p("elements", "200", "elements to cover"),
            p("sets", "100", "candidate sets"),
            p("density", "0.05", "probability that a set holds an element"),
            p("seed", "0", "random seed"),
        ],
    },
    Entry {
        name: "indset",
        usage: "indset:nodes=100,edge_prob=0.05",
        description: "maximum independent set MIP on a random graph, written as MPS",
        params: &[
            p("nodes", "100", "graph nodes"),
            p("edge_prob", "0.05", "edge probability"),
            p("seed", "0", "random seed"),
        ],
    },
    Entry {
        name: "completion",
        usage: "completion:m=1000,n=1000,rank=5",
        description: "random rank-k matrix with observed entries, written as MatrixMarket coordinates",
        params: &[
            p("m", "1000", "rows"),
            p("n", "1000", "columns"),
            p("rank", "5", "rank k"),
            p(
                "oversampling",
                "5",
                "|Omega| = oversampling * k (m + n - k)",
            ),
            p("noise", "0", "standard deviation of additive noise"),
            p("seed", "0", "random seed"),
        ],
    },
];

/// Parameters given as `name=value` pairs, consumed with typed getters; anything left
/// unconsumed is reported by [`Params::finish`] so that typos do not pass silently.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Parses `a=1,b=2` (the part of a spec after the colon).
    pub fn parse_list(text: &str) -> Result<Self, ProblemError> {
        let mut out = Self::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            out.insert_pair(item)?;
        }
        Ok(out)
    }

    /// Adds one `name=value` pair (later pairs win).
    pub fn insert_pair(&mut self, item: &str) -> Result<(), ProblemError> {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| ProblemError::parameter(item, "expected NAME=VALUE"))?;
        self.values
            .insert(k.trim().to_string(), v.trim().to_string());
        Ok(())
    }

    /// Adds `name = value`.
    pub fn insert(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    fn take<T: std::str::FromStr>(
        &mut self,
        names: &[&str],
        default: T,
    ) -> Result<T, ProblemError> {
        for name in names {
            if let Some(v) = self.values.remove(*name) {
                return v
                    .parse()
                    .map_err(|_| ProblemError::parameter(*name, format!("cannot parse '{v}'")));
            }
        }
        Ok(default)
    }

    /// Takes an unsigned integer parameter (any of the given spellings).
    pub fn usize(&mut self, names: &[&str], default: usize) -> Result<usize, ProblemError> {
        self.take(names, default)
    }

    /// Takes a seed.
    pub fn u64(&mut self, names: &[&str], default: u64) -> Result<u64, ProblemError> {
        self.take(names, default)
    }

    /// Takes a real parameter; NaN and infinities are refused.
    pub fn f64(&mut self, names: &[&str], default: f64) -> Result<f64, ProblemError> {
        let v: f64 = self.take(names, default)?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ProblemError::parameter(
                names[0],
                format!("{v} is not finite"),
            ))
        }
    }

    /// Takes a text parameter, if present.
    pub fn take_string(&mut self, name: &str) -> Option<String> {
        self.values.remove(name)
    }

    /// Optional unsigned integer.
    pub fn opt_usize(&mut self, name: &str) -> Result<Option<usize>, ProblemError> {
        match self.values.remove(name) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ProblemError::parameter(name, format!("cannot parse '{v}'"))),
        }
    }

    /// Fails if any parameter was not used by the problem.
    pub fn finish(self, what: &str) -> Result<(), ProblemError> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(k) => Err(ProblemError::parameter(
                k.clone(),
                format!("unknown parameter for {what}"),
            )),
        }
    }
}

/// Splits `name:args` into its parts.
pub fn split_spec(spec: &str) -> (&str, &str) {
    spec.split_once(':').unwrap_or((spec, ""))
}

/// True when `spec` names a built-in problem (rather than a file).
pub fn is_builtin(spec: &str) -> bool {
    let (name, _) = split_spec(spec);
    PROBLEMS.iter().any(|e| e.name.eq_ignore_ascii_case(name))
}

/// A built-in problem, owned and sendable to another thread.
pub type BoxedProblem = Box<dyn SmoothProblem + Send>;

/// Builds a built-in problem from its spec and extra `name=value` parameters.
pub fn load_builtin(spec: &str, mut extra: Params) -> Result<BoxedProblem, ProblemError> {
    let (name, args) = split_spec(spec);
    match name.to_ascii_lowercase().as_str() {
        "pde" => {
            let mut params = Params::parse_list(args)?;
            params.values.append(&mut extra.values);
            let n = params.usize(&["N", "n"], 3)?;
            params.finish("pde")?;
            Ok(Box::new(PdeControl::new(n)?))
        }
        "logreg" => {
            if args.is_empty() {
                return Err(ProblemError::parameter(
                    "PATH",
                    "logreg needs a LIBSVM file: logreg:PATH",
                ));
            }
            let path = Path::new(args);
            let rows = extra.usize(&["rows"], crate::instances::logreg::DEFAULT_ROWS)?;
            let seed = extra.u64(&["seed"], 0)?;
            let features = extra.opt_usize("features")?;
            extra.finish("logreg")?;
            let data = read_libsvm(path, features)?;
            let stem = path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Box::new(ConstrainedLogReg::new(
                &format!("logreg-{stem}"),
                data,
                rows,
                seed,
            )?))
        }
        _ => Err(ProblemError::Unknown(spec.to_string())),
    }
}

/// What a generator produced.
#[derive(Debug, Clone)]
pub enum Generated {
    /// A mixed-integer program.
    Mip(crate::linear::LinearModel),
    /// A completion instance with its ground truth.
    Completion(crate::generators::completion::CompletionInstance),
}

/// Runs a generator from its spec (`knapsack:items=50`) and extra parameters.
pub fn generate(spec: &str, mut extra: Params) -> Result<Generated, ProblemError> {
    use crate::generators::{completion, mip};
    let (name, args) = split_spec(spec);
    let mut params = Params::parse_list(args)?;
    params.values.append(&mut extra.values);
    let seed = params.u64(&["seed"], 0)?;
    let name = name.to_ascii_lowercase();
    let out = match name.as_str() {
        "knapsack" => {
            let items = params.usize(&["items"], 50)?;
            let dims = params.usize(&["dims"], 5)?;
            Generated::Mip(mip::knapsack(items, dims, seed)?)
        }
        "setcover" => {
            let elements = params.usize(&["elements"], 200)?;
            let sets = params.usize(&["sets"], 100)?;
            let density = params.f64(&["density"], 0.05)?;
            Generated::Mip(mip::set_cover(elements, sets, density, seed)?)
        }
        "indset" => {
            let nodes = params.usize(&["nodes"], 100)?;
            let prob = params.f64(&["edge_prob"], 0.05)?;
            Generated::Mip(mip::independent_set(nodes, prob, seed)?)
        }
        "completion" => {
            let m = params.usize(&["m"], 1000)?;
            let n = params.usize(&["n"], 1000)?;
            let k = params.usize(&["rank", "k"], 5)?;
            let over = params.f64(&["oversampling"], 5.0)?;
            let noise = params.f64(&["noise"], 0.0)?;
            let observed = (over * (k * (m + n).saturating_sub(k)) as f64).round() as usize;
            Generated::Completion(completion::low_rank(m, n, k, observed, noise, seed)?)
        }
        _ => return Err(ProblemError::Unknown(spec.to_string())),
    };
    params.finish(&name)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pde_spec_and_params() {
        let p = load_builtin("pde:N=4", Params::default()).unwrap();
        assert_eq!(p.info().n(), 32);
        let mut extra = Params::default();
        extra.insert("N", "2");
        assert_eq!(load_builtin("pde", extra).unwrap().info().m(), 4);
        let e = load_builtin("pde:N=4,M=3", Params::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("M") && e.contains("unknown parameter"), "{e}");
        let e = load_builtin("pde:N=x", Params::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("cannot parse 'x'"), "{e}");
        assert!(matches!(
            load_builtin("nope", Params::default()),
            Err(ProblemError::Unknown(_))
        ));
        assert!(is_builtin("PDE:N=3") && !is_builtin("HS6.SIF"));
    }

    #[test]
    fn generators_by_spec() {
        match generate("knapsack:items=7", Params::default()).unwrap() {
            Generated::Mip(m) => assert_eq!(m.num_cols(), 7),
            other => panic!("{other:?}"),
        }
        match generate(
            "completion:m=20,n=10,rank=2,oversampling=2",
            Params::default(),
        )
        .unwrap()
        {
            Generated::Completion(c) => assert_eq!(c.observed.len(), 2 * 2 * 28),
            other => panic!("{other:?}"),
        }
        assert!(generate("knapsack:itemz=7", Params::default()).is_err());
        assert!(generate("foo", Params::default()).is_err());
    }

    #[test]
    fn logreg_missing_file_names_it() {
        let e = load_builtin("logreg:/no/such/file", Params::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("/no/such/file"), "{e}");
    }
}
