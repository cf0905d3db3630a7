//! The structured QP fuzz target's checks (`solvers/nlp/fuzz/checks.rs`) run by `cargo
//! test` over pseudo-random cases, so CI covers the target's logic without nightly.

#[path = "../fuzz/checks.rs"]
mod checks;
#[path = "../../../problems/fuzz/mutate.rs"]
mod mutate;

#[test]
fn small_convex_qps_solve_consistently() {
    let mut byte = mutate::bytes(1);
    for case in 0..60u8 {
        let values: Vec<i8> = (0..40).map(|_| byte() as i8).collect();
        checks::check(&checks::Qp::new(case, case / 5, &values));
    }
    // all-zero data: Q = 1e-3 I, c = 0; the optimum is x = 0
    checks::check(&checks::Qp::new(4, 3, &[]));
}
