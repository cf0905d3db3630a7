"""ReLU-program comparison for issue 6: opal (interior point, and ADMM where asked) against
CVXPY + SCS, CVXPY + Clarabel and scnn's augmented Lagrangian, all on the same data and gates
(exported by `relu_bench export`), timed in this one script. Appends one JSON line per
(data, tool) to OUT and prints a markdown table row.

usage: python relu_compare_relu.py OUT NAME=PATH:P[:regression][:bias] ... [--admm]
"""
import json, os, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", ".."))
bench = os.path.join(root, "target", "release", "relu_bench")
py = sys.executable
out_path = sys.argv[1]
specs = [s for s in sys.argv[2:] if not s.startswith("--")]
flags = [s for s in sys.argv[2:] if s.startswith("--")]
skip = {f[len("--skip-"):] for f in flags if f.startswith("--skip-")}


def run(cmd, env=None):
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.time() - t0
    line = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if r.returncode != 0 or not line:
        return {"error": r.stderr[-400:], "wall": wall}
    d = json.loads(line[-1])
    d["wall"] = wall
    return d


def emit(rec):
    with open(out_path, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(json.dumps(rec), flush=True)


env1 = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
for spec in specs:
    name, rest = spec.split("=", 1)
    parts = rest.split(":")
    path, P = parts[0], parts[1]
    extra = [f"--{p}" for p in parts[2:]]
    d = f"/tmp/relu_cmp2/{name}_{P}"
    exp = run([bench, "export", path, "--patterns", P, "--seed", "0", "--out", d] + extra)
    base = {"data": name, "n": None, "P": P}
    ref = None
    for solver, eps in [("CLARABEL", None), ("SCS", "1e-6")]:
        if solver.lower() in skip:
            continue
        cmd = [py, os.path.join(here, "relu_cvxpy.py"), d, "--variant", "relu", "--solver", solver]
        if eps:
            cmd += ["--eps", eps]
        r = run(cmd, env1)
        r.update(base, tool=f"cvxpy+{solver.lower()}")
        emit(r)
        if solver == "CLARABEL" and "objective" in r:
            ref = r["objective"]
    if "scnn" not in skip:
        r = run([py, os.path.join(here, "relu_baselines.py"), d, "--scnn", "relu"], env1)
        r.update(base, tool="scnn-al")
        emit(r)
    for solver, tol in [("ipm", "1e-8")] + ([("admm", "1e-6")] if "--admm" in flags else []):
        cmd = [bench, "solve" if solver == "ipm" else "trace", path, "--variant", "relu", "--solver", solver, "--patterns", P,
               "--tol", tol, "--seed", "0"] + extra
        if ref is not None:
            cmd += ["--target", repr(ref * (1 + 1e-5))]
        r = run(cmd, env1)
        r.update(base, tool=f"opal-{solver}", reference=ref)
        emit(r)
