//! Blind gain calibration instances (Cambareri and Jacques): y_l = diag(d) A_l x,
//! l = 1..p, Gaussian A_l (m x n) and x, gains d with mean 1 and |d_i - 1| <= rho.

use rand::RngExt;
use rand::rngs::StdRng;

use super::{check_noise, gaussian_vec, positive_shape, rng};
use crate::error::ProblemError;

/// A calibration instance with its ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationInstance {
    /// Signal length n.
    pub n: usize,
    /// Number of sensors m.
    pub m: usize,
    /// Number of snapshots p.
    pub p: usize,
    /// Sensing matrices: p blocks, each m x n column-major (block l at offset l m n).
    pub a: Vec<f64>,
    /// Measurements: p blocks of length m.
    pub y: Vec<f64>,
    /// True signal.
    pub x: Vec<f64>,
    /// True gains.
    pub d: Vec<f64>,
}

impl CalibrationInstance {
    /// Sensing matrix l as a column-major slice.
    pub fn a_block(&self, l: usize) -> &[f64] {
        let sz = self.m * self.n;
        &self.a[l * sz..(l + 1) * sz]
    }
}

/// Draws an instance; `noise` is the standard deviation of additive Gaussian noise on y
/// relative to the root-mean-square of the clean measurements.
pub fn instance(
    n: usize,
    m: usize,
    p: usize,
    rho: f64,
    noise: f64,
    seed: u64,
) -> Result<CalibrationInstance, ProblemError> {
    positive_shape(&[n, m, p], "n, m and p")?;
    if !(rho > 0.0 && rho < 1.0) {
        return Err(ProblemError::parameter(
            "rho",
            format!("must lie in (0, 1), got {rho}"),
        ));
    }
    check_noise(noise)?;
    let mut r = rng(seed);
    let x = gaussian_vec(&mut r, n);
    let mut e: Vec<f64> = (0..m).map(|_| r.random_range(-rho..rho)).collect();
    let mean = e.iter().sum::<f64>() / m as f64;
    e.iter_mut().for_each(|v| *v -= mean);
    let worst = e.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if worst > rho {
        e.iter_mut().for_each(|v| *v *= rho / worst);
    }
    let d: Vec<f64> = e.iter().map(|v| 1.0 + v).collect();
    let a = gaussian_vec(&mut r, p * m * n);
    let mut y = vec![0.0; p * m];
    for l in 0..p {
        let blk = &a[l * m * n..(l + 1) * m * n];
        for (j, &xj) in x.iter().enumerate() {
            for i in 0..m {
                y[l * m + i] += blk[i + j * m] * xj;
            }
        }
        for i in 0..m {
            y[l * m + i] *= d[i];
        }
    }
    add_relative_noise(&mut y, noise, &mut r);
    Ok(CalibrationInstance {
        n,
        m,
        p,
        a,
        y,
        x,
        d,
    })
}

/// Adds Gaussian noise of standard deviation `noise` times the root-mean-square of `y`
/// (nothing when `noise` is 0): the noise model of [`instance`], for measurements made
/// with other operators.
pub fn add_relative_noise(y: &mut [f64], noise: f64, r: &mut StdRng) {
    if noise > 0.0 {
        let rms = (y.iter().map(|v| v * v).sum::<f64>() / y.len() as f64).sqrt();
        let z = gaussian_vec(r, y.len());
        y.iter_mut()
            .zip(z)
            .for_each(|(v, zi)| *v += noise * rms * zi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_and_measurements_follow_the_model() {
        let inst = instance(6, 5, 3, 0.5, 0.0, 9).unwrap();
        assert_eq!(inst, instance(6, 5, 3, 0.5, 0.0, 9).unwrap());
        assert_ne!(inst, instance(6, 5, 3, 0.5, 0.0, 10).unwrap());
        let mean = inst.d.iter().sum::<f64>() / 5.0;
        assert!((mean - 1.0).abs() < 1e-12);
        assert!(inst.d.iter().all(|d| (d - 1.0).abs() <= 0.5 + 1e-12));
        let l = 2;
        let a = inst.a_block(l);
        for i in 0..5 {
            let ax: f64 = (0..6).map(|j| a[i + j * 5] * inst.x[j]).sum();
            assert!((inst.d[i] * ax - inst.y[l * 5 + i]).abs() < 1e-12);
        }
        assert!(instance(6, 5, 3, 1.5, 0.0, 1).is_err());
    }
}
