//! A cancellation flag shared between a running solver and whoever may stop it (a signal
//! handler, a GUI, the Python bindings' Ctrl-C check): cheap to clone, checked by the
//! solver at its regular stopping tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared stop request. Clones share the flag; equality is identity of the flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every holder's solver to stop at its next check.
    pub fn trigger(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once [`trigger`](Self::trigger) was called on any clone.
    pub fn is_triggered(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl PartialEq for Interrupt {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let a = Interrupt::new();
        let b = a.clone();
        assert!(!b.is_triggered());
        a.trigger();
        assert!(b.is_triggered());
        assert_eq!(a, b);
        assert_ne!(a, Interrupt::new());
    }
}
