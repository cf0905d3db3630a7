"""ReLU-program comparison for issue 6: opal (interior point, and ADMM where asked) against
CVXPY + SCS, CVXPY + Clarabel and scnn's augmented Lagrangian, all on the same data and gates
(exported by `relu_bench export`), timed in this one script. Appends one JSON line per
(data, tool) to OUT and prints a markdown table row.

usage: python relu_compare_relu.py OUT NAME=PATH:P[:regression][:bias] ... [--admm]
       [--skip-clarabel] [--skip-scs] [--skip-scnn] [--work DIR] [--relu-bench BIN]
"""
import os
import sys

from relu_common import ENV1, emit, export, parse_spec, parser, run, work_dir


def main():
    ap = parser(__doc__)
    ap.add_argument("out")
    ap.add_argument("specs", nargs="+", metavar="NAME=PATH:P[:flag]")
    ap.add_argument("--admm", action="store_true", help="also time opal's ADMM")
    for tool in ["clarabel", "scs", "scnn"]:
        ap.add_argument(f"--skip-{tool}", action="store_true")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    bench, py, work = a.relu_bench, sys.executable, work_dir(a)
    skip = {t for t in ["clarabel", "scs", "scnn"] if getattr(a, f"skip_{t}")}
    for spec in a.specs:
        name, path, P, extra = parse_spec(spec)
        d = os.path.join(work, f"{name}_{P}")
        export(bench, path, P, d, extra)
        base = {"data": name, "n": None, "P": P}
        ref = None
        for solver, eps in [("CLARABEL", None), ("SCS", "1e-6")]:
            if solver.lower() in skip:
                continue
            cmd = [py, os.path.join(here, "relu_cvxpy.py"), d, "--variant", "relu", "--solver",
                   solver]
            if eps:
                cmd += ["--eps", eps]
            r = run(cmd, ENV1)
            r.update(base, tool=f"cvxpy+{solver.lower()}")
            emit(a.out, r)
            if solver == "CLARABEL" and "objective" in r:
                ref = r["objective"]
        if "scnn" not in skip:
            r = run([py, os.path.join(here, "relu_baselines.py"), d, "--scnn", "relu"], ENV1)
            r.update(base, tool="scnn-al")
            emit(a.out, r)
        for solver, tol in [("ipm", "1e-8")] + ([("admm", "1e-6")] if a.admm else []):
            cmd = [bench, "solve" if solver == "ipm" else "trace", path, "--variant", "relu",
                   "--solver", solver, "--patterns", P, "--tol", tol, "--seed", "0"] + extra
            if ref is not None:
                cmd += ["--target", repr(ref * (1 + 1e-5))]
            r = run(cmd, ENV1)
            r.update(base, tool=f"opal-{solver}", reference=ref)
            emit(a.out, r)


if __name__ == "__main__":
    main()
