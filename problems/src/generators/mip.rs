//! Small random mixed-integer programs for demos and tests, as [`LinearModel`]s (write them
//! with [`LinearModel::write_mps`]): multi-dimensional knapsack, set cover, independent set.

use rand::RngExt;

use super::rng;
use crate::error::ProblemError;
use crate::linear::{LinearModel, Sense};

fn positive(name: &str, v: usize) -> Result<(), ProblemError> {
    if v == 0 {
        Err(ProblemError::parameter(name, "must be positive"))
    } else {
        Ok(())
    }
}

/// A model with `n` binary columns `{prefix}0`, `{prefix}1`, ... costing `cost()` each
/// (drawn in column order).
fn binaries(
    name: String,
    sense: Sense,
    n: usize,
    prefix: &str,
    mut cost: impl FnMut() -> f64,
) -> LinearModel {
    let mut model = LinearModel::new(name, sense);
    for j in 0..n {
        model.add_col(format!("{prefix}{j}"), cost(), 0.0, 1.0, true);
    }
    model
}

/// Multi-dimensional 0/1 knapsack: maximize sum v_j x_j s.t. sum w_ij x_j <= cap_i
/// (`dims` constraints, capacities half the total weight), integer data in [1, 100].
pub fn knapsack(items: usize, dims: usize, seed: u64) -> Result<LinearModel, ProblemError> {
    positive("items", items)?;
    positive("dims", dims)?;
    let mut r = rng(seed);
    let mut model = binaries(format!("KNAP{items}"), Sense::Maximize, items, "x", || {
        r.random_range(1..=100) as f64
    });
    for i in 0..dims {
        let w: Vec<(usize, f64)> = (0..items)
            .map(|j| (j, r.random_range(1..=100) as f64))
            .collect();
        let cap = (w.iter().map(|e| e.1).sum::<f64>() / 2.0).floor();
        model.add_row(format!("cap{i}"), f64::NEG_INFINITY, cap, &w);
    }
    Ok(model)
}

/// Weighted set cover: `elements` items, `sets` sets each holding each element with
/// probability `density` (every element is put in at least one set), costs in [1, 100].
pub fn set_cover(
    elements: usize,
    sets: usize,
    density: f64,
    seed: u64,
) -> Result<LinearModel, ProblemError> {
    positive("elements", elements)?;
    positive("sets", sets)?;
    if !(density > 0.0 && density <= 1.0) {
        return Err(ProblemError::parameter("density", "must lie in (0, 1]"));
    }
    let mut r = rng(seed);
    let name = format!("SCOVER{elements}x{sets}");
    let mut model = binaries(name, Sense::Minimize, sets, "s", || {
        r.random_range(1..=100) as f64
    });
    for e in 0..elements {
        let mut members: Vec<(usize, f64)> = (0..sets)
            .filter(|_| r.random_bool(density))
            .map(|s| (s, 1.0))
            .collect();
        if members.is_empty() {
            members.push((r.random_range(0..sets), 1.0));
        }
        model.add_row(format!("e{e}"), 1.0, f64::INFINITY, &members);
    }
    Ok(model)
}

/// Maximum independent set on an Erdos-Renyi graph G(nodes, edge_prob): maximize sum x_v
/// s.t. x_u + x_v <= 1 on every edge.
pub fn independent_set(
    nodes: usize,
    edge_prob: f64,
    seed: u64,
) -> Result<LinearModel, ProblemError> {
    positive("nodes", nodes)?;
    if !(0.0..=1.0).contains(&edge_prob) {
        return Err(ProblemError::parameter("edge_prob", "must lie in [0, 1]"));
    }
    let mut r = rng(seed);
    let mut model = binaries(
        format!("INDSET{nodes}"),
        Sense::Maximize,
        nodes,
        "v",
        || 1.0,
    );
    for u in 0..nodes {
        for v in u + 1..nodes {
            if r.random_bool(edge_prob) {
                model.add_row(
                    format!("e{u}_{v}"),
                    f64::NEG_INFINITY,
                    1.0,
                    &[(u, 1.0), (v, 1.0)],
                );
            }
        }
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_seed() {
        assert_eq!(
            knapsack(20, 2, 1).unwrap().to_mps(),
            knapsack(20, 2, 1).unwrap().to_mps()
        );
        assert_ne!(
            knapsack(20, 2, 1).unwrap().to_mps(),
            knapsack(20, 2, 2).unwrap().to_mps()
        );
        assert_eq!(
            set_cover(30, 10, 0.2, 4).unwrap(),
            set_cover(30, 10, 0.2, 4).unwrap()
        );
        assert_ne!(
            set_cover(30, 10, 0.2, 4).unwrap(),
            set_cover(30, 10, 0.2, 5).unwrap()
        );
        assert_eq!(
            independent_set(15, 0.3, 2).unwrap(),
            independent_set(15, 0.3, 2).unwrap()
        );
        assert_ne!(
            independent_set(15, 0.3, 2).unwrap(),
            independent_set(15, 0.3, 3).unwrap()
        );
    }

    #[test]
    fn trivial_points_are_feasible() {
        let k = knapsack(10, 3, 0).unwrap();
        assert_eq!(k.max_violation(&[0.0; 10]), 0.0);
        let s = set_cover(25, 8, 0.1, 0).unwrap();
        assert_eq!(s.max_violation(&[1.0; 8]), 0.0);
        assert_eq!(s.num_rows(), 25);
        let g = independent_set(12, 0.5, 0).unwrap();
        assert_eq!(g.max_violation(&[0.0; 12]), 0.0);
        assert!(g.num_rows() > 0);
        assert!(knapsack(0, 1, 0).is_err());
    }
}
