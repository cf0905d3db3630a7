"""opal against scnn on the SAME program and gates (issue 6): scnn with its defaults except
unitize_data=False and float64 (see relu_baselines.py), gated by R-FISTA or ReLU by AL;
opal's time to reach scnn's final objective (trace) and to converge. Clarabel's optimum
gives the relative gaps. One JSON line per data set to OUT.

usage: python relu_compare_scnn.py OUT gated|relu NAME=PATH:P[:regression][:bias] ...
"""
import json, os, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
bench = os.path.join(here, "..", "..", "target", "release", "relu_bench")
py = sys.executable
out_path, variant = sys.argv[1], sys.argv[2]
env1 = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env1)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": r.stderr[-300:]}


for spec in sys.argv[3:]:
    name, rest = spec.split("=", 1)
    parts = rest.split(":")
    path, P = parts[0], parts[1]
    extra = [f"--{p}" for p in parts[2:]]
    d = f"/tmp/relu_scnn/{name}_{P}"
    run([bench, "export", path, "--patterns", P, "--seed", "0", "--out", d] + extra)
    ref = run([py, os.path.join(here, "relu_cvxpy.py"), d, "--variant", variant, "--solver", "CLARABEL"])
    sc = run([py, os.path.join(here, "relu_baselines.py"), d, "--scnn", variant])
    solver = "fista" if variant == "gated" else "ipm"
    common = [path, "--variant", variant, "--solver", solver, "--patterns", P, "--seed", "0"] + extra
    tr = run([bench, "trace"] + common + ["--tol", "1e-9", "--target", repr(sc.get("scnn_objective", 0.0))])
    full = run([bench, "solve"] + common + ["--tol", "1e-8" if solver == "ipm" else "1e-9"])
    rec = {"data": name, "P": P, "variant": variant, "clarabel": ref.get("objective"),
           "clarabel_time": ref.get("time"), "scnn": sc, "opal_to_scnn_objective": tr.get("reached"),
           "opal_solver": solver, "opal_time": full.get("time"), "opal_objective": full.get("objective"),
           "opal_cone": full.get("cone_violation"), "opal_status": full.get("status")}
    with open(out_path, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(json.dumps(rec), flush=True)
