"""Seeded random subset of a LIBSVM file's lines. usage: relu_subsample.py IN ROWS SEED OUT"""
import sys
import numpy as np
src, rows, seed, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lines = open(src).read().splitlines()
idx = np.sort(np.random.default_rng(seed).choice(len(lines), size=rows, replace=False))
with open(dst, "w") as f:
    f.write("\n".join(lines[i] for i in idx) + "\n")
