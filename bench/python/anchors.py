"""The Python anchors of the benchmark harness: scipy.optimize.minimize (trust-constr, SLSQP)
on the NLP suites, the Python Balans 2.2.0 (over SCIP) on miplib, fancyimpute's SoftImpute
on completion, and CVXPY (SCS, Clarabel) and scnn on relu, on the problem lists the harness
itself prints (`harness list`; `harness export completion|relu DIR` for the generated
instances), writing rows in the harness's record format (`harness record` gives the empty
record) to bench/results/harness/anchors.jsonl (`harness report` merges them into
bench/RESULTS.md).

    target/anchors-venv/bin/python bench/python/anchors.py [SUITE ...] [--quick]
        [--solvers scipy-trust-constr,scipy-slsqp,balans-py,...] [--time-limit S]
        [--harness BIN] [--instances DIR] [--out DIR] [--problems REGEX]

This script only measures: status, iterations, time, objective, KKT residual, recovery
error. What counts as solved, the primal gap and the match with the reference objective are
the harness's rules (`harness judge FILE`, run on anchors.jsonl after the runs, and again
when the report reads it). A missing optional package (cvxpy, scnn, fancyimpute, balans)
gives a SKIPPED line naming it and `not_installed` rows.

Setup: bench/scripts/install_anchors.sh. Each solve runs in its own subprocess (one at a
time), killed 30 s after the suite's time limit when the solver does not stop by itself.

The KKT residual of an NLP answer is ||(grad f + J^T y, c - cl)||_2 recomputed from opal's
callbacks, with y the least-squares multiplier estimate at scipy's x (the y minimising the
norm, so no sign convention of scipy's multipliers enters); the harness calls it solved at
<= 1e-6. The relu anchors solve the suite's gated program on the gates the harness exported;
their status is `converged` when the solver reports an optimal answer.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NLP_SUITES = ["cutest-paper", "cutest-eq", "logreg", "pde", "cutest-ineq"]
EXPORTED = ["completion", "relu"]
SUITES = NLP_SUITES + ["miplib"] + EXPORTED
SUITE_SOLVERS = {s: ["scipy-trust-constr", "scipy-slsqp"] for s in NLP_SUITES}
SUITE_SOLVERS["miplib"] = ["balans-py"]
SUITE_SOLVERS["completion"] = ["softimpute"]
SUITE_SOLVERS["relu"] = ["cvxpy-scs", "cvxpy-clarabel", "scnn"]
# The Python packages each anchor needs.
NEEDS = {"balans-py": ["opal", "balans", "pyscipopt"], "softimpute": ["scipy", "fancyimpute"],
         "cvxpy-scs": ["cvxpy", "scs"], "cvxpy-clarabel": ["cvxpy", "clarabel"],
         "scnn": ["scnn", "torch"]}
# SoftImpute's stopping test: relative change of the imputed entries between iterations.
SOFTIMPUTE_THRESHOLD = 1e-6
SOFTIMPUTE_MAX_ITERS = 100000
# trust-constr's gtol / barrier_tol: the harness's KKT tolerance.
KKT_TOL = 1e-6
# cutest-ineq: a bound or constraint side counts as active within this relative distance.
ACTIVE_TOL = 1e-5
# Seconds a worker may run past the time limit (interpreter start and imports included);
# ANCHORS_GRACE_S raises it on a loaded machine.
GRACE_S = float(os.environ.get("ANCHORS_GRACE_S", "30"))
MARK = "ANCHOR-RECORD "


def base(item, solver):
    """An empty record of the harness's format (`harness record`, carried in item["record"])
    for this problem, solver and seed."""
    return dict(item["record"], suite=item["suite"], problem=item["problem"], solver=solver,
                seed=item.get("seed", 0), reference=item.get("reference"))


def finite(v):
    """JSON cannot hold inf/nan: the harness records use null there."""
    import math
    return v if v is not None and math.isfinite(v) else None


# ---------------------------------------------------------------------------- NLP


def load(spec):
    import opal
    if spec.upper().endswith(".SIF"):
        return opal.load_sif(spec)
    kind, _, rest = spec.partition(":")
    if kind == "logreg":
        return opal.problem("logreg", path=rest)
    if kind == "pde":
        params = dict(kv.split("=", 1) for kv in rest.split(",") if kv)
        return opal.problem("pde", **{k: int(v) for k, v in params.items()})
    raise ValueError(f"unknown spec {spec}")


def kkt_residual(p, x):
    """||(grad f + J^T y, c - cl)||_2 with the least-squares multipliers y at x."""
    import numpy as np
    g = np.asarray(p.gradient(x), dtype=float)
    if p.m == 0:
        return float(np.linalg.norm(g))
    jac = p.jacobian(x)
    c = np.asarray(p.constraints(x), dtype=float) - np.asarray(p.constraint_lower)
    if p.m <= 2000 and p.n <= 20000:
        jt = jac.T.toarray()
        y = np.linalg.lstsq(jt, -g, rcond=None)[0]
        r = g + jt @ y
    else:
        from scipy.sparse.linalg import lsqr
        y = lsqr(jac.T.tocsr(), -g, atol=1e-15, btol=1e-15, iter_lim=20 * p.m)[0]
        r = g + jac.T @ y
    return float(np.sqrt(r @ r + c @ c))


def kkt_residual_bounded(p, x):
    """The cutest-ineq suite's KKT residual ||(r, v)||_2: v the amounts by which x leaves
    its bounds and c(x) its bounds, r = min ||g + J^T y + u|| over the multipliers of the
    active sides only (within ACTIVE_TOL or violated), with their signs in L = f + y^T c:
    free for an equality, <= 0 at a lower side, >= 0 at an upper side (u for the bounds of
    x likewise), found by scipy's lsq_linear."""
    import numpy as np
    from scipy.optimize import lsq_linear
    x = np.asarray(x, dtype=float)
    g = np.asarray(p.gradient(x), dtype=float)

    def sides(v, lo, up):
        """Per entry: (active at lower, active at upper, violation)."""
        tol_l = ACTIVE_TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(lo), lo, 0.0)))
        tol_u = ACTIVE_TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(up), up, 0.0)))
        at_l = np.isfinite(lo) & (v - lo <= tol_l)
        at_u = np.isfinite(up) & (up - v <= tol_u)
        return at_l, at_u, np.maximum(lo - v, 0.0) + np.maximum(v - up, 0.0)

    cols, lb, ub, viol = [], [], [], []

    def add(columns, at_l, at_u):
        for k in np.flatnonzero(at_l | at_u):
            cols.append(columns(k))
            lb.append(0.0 if at_u[k] and not at_l[k] else -np.inf)
            ub.append(0.0 if at_l[k] and not at_u[k] else np.inf)

    at_l, at_u, v = sides(x, np.asarray(p.lower, dtype=float), np.asarray(p.upper, dtype=float))
    viol.append(v)
    add(lambda j: np.eye(1, p.n, j)[0], at_l, at_u)
    if p.m:
        c = np.asarray(p.constraints(x), dtype=float)
        cl = np.asarray(p.constraint_lower, dtype=float)
        cu = np.asarray(p.constraint_upper, dtype=float)
        at_l, at_u, v = sides(c, cl, cu)
        at_l, at_u = at_l | (cl == cu), at_u | (cl == cu)
        viol.append(v)
        jt = p.jacobian(x).T.toarray()
        add(lambda i: jt[:, i], at_l, at_u)
    r = g
    if cols:
        a = np.column_stack(cols)
        y = lsq_linear(a, -g, bounds=(np.array(lb), np.array(ub)), method="bvls",
                       tol=1e-14).x
        r = g + a @ y
    v = np.concatenate(viol)
    return float(np.sqrt(r @ r + v @ v))


class Deadline:
    """scipy callback: StopIteration once the time limit has passed."""

    def __init__(self, limit):
        self.t0 = time.perf_counter()
        self.limit = limit
        self.hit = False

    def __call__(self, intermediate_result):
        if time.perf_counter() - self.t0 > self.limit:
            self.hit = True
            raise StopIteration


def run_nlp(item, solver):
    import numpy as np
    from scipy.optimize import Bounds, NonlinearConstraint, minimize

    r = base(item, solver)
    try:
        p = load(item["spec"])
    except Exception as e:  # noqa: BLE001 - the record says what went wrong
        r["status"] = f"refused: {e}"
        return r
    r["n"], r["m"] = p.n, p.m
    lower, upper = np.asarray(p.lower), np.asarray(p.upper)
    bounds = None
    if np.isfinite(lower).any() or np.isfinite(upper).any():
        bounds = Bounds(lower, upper)
    cl = np.asarray(p.constraint_lower)
    deadline = Deadline(item["time_limit"])
    if solver == "scipy-trust-constr":
        cons = []
        if p.m:
            cons.append(NonlinearConstraint(
                p.constraints, cl, np.asarray(p.constraint_upper), jac=p.jacobian,
                hess=lambda x, v: p.hessian_lagrangian(x, v, obj_factor=0.0, full=True)))
        zeros = np.zeros(p.m)
        kwargs = dict(
            jac=p.gradient,
            hess=lambda x: p.hessian_lagrangian(x, zeros, full=True),
            bounds=bounds, constraints=cons, method="trust-constr",
            # gtol bounds the Lagrangian gradient and the constraint violation (inf-norms).
            options={"gtol": KKT_TOL, "xtol": 1e-14, "barrier_tol": KKT_TOL,
                     "maxiter": 5000},
        )
    else:
        cons = []
        cu = np.asarray(p.constraint_upper)
        if p.m and (cl == cu).all():
            cons.append({"type": "eq", "fun": lambda x: np.asarray(p.constraints(x)) - cl,
                         "jac": lambda x: p.jacobian(x).toarray()})
        elif p.m:
            # Inequalities (cutest-ineq): c - cl = 0 on the equality rows, c - cl >= 0
            # and cu - c >= 0 on the finite sides of the others.
            eq = cl == cu
            lo = ~eq & np.isfinite(cl)
            up = ~eq & np.isfinite(cu)
            for rows, sign, side, kind in [(eq, 1.0, cl, "eq"), (lo, 1.0, cl, "ineq"),
                                           (up, -1.0, cu, "ineq")]:
                if rows.any():
                    cons.append({
                        "type": kind,
                        "fun": lambda x, r=rows, s=sign, b=side:
                            s * (np.asarray(p.constraints(x))[r] - b[r]),
                        "jac": lambda x, r=rows, s=sign: s * p.jacobian(x).toarray()[r]})
        kwargs = dict(
            jac=p.gradient, bounds=bounds, constraints=cons, method="SLSQP",
            # SLSQP stops on |f_k - f_{k+1}| < ftol; near a solution that change is about
            # ||grad L||^2, so 1e-12 is the counterpart of a 1e-6 gradient test.
            options={"ftol": 1e-12, "maxiter": 2000},
        )
    t0 = time.perf_counter()
    deadline.t0 = t0
    try:
        res = minimize(p.objective, np.asarray(p.x0, dtype=float), callback=deadline,
                       **kwargs)
    except Exception as e:  # noqa: BLE001
        r["status"] = f"error: {type(e).__name__}: {e}"[:200]
        r["time_s"] = time.perf_counter() - t0
        return r
    r["time_s"] = time.perf_counter() - t0
    if deadline.hit:
        r["status"] = "time_limit"
    elif solver == "scipy-trust-constr":
        r["status"] = {0: "iteration_limit", 1: "gtol", 2: "xtol", 3: "callback"}.get(
            res.status, f"status_{res.status}")
    else:
        r["status"] = "success" if res.success else f"exit_{res.status}"
    r["iterations"] = int(getattr(res, "nit", 0) or 0)
    r["objective"] = finite(float(res.fun))
    try:
        if item["suite"] == "cutest-ineq":
            k = kkt_residual_bounded(p, res.x)
        else:
            k = kkt_residual(p, res.x)
    except Exception:  # noqa: BLE001 - an evaluation failure at the answer is a failure
        k = float("nan")
    r["kkt"] = finite(k)
    return r


# ---------------------------------------------------------------------------- MIP


def run_balans(item):
    from alns.stop import MaxRuntime
    from balans.solver import Balans

    r = base(item, "balans-py")
    t = float(item["time_limit"])
    # The package's default configuration (operators, bandit, hill climbing), single-threaded
    # SCIP like opal's one-thread runs, stopped by the suite's time limit. Its first-solution
    # and per-iteration sub-MIP limits are capped by the limit so short limits validate.
    solver = Balans(stop=MaxRuntime(t), n_mip_jobs=1,
                    timelimit_first_solution=min(10.0, t),
                    timelimit_alns_iteration=min(12.0, t))
    t0 = time.perf_counter()
    try:
        result = solver.solve(item["spec"])
    except Exception as e:  # noqa: BLE001
        r["status"] = f"error: {type(e).__name__}: {e}"[:200]
        r["time_s"] = time.perf_counter() - t0
        return r
    r["time_s"] = time.perf_counter() - t0
    f = None
    if result is not None:
        f = float(result.best_state.objective())
        r["iterations"] = len(result.statistics.runtimes)
    r["objective"] = finite(f)
    # MaxRuntime stops the search at the time limit, never before.
    r["status"] = "time_limit" if f is not None else "no_solution"
    return r


# ---------------------------------------------------------------------------- completion


def sklearn_shim():
    """fancyimpute 0.7.0 calls check_array(force_all_finite=...), a keyword scikit-learn 1.8
    removed (renamed ensure_all_finite in 1.6): translate it, nothing else changes."""
    import inspect
    import fancyimpute.soft_impute
    import fancyimpute.solver
    from sklearn.utils import check_array
    if "force_all_finite" in inspect.signature(check_array).parameters:
        return

    def compat(X, *a, force_all_finite=True, **kw):
        return check_array(X, *a, ensure_all_finite=force_all_finite, **kw)
    fancyimpute.solver.check_array = compat
    fancyimpute.soft_impute.check_array = compat


def run_softimpute(item):
    """fancyimpute.SoftImpute with max_rank = k and its default shrinkage (largest singular
    value of the zero-filled matrix / 50) on one exported instance, the error taken on the
    completed matrix it returns (observed entries kept, the rest imputed)."""
    import numpy as np
    from scipy.io import mmread
    from fancyimpute import SoftImpute
    sklearn_shim()

    r = base(item, "softimpute")
    r["seed"] = item["seed"]
    obs = mmread(item["observed"]).tocoo()
    u, v = np.asarray(mmread(item["u"])), np.asarray(mmread(item["v"]))
    truth = u @ v.T
    x = np.full(obs.shape, np.nan)
    x[obs.row, obs.col] = obs.data
    r["n"], r["m"] = obs.shape[0] + obs.shape[1], int(obs.nnz)
    limit = float(item["time_limit"])

    class Timed(SoftImpute):
        """Counts iterations and stops (as converged, flagged) at the suite's time limit."""
        iters, timed_out, t0 = 0, False, 0.0

        def _converged(self, X_old, X_new, missing_mask):
            self.iters += 1
            done = super()._converged(X_old, X_new, missing_mask)
            if not done and time.perf_counter() - self.t0 > limit:
                self.timed_out = True
                return True
            return done

    # randomized_svd draws from numpy's global generator: seed it for a repeatable run.
    np.random.seed(item["seed"])
    solver = Timed(max_rank=item["rank"], convergence_threshold=SOFTIMPUTE_THRESHOLD,
                   max_iters=SOFTIMPUTE_MAX_ITERS, verbose=False)
    t0 = time.perf_counter()
    solver.t0 = t0
    try:
        completed = solver.fit_transform(x)
    except Exception as e:  # noqa: BLE001
        r["status"] = f"error: {type(e).__name__}: {e}"[:200]
        r["time_s"] = time.perf_counter() - t0
        return r
    r["time_s"] = time.perf_counter() - t0
    r["iterations"] = solver.iters
    err = float(np.linalg.norm(completed - truth) / np.linalg.norm(truth))
    r["error"] = finite(err)
    if solver.timed_out:
        r["status"] = "time_limit"
    elif solver.iters >= SOFTIMPUTE_MAX_ITERS:
        r["status"] = "iteration_limit"
    else:
        r["status"] = "converged"
    return r


# ---------------------------------------------------------------------------- relu


def run_relu(item, solver):
    """CVXPY (SCS at eps 1e-6, Clarabel at tight tolerances) or scnn (R-FISTA) on the gated
    program of one exported (set, seed): the suite's program on the harness's gates."""
    import relu_baselines
    import relu_cvxpy

    r = base(item, solver)
    r["n"], r["m"] = item["d"], item["n"]
    t0 = time.perf_counter()
    try:
        if solver == "scnn":
            import torch
            torch.set_num_threads(1)
            x, y, g, d = relu_baselines.load(item["dir"])
            out = relu_baselines.scnn_fit(x, y, g, d, item["variant"], item["lam"])
            r["objective"] = finite(out["scnn_objective"])
            r["status"] = "converged"
        else:
            name = {"cvxpy-scs": "SCS", "cvxpy-clarabel": "CLARABEL"}[solver]
            out = relu_cvxpy.solve(item["dir"], item["variant"], item["lam"], name, 1e-6)
            r["objective"] = finite(out["objective"])
            r["iterations"] = out.get("iterations")
            r["status"] = "converged" if out["status"] == "optimal" else out["status"]
    except Exception as e:  # noqa: BLE001
        r["status"] = f"error: {type(e).__name__}: {e}"[:200]
    r["time_s"] = time.perf_counter() - t0
    return r


# ---------------------------------------------------------------------------- driver


def one(item, solver):
    """Worker mode: one solve, its record on the last stdout line."""
    if solver == "balans-py":
        rec = run_balans(item)
    elif solver == "softimpute":
        rec = run_softimpute(item)
    elif item["suite"] == "relu":
        rec = run_relu(item, solver)
    else:
        rec = run_nlp(item, solver)
    sys.stdout.flush()
    print(MARK + json.dumps(rec), flush=True)


def installed(solver):
    """Whether the packages of an anchor are importable; prints a SKIPPED line naming the
    first missing one."""
    import importlib.util
    for m in NEEDS.get(solver, ["opal", "scipy"]):
        if importlib.util.find_spec(m) is None:
            print(f"SKIPPED {solver}: the optional Python package '{m}' is not installed",
                  file=sys.stderr, flush=True)
            return False
    return True


def versions():
    out = [f"python {platform.python_version()}"]
    from importlib import metadata
    for m, dist in [("numpy", "numpy"), ("scipy", "scipy"), ("opal", "opal-optim"),
                    ("balans", "balans"), ("pyscipopt", "PySCIPOpt"),
                    ("fancyimpute", "fancyimpute"), ("sklearn", "scikit-learn"),
                    ("cvxpy", "cvxpy"), ("scnn", "pyscnn")]:
        try:
            out.append(f"{m} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{m} missing")
    return out


def harness(args, *cmd):
    """Runs the harness binary; its stdout."""
    exe = args.harness or str(REPO / "target/release/harness")
    return subprocess.run([exe, *cmd], check=True, capture_output=True, text=True).stdout


def harness_list(args, suites):
    """The harness's problem list; the generated instances (completion, relu) are exported
    as files into --instances/SUITE (`harness export SUITE DIR`). Every item carries the
    harness's empty record."""
    record = json.loads(harness(args, "record"))
    opts = ["--quick"] if args.quick else []
    if args.time_limit is not None:
        opts += ["--time-limit", str(args.time_limit)]
    cmds = []
    listed = [s for s in suites if s not in EXPORTED]
    if listed:
        cmds.append(["list", *listed, *opts])
    for s in EXPORTED:
        if s in suites:
            cmds.append(["export", s, str(Path(args.instances) / s), *opts,
                         "--seeds", str(args.seeds)])
    items = []
    for cmd in cmds:
        text = harness(args, *cmd)
        items += [dict(json.loads(line), record=record)
                  for line in text.splitlines() if line.strip()]
    return items


def spawn(item, solver):
    """One solve in a subprocess, killed GRACE_S after the time limit."""
    cmd = [sys.executable, __file__, "--one", json.dumps(item), "--solver", solver]
    limit = float(item["time_limit"]) + GRACE_S
    t0 = time.perf_counter()
    try:
        # SoftImpute's and the relu anchors' time is BLAS: one thread, like the harness's one-thread runs.
        env = dict(os.environ)
        if solver == "softimpute" or item["suite"] == "relu":
            env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, env=env)
    except subprocess.TimeoutExpired:
        rec = base(item, solver)
        rec["status"] = "time_limit"
        rec["time_s"] = time.perf_counter() - t0
        return rec
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    rec = base(item, solver)
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    rec["status"] = f"error: exit {proc.returncode}: {tail}"[:200]
    return rec


def merge_meta(old, new):
    """Metadata of the rows kept from an earlier run plus this run's: both commands, each
    package's version where either run had it, the sum of wall times."""
    have = {}
    for v in old.get("versions", []) + new["versions"]:
        name, _, ver = v.partition(" ")
        if ver != "missing" or name not in have:
            have[name] = ver
    return {
        "command": f"{old.get('command', '')}; {new['command']}",
        "date": new["date"],
        "versions": [f"{k} {v}" for k, v in have.items()],
        "wall_s": old.get("wall_s", 0.0) + new["wall_s"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("suites", nargs="*")
    ap.add_argument("--solvers")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--time-limit", type=float)
    ap.add_argument("--seeds", type=int, default=1,
                    help="generated instances (completion, relu) per size / set")
    ap.add_argument("--instances", default=str(REPO / "target/anchor-instances"),
                    help="directory of the exported instances")
    ap.add_argument("--out", default=str(REPO / "bench/results/harness"))
    ap.add_argument("--harness", help="the harness binary (default target/release/harness)")
    ap.add_argument("--problems", help="only the problems whose name matches this regular "
                    "expression (a documented subset of a long suite)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--solver", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(json.loads(args.one), args.solver)
        return
    suites = args.suites or SUITES
    for s in suites:
        if s not in SUITES:
            sys.exit(f"anchors: unknown suite {s} (known: {', '.join(SUITES)})")
    only = args.solvers.split(",") if args.solvers else None
    items = harness_list(args, suites)
    if args.problems:
        import re
        items = [it for it in items if re.search(args.problems, it["problem"])]
    t_start = time.perf_counter()
    records = []
    todo = [(it, s) for it in items for s in SUITE_SOLVERS[it["suite"]]
            if only is None or s in only]
    have = {s: installed(s) for s in {s for _, s in todo}}
    for k, (item, solver) in enumerate(todo, 1):
        if not have[solver]:
            rec = base(item, solver)
            rec["status"] = "not_installed"
        else:
            rec = spawn(item, solver)
        records.append(rec)
        print(f"[{k}/{len(todo)}] {item['suite']} {item['problem']} {solver}: {rec['status']}"
              f" kkt={rec.get('kkt')} err={rec.get('error')} t={rec.get('time_s')}", file=sys.stderr, flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "anchors.jsonl"
    # Keep the rows of suites (or solvers) not run this time.
    keep = []
    if path.exists():
        ran = {(r["suite"], r["solver"]) for r in records}
        keep = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
        keep = [r for r in keep if (r["suite"], r["solver"]) not in ran]
    allr = keep + records
    order = {s: i for i, s in enumerate(SUITES)}
    allr.sort(key=lambda r: (order.get(r["suite"], 99), r["problem"], r["solver"], r["seed"]))
    path.write_text("".join(json.dumps(r) + "\n" for r in allr))
    meta = {
        "command": "anchors.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "versions": versions(),
        "wall_s": time.perf_counter() - t_start,
    }
    meta_path = out / "anchors-meta.json"
    if keep and meta_path.exists():
        meta = merge_meta(json.loads(meta_path.read_text()), meta)
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    # The harness decides solved / gaps / reference matches by its suites' rules.
    harness(args, "judge", str(path))
    judged = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
    ran = {(r["suite"], r["problem"], r["solver"], r["seed"]) for r in records}
    solved = sum(r["solved"] for r in judged
                 if (r["suite"], r["problem"], r["solver"], r["seed"]) in ran)
    print(f"anchors: {len(records)} runs, {solved} solved; wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
