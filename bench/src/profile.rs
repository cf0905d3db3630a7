//! Dolan-More performance profiles: for each solver s, rho_s(tau) is the fraction of
//! problems on which s is within a factor tau of the best solver (failures count as never).

/// Performance ratios r[p][s] = t[p][s] / min_s t[p][s]; `None` (a failure) stays `None`.
/// A problem that no solver solved yields `None` everywhere.
pub fn ratios(times: &[Vec<Option<f64>>]) -> Vec<Vec<Option<f64>>> {
    times
        .iter()
        .map(|row| {
            let best = row.iter().flatten().copied().fold(f64::INFINITY, f64::min);
            row.iter()
                .map(|t| match t {
                    Some(t) if best.is_finite() && best > 0.0 => Some(t / best),
                    Some(_) if best.is_finite() => Some(1.0),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// rho_s(tau) for solver `s` at each `tau`.
pub fn profile(ratios: &[Vec<Option<f64>>], s: usize, taus: &[f64]) -> Vec<f64> {
    let np = ratios.len().max(1) as f64;
    taus.iter()
        .map(|&tau| {
            ratios
                .iter()
                .filter(|row| matches!(row[s], Some(r) if r <= tau))
                .count() as f64
                / np
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_counts_wins_and_failures() {
        let t = vec![
            vec![Some(1.0), Some(2.0)],
            vec![Some(4.0), Some(2.0)],
            vec![None, Some(3.0)],
            vec![None, None],
        ];
        let r = ratios(&t);
        assert_eq!(r[0], vec![Some(1.0), Some(2.0)]);
        assert_eq!(r[1], vec![Some(2.0), Some(1.0)]);
        assert_eq!(r[3], vec![None, None]);
        assert_eq!(profile(&r, 0, &[1.0, 2.0]), vec![0.25, 0.5]);
        assert_eq!(profile(&r, 1, &[1.0, 2.0]), vec![0.5, 0.75]);
    }
}
