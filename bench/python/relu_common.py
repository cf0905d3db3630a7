"""Pieces shared by the relu_* scripts: the relu_bench binary, single-threaded BLAS for the
Python tools, running a tool that prints one JSON line, appending records to a JSON-lines
file, data specs NAME=PATH:P[:flag...], and a clear SKIPPED line when an optional package
(cvxpy, scnn, scikit-learn) is missing."""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
# One BLAS thread, like the harness's one-thread runs.
ENV1 = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def missing(*packages):
    """The first of `packages` that cannot be imported, or None."""
    for p in packages:
        if importlib.util.find_spec(p) is None:
            return p
    return None


def require(script, *packages):
    """Exit (status 0) with a SKIPPED line naming the package when one is missing."""
    p = missing(*packages)
    if p is not None:
        print(f"SKIPPED {script}: the optional Python package '{p}' is not installed",
              flush=True)
        sys.exit(0)


def parser(doc):
    """An argument parser with the options every driver script takes: --work (directory of
    the exported data; a fresh temporary directory by default) and --relu-bench (the
    binary; target/release/relu_bench of this checkout by default)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", help="directory for exported data (default: a new temporary one)")
    ap.add_argument("--relu-bench", default=os.path.join(REPO, "target", "release", "relu_bench"),
                    help="the relu_bench binary")
    return ap


def work_dir(args):
    return args.work or tempfile.mkdtemp(prefix="opal-relu-")


def run(cmd, env=ENV1):
    """Runs a tool that prints a JSON object on its last `{` line; adds the wall time.
    A failure is a record with an `error` field."""
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.time() - t0
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if r.returncode != 0 or not lines:
        skipped = [l for l in r.stdout.splitlines() if l.startswith("SKIPPED")]
        return {"error": (skipped or [r.stderr[-400:]])[-1], "wall": wall}
    d = json.loads(lines[-1])
    d["wall"] = wall
    return d


def emit(path, rec):
    """Appends a record to the JSON-lines file `path` and echoes it."""
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(json.dumps(rec), flush=True)


def parse_spec(spec):
    """NAME=PATH:P[:flag...] -> (name, path, P, ["--flag", ...])."""
    name, rest = spec.split("=", 1)
    parts = rest.split(":")
    return name, parts[0], parts[1], [f"--{p}" for p in parts[2:]]


def export(bench, path, patterns, out_dir, extra=()):
    """X, y and the gates of seed 0 into out_dir (`relu_bench export`)."""
    return run([bench, "export", path, "--patterns", str(patterns), "--seed", "0",
                "--out", out_dir, *extra])
