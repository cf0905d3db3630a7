"""Baselines for issue 6 on data/gates exported by `relu_bench export` (DIR with X, y, G, D):
scnn (PyPI pyscnn) R-FISTA on the gated program (AL on relu) with the same gates, and a
two-layer ReLU network of the same width trained by Adam (numpy, full batch, squared loss
with weight decay lam, matching the convex program's objective).

usage: python relu_baselines.py DIR --lam L [--scnn gated|relu] [--adam WIDTH --test TESTDIR]
"""
import argparse, json, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--lam", type=float, default=1e-3)
ap.add_argument("--scnn", default=None)
ap.add_argument("--adam", type=int, default=0)
ap.add_argument("--test", default=None)
ap.add_argument("--epochs", type=int, default=3000)
a = ap.parse_args()
X = np.loadtxt(f"{a.dir}/X.txt", ndmin=2)
y = np.loadtxt(f"{a.dir}/y.txt", ndmin=1)
G = np.loadtxt(f"{a.dir}/G.txt", ndmin=2)
D = np.loadtxt(f"{a.dir}/D.txt", ndmin=2)
n, d = X.shape
out = {"dir": a.dir}
if a.scnn:
    import torch
    torch.set_num_threads(1)
    from scnn.models import ConvexGatedReLU, ConvexReLU
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import RFISTA, AL
    from scnn.metrics import Metrics
    from scnn.optimize import optimize_model
    model = (ConvexGatedReLU(G) if a.scnn == "gated" else ConvexReLU(G))
    solver = RFISTA(model) if a.scnn == "gated" else AL(model)
    t0 = time.time()
    model, metrics = optimize_model(model, solver, Metrics(), X, y[:, None], X, y[:, None],
                                    regularizer=NeuronGL1(a.lam), verbose=False)
    t = time.time() - t0
    # optimize_model returns the equivalent non-convex network (zero neurons pruned):
    # evaluate the convex objective through it, sum_k |w2_k| ||W1_k|| being the group norm.
    pred = np.asarray(model(X)).reshape(-1)
    W1 = np.asarray(model.parameters[0]).reshape(-1, d)
    W2 = np.asarray(model.parameters[1]).reshape(-1, W1.shape[0]) if len(model.parameters) > 1 else np.ones((1, W1.shape[0]))
    pen = (np.abs(W2).sum(0) * np.linalg.norm(W1, axis=1)).sum()
    val = ((pred - y) ** 2).sum() / (2 * n) + a.lam * pen
    cv = float("nan")
    out["shapes"] = [list(np.asarray(p).shape) for p in model.parameters]
    out.update({"scnn": a.scnn, "scnn_time": t, "scnn_objective": float(val), "scnn_cone": cv})
if a.adam:
    rng = np.random.default_rng(0)
    m = a.adam
    W1 = rng.normal(size=(d, m)) / np.sqrt(d)
    w2 = rng.normal(size=m) / np.sqrt(m)
    params = [W1, w2]
    mom = [np.zeros_like(p) for p in params]
    vel = [np.zeros_like(p) for p in params]
    lr, b1, b2 = 1e-2, 0.9, 0.999
    t0 = time.time()
    for t in range(1, a.epochs + 1):
        H = X @ W1
        A = np.maximum(H, 0)
        f = A @ w2
        r = (f - y) / n
        g2 = A.T @ r + a.lam * w2
        g1 = X.T @ ((H > 0) * np.outer(r, w2)) + a.lam * W1
        for i, g in enumerate([g1, g2]):
            mom[i] = b1 * mom[i] + (1 - b1) * g
            vel[i] = b2 * vel[i] + (1 - b2) * g * g
            params[i] -= lr * (mom[i] / (1 - b1 ** t)) / (np.sqrt(vel[i] / (1 - b2 ** t)) + 1e-8)
    obj = ((np.maximum(X @ W1, 0) @ w2 - y) ** 2).sum() / (2 * n) + a.lam / 2 * ((W1 ** 2).sum() + (w2 ** 2).sum())
    acc = lambda Xs, ys: float(((np.maximum(Xs @ W1, 0) @ w2 >= 0) == (ys > 0)).mean())
    out.update({"adam_width": m, "adam_time": time.time() - t0, "adam_objective": float(obj), "adam_train_acc": acc(X, y)})
    if a.test:
        Xt = np.loadtxt(f"{a.test}/X.txt", ndmin=2)
        yt = np.loadtxt(f"{a.test}/y.txt", ndmin=1)
        out["adam_test_acc"] = acc(Xt, yt)
print(json.dumps(out))
