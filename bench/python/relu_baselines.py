"""Baselines for issue 6 on data/gates exported by `relu_bench export` (DIR with X, y, G, D):
scnn (PyPI pyscnn) R-FISTA on the gated program (AL on relu) with the same gates, and a
two-layer ReLU network of the same width trained by Adam (numpy, full batch, squared loss
with weight decay lam, matching the convex program's objective).

usage: python relu_baselines.py DIR --lam L [--scnn gated|relu [--scnn-tol T]]
                               [--adam WIDTH --test TESTDIR]
"""
import argparse
import json
import os
import time

import numpy as np

from relu_common import require


def load(directory):
    """X, y, G, D of a `relu_bench export` directory."""
    return tuple(np.loadtxt(f"{directory}/{f}.txt", ndmin=nd)
                 for f, nd in [("X", 2), ("y", 1), ("G", 2), ("D", 2)])


def scnn_fit(X, y, G, D, variant, lam=1e-3, tol=None):
    """scnn on the given gates; the objective of its answer in opal's scaling."""
    n, d = X.shape
    import torch
    torch.set_num_threads(1)
    from scnn.models import ConvexGatedReLU, ConvexReLU
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import RFISTA, AL
    from scnn.metrics import Metrics
    from scnn.optimize import optimize_model
    # Same program as opal: scnn's loss is (1/(2n))||.||^2 and NeuronGL1(lam) is lam sum ||U_i||,
    # but by default optimize_model (a) rescales the columns of X to unit norm, which changes
    # both the penalty and the patterns of the given gates, and (b) runs in float32. Both are
    # turned off; X already carries opal's bias column when exported with --bias. scnn keeps
    # a pattern where X g > 0 (opal: >= 0); the count of differing entries is reported.
    mism = int(((X @ G > 0) != (D > 0)).sum())
    model = (ConvexGatedReLU(G) if variant == "gated" else ConvexReLU(G))
    kw = {}
    if tol is not None:
        kw = {"tol": tol} if variant == "gated" else {"tol": tol, "constraint_tol": tol}
    solver = RFISTA(model, **kw) if variant == "gated" else AL(model, **kw)
    t0 = time.time()
    model, metrics = optimize_model(model, solver, Metrics(), X, y, regularizer=NeuronGL1(lam),
                                    return_convex=True, unitize_data=False, dtype="float64",
                                    verbose=False)
    t = time.time() - t0
    Gs = np.asarray(model.G)
    Ds = (X @ Gs > 0).astype(float)
    if variant == "gated":
        U = np.asarray(model.parameters[0]).reshape(-1, d).T
        pred = (Ds * (X @ U)).sum(1)
        pen = np.linalg.norm(U, axis=0).sum()
        cv = 0.0
    else:
        V = np.asarray(model.parameters[0]).reshape(-1, d).T
        W = np.asarray(model.parameters[1]).reshape(-1, d).T
        pred = (Ds * (X @ (V - W))).sum(1)
        pen = np.linalg.norm(V, axis=0).sum() + np.linalg.norm(W, axis=0).sum()
        S = 2 * Ds - 1
        cv = float(max(0.0, (-(S * (X @ V))).max(), (-(S * (X @ W))).max()))
    val = ((pred - y) ** 2).sum() / (2 * n) + lam * pen
    return {"scnn": variant, "scnn_time": t, "scnn_objective": float(val), "scnn_cone": cv,
            "scnn_patterns": int(Gs.shape[1]), "pattern_mismatch": mism}


def adam_fit(X, y, width, lam=1e-3, epochs=3000, test=None):
    """A two-layer ReLU network of `width` units trained by full-batch Adam."""
    n, d = X.shape
    rng = np.random.default_rng(0)
    m = width
    W1 = rng.normal(size=(d, m)) / np.sqrt(d)
    w2 = rng.normal(size=m) / np.sqrt(m)
    params = [W1, w2]
    mom = [np.zeros_like(p) for p in params]
    vel = [np.zeros_like(p) for p in params]
    lr, b1, b2 = 1e-2, 0.9, 0.999
    t0 = time.time()
    for t in range(1, epochs + 1):
        H = X @ W1
        A = np.maximum(H, 0)
        f = A @ w2
        r = (f - y) / n
        g2 = A.T @ r + lam * w2
        g1 = X.T @ ((H > 0) * np.outer(r, w2)) + lam * W1
        for i, g in enumerate([g1, g2]):
            mom[i] = b1 * mom[i] + (1 - b1) * g
            vel[i] = b2 * vel[i] + (1 - b2) * g * g
            params[i] -= lr * (mom[i] / (1 - b1 ** t)) / (np.sqrt(vel[i] / (1 - b2 ** t)) + 1e-8)
    obj = ((np.maximum(X @ W1, 0) @ w2 - y) ** 2).sum() / (2 * n) + lam / 2 * ((W1 ** 2).sum() + (w2 ** 2).sum())
    acc = lambda Xs, ys: float(((np.maximum(Xs @ W1, 0) @ w2 >= 0) == (ys > 0)).mean())
    out = {"adam_width": m, "adam_time": time.time() - t0, "adam_objective": float(obj), "adam_train_acc": acc(X, y)}
    if test:
        if os.path.isdir(test):
            Xt = np.loadtxt(f"{test}/X.txt", ndmin=2)
            yt = np.loadtxt(f"{test}/y.txt", ndmin=1)
        else:
            from sklearn.datasets import load_svmlight_file
            bias = bool(np.all(X[:, -1] == 1.0))
            Xs, yt = load_svmlight_file(test, n_features=d - 1 if bias else d)
            Xt = Xs.toarray()
            if bias:
                Xt = np.hstack([Xt, np.ones((Xt.shape[0], 1))])
            yt = np.where(yt == yt.max(), 1.0, -1.0) if set(np.unique(yt)) != {-1.0, 1.0} else yt
        out["adam_test_acc"] = acc(Xt, yt)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--lam", type=float, default=1e-3)
    ap.add_argument("--scnn", default=None)
    ap.add_argument("--adam", type=int, default=0)
    ap.add_argument("--test", default=None, help="test set: an exported DIR, or a LIBSVM file")
    ap.add_argument("--epochs", type=int, default=3000)
    ap.add_argument("--scnn-tol", type=float, default=None, help="scnn tol (and AL constraint_tol)")
    a = ap.parse_args()
    if a.scnn:
        require("relu_baselines.py --scnn", "scnn", "torch")
    if a.adam and a.test and not os.path.isdir(a.test):
        require("relu_baselines.py --test LIBSVM", "sklearn")
    X, y, G, D = load(a.dir)
    out = {"dir": a.dir}
    if a.scnn:
        out.update(scnn_fit(X, y, G, D, a.scnn, a.lam, a.scnn_tol))
    if a.adam:
        out.update(adam_fit(X, y, a.adam, a.lam, a.epochs, a.test))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
