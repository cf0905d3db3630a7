//! A counting global allocator for tests that check "no allocation inside the iteration
//! loop": install it in a test binary, run a solve with [`PerIteration`] as its observer,
//! and read how many allocations happened between consecutive iterates.
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: opal_core::alloc_count::CountingAlloc = opal_core::alloc_count::CountingAlloc::new();
//! let mut per_it = PerIteration::new(&ALLOC, 1000);
//! solve_observed(&problem, &settings, &mut per_it)?;
//! assert_eq!(per_it.max_after(2), 0);
//! ```
//!
//! The count is process-wide (rayon workers included), so keep one test per test binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::observer::{Control, Observer};

/// Counts every allocation and reallocation, then hands it to the system allocator.
pub struct CountingAlloc {
    count: AtomicUsize,
}

impl CountingAlloc {
    /// A counter at zero.
    pub const fn new() -> Self {
        Self {
            count: AtomicUsize::new(0),
        }
    }

    /// Allocations (and reallocations) so far.
    pub fn allocations(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Runs `f` and returns its value with the allocations it made.
    pub fn measure<R>(&self, f: impl FnOnce() -> R) -> (R, usize) {
        let before = self.allocations();
        let r = f();
        (r, self.allocations() - before)
    }
}

impl Default for CountingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counter has no effect on memory.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.count.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.count.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.count.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// An observer that records the allocation count at every iterate (into a buffer sized
/// once, so it does not allocate itself).
pub struct PerIteration<'a> {
    alloc: &'a CountingAlloc,
    counts: Vec<usize>,
}

impl<'a> PerIteration<'a> {
    /// Records up to `capacity` iterates.
    pub fn new(alloc: &'a CountingAlloc, capacity: usize) -> Self {
        Self {
            alloc,
            counts: Vec::with_capacity(capacity),
        }
    }

    /// Allocations between consecutive recorded iterates.
    pub fn deltas(&self) -> Vec<usize> {
        self.counts.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// Iterates recorded.
    pub fn iterates(&self) -> usize {
        self.counts.len()
    }

    /// The most allocations between two consecutive iterates, skipping the first `skip`
    /// intervals (warm-up: workspaces that grow once).
    pub fn max_after(&self, skip: usize) -> usize {
        self.deltas().into_iter().skip(skip).max().unwrap_or(0)
    }
}

impl<I: ?Sized> Observer<I> for PerIteration<'_> {
    fn iteration(&mut self, _info: &I) -> Control {
        if self.counts.len() < self.counts.capacity() {
            self.counts.push(self.alloc.allocations());
        }
        Control::Continue
    }
}
