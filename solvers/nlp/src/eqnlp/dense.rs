//! Dense copies of the sparse Hessian and Jacobian for the small-problem paths (exact
//! curvature analysis, dense Newton systems of auglag), written into matrices sized once.

use faer::MatMut;
use opal_problems::SparsityPattern;

/// a = the symmetric matrix (both triangles) of a lower-triangle pattern; duplicates summed.
pub(crate) fn fill_symmetric(pattern: &SparsityPattern, values: &[f64], mut a: MatMut<'_, f64>) {
    a.fill(0.0);
    for ((r, c), v) in pattern.iter().zip(values) {
        a[(r, c)] += v;
        if r != c {
            a[(c, r)] += v;
        }
    }
}

/// a = the matrix of a general pattern (duplicates summed).
pub(crate) fn fill_general(pattern: &SparsityPattern, values: &[f64], mut a: MatMut<'_, f64>) {
    a.fill(0.0);
    for ((r, c), v) in pattern.iter().zip(values) {
        a[(r, c)] += v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_copies() {
        let p = SparsityPattern::new(2, 2, vec![0, 1, 1], vec![0, 0, 0]);
        let mut a = faer::Mat::<f64>::from_fn(2, 2, |_, _| 9.0);
        fill_symmetric(&p, &[1.0, 2.0, 3.0], a.as_mut());
        assert_eq!(
            (a[(0, 0)], a[(1, 0)], a[(0, 1)], a[(1, 1)]),
            (1.0, 5.0, 5.0, 0.0)
        );
        fill_general(&p, &[1.0, 2.0, 3.0], a.as_mut());
        assert_eq!(
            (a[(0, 0)], a[(1, 0)], a[(0, 1)], a[(1, 1)]),
            (1.0, 5.0, 0.0, 0.0)
        );
    }
}
