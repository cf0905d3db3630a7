"""opal against scnn on the SAME program and gates (issue 6): scnn with its defaults except
unitize_data=False and float64 (see relu_baselines.py), gated by R-FISTA or ReLU by AL;
opal's time to reach scnn's final objective (trace) and to converge. Clarabel's optimum
gives the relative gaps. One JSON line per data set to OUT.

usage: python relu_compare_scnn.py OUT gated|relu NAME=PATH:P[:regression][:bias] ...
       [--work DIR] [--relu-bench BIN]
"""
import os
import sys

from relu_common import ENV1, emit, export, parse_spec, parser, run, work_dir


def main():
    ap = parser(__doc__)
    ap.add_argument("out")
    ap.add_argument("variant", choices=["gated", "relu"])
    ap.add_argument("specs", nargs="+", metavar="NAME=PATH:P[:flag]")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    bench, py, variant, work = a.relu_bench, sys.executable, a.variant, work_dir(a)
    for spec in a.specs:
        name, path, P, extra = parse_spec(spec)
        d = os.path.join(work, f"{name}_{P}")
        export(bench, path, P, d, extra)
        ref = run([py, os.path.join(here, "relu_cvxpy.py"), d, "--variant", variant,
                   "--solver", "CLARABEL"], ENV1)
        sc = run([py, os.path.join(here, "relu_baselines.py"), d, "--scnn", variant], ENV1)
        solver = "fista" if variant == "gated" else "ipm"
        common = [path, "--variant", variant, "--solver", solver, "--patterns", P,
                  "--seed", "0"] + extra
        tr = run([bench, "trace"] + common + ["--tol", "1e-9", "--target",
                                              repr(sc.get("scnn_objective", 0.0))])
        full = run([bench, "solve"] + common + ["--tol", "1e-8" if solver == "ipm" else "1e-9"])
        rec = {"data": name, "P": P, "variant": variant, "clarabel": ref.get("objective"),
               "clarabel_time": ref.get("time"), "scnn": sc,
               "opal_to_scnn_objective": tr.get("reached"), "opal_solver": solver,
               "opal_time": full.get("time"), "opal_objective": full.get("objective"),
               "opal_cone": full.get("cone_violation"), "opal_status": full.get("status")}
        emit(a.out, rec)


if __name__ == "__main__":
    main()
