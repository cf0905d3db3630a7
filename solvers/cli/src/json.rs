//! JSON helpers: non-finite numbers as strings, infinite bounds as null.

use serde_json::{Value, json};

/// A number, or "nan" / "inf" / "-inf" when it is not finite.
pub fn num(v: f64) -> Value {
    if v.is_nan() {
        json!("nan")
    } else if v == f64::INFINITY {
        json!("inf")
    } else if v == f64::NEG_INFINITY {
        json!("-inf")
    } else {
        json!(v)
    }
}

/// A vector of numbers.
pub fn nums(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|&x| num(x)).collect())
}

/// A vector of bounds: infinite entries become null.
pub fn bounds(v: &[f64]) -> Value {
    Value::Array(
        v.iter()
            .map(|&x| if x.is_infinite() { Value::Null } else { num(x) })
            .collect(),
    )
}

/// `[row, col, value]` triplets.
pub fn triplets(t: &[(usize, usize, f64)]) -> Value {
    Value::Array(t.iter().map(|&(r, c, v)| json!([r, c, num(v)])).collect())
}

/// Evaluation counts of a smooth solver: f, grad f, c, J and Hessian.
pub fn evaluations(
    objective: usize,
    gradient: usize,
    constraints: usize,
    jacobian: usize,
    hessian: usize,
) -> Value {
    json!({
        "objective": objective,
        "gradient": gradient,
        "constraints": constraints,
        "jacobian": jacobian,
        "hessian": hessian,
    })
}
