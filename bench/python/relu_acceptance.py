"""Issue 6 acceptance, time to the same objective: for each data set, export X, y and the
gates once (`relu_bench export`), solve the SAME program with CVXPY+SCS (eps 1e-6) and scnn
(float64, no column unitizing; its returned model is evaluated in opal's objective by
relu_baselines.py), then time opal on the same gates:
  - interior point ("ipm"): one converged solve; its time counts as the time to reach a
    baseline's objective only if its final objective is <= that objective and its cone
    violation is <= 1e-6 (interior-point iterates are not feasible before the end);
  - gated program, ADMM and FISTA: `relu_bench trace` stops the first time the objective
    reaches the baseline's objective (max-iter 100000);
  - ReLU program, ADMM: one solve to tol 1e-6, judged like the interior point (its iterates
    reach low objectives long before they satisfy the cones).
One JSON line per (data, tool) to OUT, single-threaded BLAS for the Python tools.

usage: python relu_acceptance.py OUT gated|relu NAME=PATH:P[:bias] ... [--skip-scs]
       [--skip-scnn] [--skip-admm] [--skip-fista] [--max-iter N] [--work DIR]
       [--relu-bench BIN]
"""
import os
import sys

from relu_common import ENV1, emit, export, parse_spec, parser, run, work_dir


def reaches(r, targets):
    """Whether a converged opal run reached each baseline's objective: objective <= target
    and cone violation <= 1e-6."""
    return {k: bool(r.get("objective", 1e300) <= v and (r.get("cone_violation") or 0.0) <= 1e-6)
            for k, v in targets.items()}


def main():
    ap = parser(__doc__)
    ap.add_argument("out")
    ap.add_argument("variant", choices=["gated", "relu"])
    ap.add_argument("specs", nargs="+", metavar="NAME=PATH:P[:flag]")
    for tool in ["scs", "scnn", "admm", "fista"]:
        ap.add_argument(f"--skip-{tool}", action="store_true")
    ap.add_argument("--max-iter", default="100000")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    bench, py, variant, max_iter = a.relu_bench, sys.executable, a.variant, a.max_iter
    work = work_dir(a)
    for spec in a.specs:
        name, path, P, extra = parse_spec(spec)
        d = os.path.join(work, f"{variant}_{name}_{P}")
        export(bench, path, P, d, extra)
        base = {"data": name, "P": P, "variant": variant}
        targets = {}
        if not a.skip_scs:
            r = run([py, os.path.join(here, "relu_cvxpy.py"), d, "--variant", variant,
                     "--solver", "SCS", "--eps", "1e-6"], ENV1)
            emit(a.out, dict(r, tool="cvxpy+scs", **base))
            if "objective" in r:
                targets["scs"] = r["objective"]
        if not a.skip_scnn:
            r = run([py, os.path.join(here, "relu_baselines.py"), d, "--scnn", variant], ENV1)
            emit(a.out, dict(r, tool="scnn", **base))
            if "scnn_objective" in r:
                targets["scnn"] = r["scnn_objective"]
        common = [path, "--variant", variant, "--patterns", P, "--seed", "0"] + extra
        r = run([bench, "solve"] + common + ["--solver", "ipm", "--tol", "1e-8"])
        emit(a.out, dict(r, tool="opal-ipm", targets=targets, reaches=reaches(r, targets), **base))
        if variant == "relu" and not a.skip_admm:
            # ADMM's iterates violate the cones until late (heart: objective below the optimum
            # with cone violation 0.24 at iteration 25), so a trace on the objective alone is
            # meaningless: one solve to its own tolerance, judged like the interior point.
            r = run([bench, "solve"] + common + ["--solver", "admm", "--tol", "1e-6",
                                                 "--max-iter", max_iter])
            emit(a.out, dict(r, tool="opal-admm", targets=targets, reaches=reaches(r, targets),
                             **base))
        iters = [] if variant != "gated" else [
            s for s, skip in [("admm", a.skip_admm), ("fista", a.skip_fista)] if not skip]
        for solver in iters:
            for k, v in targets.items():
                r = run([bench, "trace"] + common + ["--solver", solver, "--tol", "1e-12",
                                                     "--max-iter", max_iter, "--target", repr(v)])
                emit(a.out, dict(r, tool=f"opal-{solver}", target_of=k, target=v, **base))


if __name__ == "__main__":
    main()
