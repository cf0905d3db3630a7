//! Small dense vector kernels on slices shared by the solvers (dot products, norms, axpy),
//! written once here. Sums run left to right, so results are reproducible bit for bit
//! across runs and thread counts; hot kernels that need split accumulators or SIMD keep
//! their own versions beside their loops (completion's `dense` module).

/// x^T y.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len());
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// ||x||_2.
#[inline]
pub fn norm(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

/// ||(x, y)||_2 of the stacked vector.
#[inline]
pub fn norm2(x: &[f64], y: &[f64]) -> f64 {
    (dot(x, x) + dot(y, y)).sqrt()
}

/// max_i |x_i| (0 for an empty vector; NaN entries are skipped by `f64::max`).
#[inline]
pub fn norm_inf(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// y += a x.
#[inline]
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += a * xi);
}

/// out = x + a y.
#[inline]
pub fn add_scaled(x: &[f64], a: f64, y: &[f64], out: &mut [f64]) {
    for ((o, xi), yi) in out.iter_mut().zip(x).zip(y) {
        *o = xi + a * yi;
    }
}

/// x *= a.
#[inline]
pub fn scale(a: f64, x: &mut [f64]) {
    x.iter_mut().for_each(|v| *v *= a);
}

/// True when every entry is finite.
#[inline]
pub fn all_finite(x: &[f64]) -> bool {
    x.iter().all(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels() {
        let x = [3.0, -4.0];
        assert_eq!(dot(&x, &x), 25.0);
        assert_eq!(norm(&x), 5.0);
        assert_eq!(norm_inf(&x), 4.0);
        assert_eq!(norm_inf(&[]), 0.0);
        assert_eq!(norm2(&x, &[12.0]), 13.0);
        let mut y = [1.0, 1.0];
        axpy(2.0, &x, &mut y);
        assert_eq!(y, [7.0, -7.0]);
        let mut o = [0.0; 2];
        add_scaled(&x, -1.0, &y, &mut o);
        assert_eq!(o, [-4.0, 3.0]);
        scale(0.5, &mut o);
        assert_eq!(o, [-2.0, 1.5]);
        assert!(all_finite(&o));
        assert!(!all_finite(&[1.0, f64::NAN]));
    }
}
