//! Shared by the collection tests and the examples: the order- and sign-invariant fields of
//! `reference/sif_start_point.jsonl` computed from a decoded problem and their comparison
//! with the reference values, the SIF files of a directory, the point near x0 where
//! derivatives are checked, and the examples' command-line paths.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use opal_cutest::{GroupKind, SifProblem};
use opal_problems::SmoothProblem;
use serde_json::Value;

/// The weight w_i = 1 + ((i * 7919) mod 13) / 13 of the reference README.
pub fn weight(i: usize) -> f64 {
    1.0 + ((i * 7919) % 13) as f64 / 13.0
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The reference fields computed from `p` at its start point.
pub fn fields(p: &SifProblem) -> Result<BTreeMap<String, Value>, String> {
    let info = p.info();
    let (n, m) = (info.n(), info.m());
    let w: Vec<f64> = (0..n).map(weight).collect();
    let x0 = &info.x0;
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: f64| {
        out.insert(k.to_string(), num(v));
    };
    put("n", n as f64);
    put("m", m as f64);
    let kinds = p.constraint_kinds();
    let count = |k: GroupKind| kinds.iter().filter(|&&x| x == k).count() as f64;
    put("nle", count(GroupKind::Less));
    put("neq", count(GroupKind::Equal));
    put("nge", count(GroupKind::Greater));
    put("x0_wsum", dot(&w, x0));
    let fin = |v: &f64| v.abs() < 1e20;
    put(
        "n_lower",
        info.lower.iter().filter(|v| fin(v)).count() as f64,
    );
    put(
        "n_upper",
        info.upper.iter().filter(|v| fin(v)).count() as f64,
    );
    let fsum = |b: &[f64]| -> f64 {
        b.iter()
            .zip(&w)
            .filter(|(v, _)| fin(v))
            .map(|(v, wi)| v * wi)
            .sum()
    };
    put("lower_wsum", fsum(&info.lower));
    put("upper_wsum", fsum(&info.upper));
    let mut g = vec![0.0; n];
    let f = p
        .objective_and_gradient(x0, &mut g)
        .map_err(|e| e.to_string())?;
    // The reference reads f = 0 for a constrained problem with no objective group, even if
    // it has a QUADRATIC term (STREGNE); the term stays in the Hessian of the Lagrangian.
    // Without constraints the quadratic term is the objective (DEGDIAG).
    let has_groups = p.num_objective_groups() > 0 || (m == 0 && info.has_objective);
    put("f", if has_groups { f } else { 0.0 });
    if has_groups {
        put("g_wsum", dot(&w, &g));
        put("g_norm", dot(&g, &g).sqrt());
        let mut hw = vec![0.0; n];
        p.hessian_vector(x0, 1.0, &vec![0.0; m], &w, &mut hw)
            .map_err(|e| e.to_string())?;
        put("wHw", dot(&w, &hw));
    }
    if m > 0 {
        let mut c = vec![0.0; m];
        p.constraints(x0, &mut c).map_err(|e| e.to_string())?;
        put("c_sumsq", dot(&c, &c));
        let pat = p.jacobian_pattern();
        let mut jv = vec![0.0; pat.nnz()];
        p.jacobian_values(x0, &mut jv).map_err(|e| e.to_string())?;
        let mut jtc = vec![0.0; n];
        pat.matvec_transpose(&jv, &c, &mut jtc, false);
        put("Jtc_wsum", dot(&w, &jtc));
        put("J_fro", dot(&jv, &jv).sqrt());
        let sigma = if info.has_objective { 1.0 } else { 0.0 };
        let mut hw = vec![0.0; n];
        p.hessian_vector(x0, sigma, &c, &w, &mut hw)
            .map_err(|e| e.to_string())?;
        put("wHLw_y_c", dot(&w, &hw));
    }
    out.insert(
        "pbclass".into(),
        Value::String(format!(
            "C-C{}",
            info.classification.clone().unwrap_or_default()
        )),
    );
    Ok(out)
}

fn num(v: f64) -> Value {
    if v.is_finite() {
        serde_json::json!(v)
    } else {
        Value::String(format!("{v}"))
    }
}

/// True when `a` and `b` agree to relative error `rel` (absolute 1e-12 near zero).
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= (rel * a.abs().max(b.abs())).max(1e-12)
}

/// Fields of `reference` that `mine` gets wrong (name, reference, ours).
pub fn mismatches(
    reference: &serde_json::Map<String, Value>,
    mine: &BTreeMap<String, Value>,
    rel: f64,
) -> Vec<(String, String, String)> {
    let mut bad = Vec::new();
    for (k, rv) in reference {
        if k == "name" || k.ends_with("_err") {
            continue;
        }
        let Some(mv) = mine.get(k) else {
            bad.push((k.clone(), rv.to_string(), "absent".into()));
            continue;
        };
        let ok = match (rv.as_f64(), mv.as_f64()) {
            (Some(a), Some(b)) => close(a, b, rel),
            _ => rv == mv,
        };
        if !ok {
            bad.push((k.clone(), rv.to_string(), mv.to_string()));
        }
    }
    bad
}

/// The reference records, by problem name.
pub fn read_reference(path: &Path) -> Vec<serde_json::Map<String, Value>> {
    let text = std::fs::read_to_string(path).expect("reference file readable");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(m)) => m,
            _ => panic!("bad reference line: {l}"),
        })
        .collect()
}

/// Every `.SIF` file of a directory, sorted.
pub fn sif_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("SIF directory readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sif")))
        .collect();
    files.sort();
    files
}

/// The file that defines problem `name`: `NAME.SIF` if it exists.
pub fn file_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.SIF"))
}

/// A point near `x0`, off the round numbers where some functions have kinks.
pub fn near(x0: &[f64]) -> Vec<f64> {
    x0.iter()
        .enumerate()
        .map(|(i, v)| v + 1e-3 * (1.0 + v.abs()) * ((i * 37 % 11) as f64 / 11.0 - 0.4))
        .collect()
}

/// Command-line argument `k` as a path, or `rel` inside the shared data (`../shared` when
/// it cannot be found).
pub fn path_arg(k: usize, rel: &str) -> PathBuf {
    std::env::args()
        .nth(k)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            opal_problems::shared_data::shared_dir()
                .unwrap_or_else(|| PathBuf::from("../shared"))
                .join(rel)
        })
}

/// The `.SIF` files of `dir` whose stem contains `filter`, with their stems.
pub fn matching_files(dir: &Path, filter: &str) -> Vec<(PathBuf, String)> {
    sif_files(dir)
        .into_iter()
        .filter_map(|f| {
            let stem = f.file_stem()?.to_string_lossy().to_string();
            stem.contains(filter).then_some((f, stem))
        })
        .collect()
}
