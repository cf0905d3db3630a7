//! Small dense vector kernels used throughout the equality-constrained solvers.

/// x^T y.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// ||x||_2.
#[inline]
pub fn norm(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

/// ||(x, y)||_2.
#[inline]
pub fn norm2(x: &[f64], y: &[f64]) -> f64 {
    (dot(x, x) + dot(y, y)).sqrt()
}

/// max_i |x_i| (0 for an empty vector).
#[inline]
pub fn norm_inf(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// y += a x.
#[inline]
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += a * xi);
}

/// out = x + a y.
#[inline]
pub fn add_scaled(x: &[f64], a: f64, y: &[f64], out: &mut [f64]) {
    for ((o, xi), yi) in out.iter_mut().zip(x).zip(y) {
        *o = xi + a * yi;
    }
}

/// Dense symmetric matrix (row-major, both triangles) from a lower-triangle pattern.
pub fn dense_symmetric(
    pattern: &opal_problems::SparsityPattern,
    values: &[f64],
    n: usize,
) -> faer::Mat<f64> {
    let mut a = faer::Mat::<f64>::zeros(n, n);
    for ((r, c), v) in pattern.iter().zip(values) {
        a[(r, c)] += v;
        if r != c {
            a[(c, r)] += v;
        }
    }
    a
}

/// Dense matrix from a general pattern (duplicates summed).
pub fn dense_general(pattern: &opal_problems::SparsityPattern, values: &[f64]) -> faer::Mat<f64> {
    let mut a = faer::Mat::<f64>::zeros(pattern.nrows(), pattern.ncols());
    for ((r, c), v) in pattern.iter().zip(values) {
        a[(r, c)] += v;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels() {
        let x = [3.0, -4.0];
        assert_eq!(norm(&x), 5.0);
        assert_eq!(norm_inf(&x), 4.0);
        assert_eq!(norm2(&x, &[12.0]), 13.0);
        let mut y = [1.0, 1.0];
        axpy(2.0, &x, &mut y);
        assert_eq!(y, [7.0, -7.0]);
        let mut o = [0.0; 2];
        add_scaled(&x, -1.0, &y, &mut o);
        assert_eq!(o, [-4.0, 3.0]);
    }
}
