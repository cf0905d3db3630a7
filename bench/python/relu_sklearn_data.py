"""Writes sklearn's breast_cancer (classification, labels ±1) and diabetes (regression) as
LIBSVM files with an 80/20 split (random_state 0): 455x30 and 353x10 training sets, the
sizes of the spec's anchors. Features are standardized with the training mean and standard
deviation; diabetes targets too (so the program's objective is O(1), as in the anchors).

usage: python relu_sklearn_data.py OUTDIR
"""
import sys

from relu_common import require

require("relu_sklearn_data.py", "numpy", "sklearn")
import numpy as np  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

out = sys.argv[1]


def write(path, X, y):
    with open(path, "w") as f:
        for xi, yi in zip(X, y):
            feats = " ".join(f"{k + 1}:{v:.17g}" for k, v in enumerate(xi) if v != 0.0)
            f.write(f"{yi:.17g} {feats}\n")


for name, loader, regression in [("breast_cancer", load_breast_cancer, False),
                                 ("diabetes", load_diabetes, True)]:
    X, y = loader(return_X_y=True)
    y = y.astype(float)
    if not regression:
        y = 2.0 * y - 1.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    if regression:
        ym, ys = ytr.mean(), ytr.std()
        ytr, yte = (ytr - ym) / ys, (yte - ym) / ys
    write(f"{out}/{name}", Xtr, ytr)
    write(f"{out}/{name}.t", Xte, yte)
    print(name, Xtr.shape, Xte.shape)
