//! The counting allocator sees allocations made between iterates, and none when there are
//! none (the check every family's no-allocation test relies on).

use opal_core::alloc_count::{CountingAlloc, PerIteration};
use opal_core::{Budget, NoObserver, Observer, Observers, Run, Start};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

fn looped(budget: &Budget, observer: &mut dyn Observer<usize>, allocate_from: usize) -> usize {
    let mut run = Run::start(
        budget,
        observer,
        Start {
            solver: "t",
            problem: "p",
        },
    );
    let mut kept = Vec::with_capacity(4);
    let mut k = 0;
    while run.iteration(k, &k).is_none() {
        if k >= allocate_from {
            kept.push(vec![k; 3]);
        }
        k += 1;
    }
    kept.len()
}

#[test]
fn counts_allocations_between_iterates() {
    let budget = Budget::iterations(20);
    let mut per_it = PerIteration::new(&ALLOC, 64);
    let mut none = NoObserver;
    let mut both = Observers::new().with(&mut per_it).with(&mut none);
    looped(&budget, &mut both, usize::MAX);
    drop(both);
    assert_eq!(per_it.iterates(), 21);
    assert_eq!(per_it.max_after(0), 0, "{:?}", per_it.deltas());

    let mut per_it = PerIteration::new(&ALLOC, 64);
    looped(&budget, &mut per_it, 10);
    let d = per_it.deltas();
    assert!(d[..10].iter().all(|&x| x == 0), "{d:?}");
    assert!(d[10..].iter().all(|&x| x >= 1), "{d:?}");
    let (_, n) = ALLOC.measure(|| vec![1u8; 10]);
    assert_eq!(n, 1);
}
