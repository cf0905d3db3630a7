//! The filter of the line search (Wächter & Biegler 2006, section 2.3): pairs
//! (theta, phi) of constraint violation and barrier objective that a trial point must
//! improve on in at least one of the two.

/// The filter: a set of forbidden corners (theta_j, phi_j).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    entries: Vec<(f64, f64)>,
}

impl Filter {
    /// An empty filter with room for `capacity` entries (sized once).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Forgets every entry and forbids theta >= theta_max.
    pub fn reset(&mut self, theta_max: f64) {
        self.entries.clear();
        self.entries.push((theta_max, f64::NEG_INFINITY));
    }

    /// True when (theta, phi) is not dominated by any entry.
    pub fn acceptable(&self, theta: f64, phi: f64) -> bool {
        self.entries.iter().all(|&(t, p)| theta < t || phi < p)
    }

    /// Adds the corner (theta, phi), dropping entries it dominates.
    pub fn add(&mut self, theta: f64, phi: f64) {
        self.entries.retain(|&(t, p)| !(t >= theta && p >= phi));
        self.entries.push((theta, phi));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominance() {
        let mut f = Filter::with_capacity(8);
        f.reset(10.0);
        assert!(f.acceptable(5.0, 100.0));
        assert!(!f.acceptable(11.0, -1e30));
        f.add(1.0, 1.0);
        assert!(f.acceptable(0.5, 2.0));
        assert!(f.acceptable(2.0, 0.5));
        assert!(!f.acceptable(1.5, 1.5));
        f.add(0.5, 0.5);
        assert_eq!(
            f.entries.len(),
            2,
            "(1, 1) is dominated by (0.5, 0.5) and dropped"
        );
    }
}
