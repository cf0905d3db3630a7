#!/usr/bin/env python3
"""MovieLens 100K 5-fold benchmark of `opal` completion against Surprise SVD (issue 7).

Fetches the ratings from the `recbole` 1.2.1 wheel on PyPI (`pip download --no-deps`) into a
cache directory OUTSIDE the repository (the data's licence forbids committing them), makes
5 folds (seeded shuffle), runs `target/release/completion_movielens` on them and, when the
`surprise` package imports (e.g. `python3 -m venv V && V/bin/pip install scikit-surprise`,
then run this script with V/bin/python), Surprise's SVD with its defaults on the same folds,
in the same script, and prints the ratio of RMSEs and times.

Usage: python3 bench/scripts/movielens.py [--cache DIR] [--rank 10 --lambda 10 ...]
Extra arguments are passed to the Rust binary (e.g. `--tune`).
"""

import glob
import os
import random
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEMBER = "recbole/dataset_example/ml-100k/ml-100k.inter"


def fetch(cache):
    os.makedirs(cache, exist_ok=True)
    inter = os.path.join(cache, "ml-100k.inter")
    if os.path.exists(inter):
        return inter
    wheels = glob.glob(os.path.join(cache, "recbole-1.2.1-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "recbole==1.2.1", "-d", cache],
            check=True,
        )
        wheels = glob.glob(os.path.join(cache, "recbole-1.2.1-*.whl"))
    with zipfile.ZipFile(wheels[0]) as z, open(inter, "wb") as out:
        out.write(z.read(MEMBER))
    return inter


def make_folds(inter, folds_dir, seed=0):
    os.makedirs(folds_dir, exist_ok=True)
    with open(inter) as f:
        lines = f.read().splitlines()[1:]  # header: user_id item_id rating timestamp
    rows = [tuple(l.split("\t")[:3]) for l in lines if l.strip()]
    assert len(rows) == 100_000, len(rows)
    random.Random(seed).shuffle(rows)
    for k in range(5):
        test = rows[k::5]
        train = [r for i, r in enumerate(rows) if i % 5 != k]
        for name, part in (("train", train), ("test", test)):
            with open(os.path.join(folds_dir, f"fold{k + 1}_{name}.tsv"), "w") as f:
                f.writelines("\t".join(r) + "\n" for r in part)
    return folds_dir


def run_opal(folds_dir, extra):
    exe = os.path.join(ROOT, "target", "release", "completion_movielens")
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "opal-bench", "--bin", "completion_movielens"],
        cwd=ROOT,
        check=True,
    )
    out = subprocess.run([exe, "--folds", folds_dir, *extra], capture_output=True, text=True, check=True)
    print(out.stdout)
    for line in out.stdout.splitlines():
        if line.startswith("OPAL_MEAN_RMSE"):
            w = line.split()
            return float(w[1]), float(w[3]), float(w[5])
    return None


def run_surprise(folds_dir):
    try:
        from surprise import SVD, Dataset, Reader, accuracy
    except ImportError:
        print("surprise not importable: anchor skipped")
        return None
    reader = Reader(line_format="user item rating", sep="\t", rating_scale=(1, 5))
    rmses, walls, cpus = [], [], []
    print("| fold | Surprise SVD RMSE | wall s | CPU s |\n|---|---|---|---|")
    for k in range(1, 6):
        train = Dataset.load_from_file(os.path.join(folds_dir, f"fold{k}_train.tsv"), reader)
        test = Dataset.load_from_file(os.path.join(folds_dir, f"fold{k}_test.tsv"), reader)
        trainset = train.build_full_trainset()
        testset = [(u, i, r) for (u, i, r, _) in test.raw_ratings]
        c0, t0 = time.process_time(), time.perf_counter()
        algo = SVD(random_state=0)
        algo.fit(trainset)
        pred = algo.test(testset)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        e = accuracy.rmse(pred, verbose=False)
        print(f"| {k} | {e:.4f} | {wall:.3f} | {cpu:.3f} |")
        rmses.append(e)
        walls.append(wall)
        cpus.append(cpu)
    m = sum(rmses) / 5
    print(f"| mean | {m:.4f} | {sum(walls) / 5:.3f} | {sum(cpus) / 5:.3f} |\n")
    return m, sum(walls) / 5, sum(cpus) / 5


def main():
    args = sys.argv[1:]
    cache = os.environ.get("OPAL_BENCH_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "opal-bench"))
    if "--cache" in args:
        i = args.index("--cache")
        cache = args[i + 1]
        del args[i : i + 2]
    inter = fetch(cache)
    folds = make_folds(inter, os.path.join(cache, "ml-100k-folds"))
    print(f"MovieLens 100K from the recbole 1.2.1 wheel, 5 folds in {folds}\n")
    opal = run_opal(folds, args)
    if "--tune" in args:
        return
    anchor = run_surprise(folds)
    if opal and anchor:
        print(
            f"opal ALS RMSE {opal[0]:.4f} vs Surprise SVD {anchor[0]:.4f}: ratio {opal[0] / anchor[0]:.4f}; "
            f"time per fold opal {opal[1]:.3f}s wall / {opal[2]:.3f}s CPU, Surprise {anchor[1]:.3f}s / {anchor[2]:.3f}s "
            f"(Surprise / opal CPU {anchor[2] / opal[2]:.1f}x)"
        )


if __name__ == "__main__":
    main()
