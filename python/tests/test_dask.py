"""opal.dask on a two-process LocalCluster: the distributed completion equals the
in-process one, survives a killed worker, reads Parquet written by the generator; sweeps
with map_solve; scikit-learn's GridSearchCV on the Dask joblib backend."""

import importlib
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

_REASON = 'opal.dask tests need dask[distributed] and pyarrow (pip install "./python[dask]")'
pytest.importorskip("distributed", reason=_REASON)
pytest.importorskip("pyarrow", reason=_REASON)

import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import opal  # noqa: E402
import opal.dask as od  # noqa: E402

M, N, K = 2000, 1500, 5


@pytest.fixture(scope="module")
def client():
    # one Rust thread per worker process: two workers on a shared machine
    os.environ["RAYON_NUM_THREADS"] = "1"
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def instance():
    rng = np.random.default_rng(0)
    u0, v0 = rng.standard_normal((M, K)), rng.standard_normal((N, K))
    nnz = 150_000
    r, c = rng.integers(0, M, nnz), rng.integers(0, N, nnz)
    v = np.einsum("ij,ij->i", u0[r], v0[c])
    single = opal.complete_matrix(r, c, v, (M, N), K, seed=3)
    return r, c, v, single


def _rel_diff(a_factors, b_factors):
    a = np.asarray(a_factors[0]) @ np.asarray(a_factors[1]).T
    b = np.asarray(b_factors[0]) @ np.asarray(b_factors[1]).T
    return np.linalg.norm(a - b) / np.linalg.norm(a)


def test_distributed_equals_single_process(client, instance):
    r, c, v, (u, vv, info) = instance
    frame = dd.from_pandas(pd.DataFrame({"row": r, "col": c, "value": v}), npartitions=4)
    ud, vd, infod = od.complete_matrix(frame, (M, N), K, client=client, seed=3)
    assert isinstance(ud, da.Array) and ud.shape == (M, K) and vd.shape == (N, K)
    assert info["status"] == infod["status"] == "converged"
    assert infod["iterations"] == info["iterations"]
    assert infod["observed"] == info["observed"]
    assert infod["duplicates_merged"] == info["duplicates_merged"] > 0
    assert infod["row_blocks"] >= 4 and infod["col_blocks"] >= 4
    diff = _rel_diff((u, vv), (ud.compute(), vd.compute()))
    assert diff < 1e-8, diff
    hs, hd = info["history"], infod["history"]
    for a, b in zip(hs[:5], hd[:5]):
        assert abs(a["relative_residual"] - b["relative_residual"]) <= 1e-9 * a["relative_residual"]


def test_dask_array_input_and_in_process_run(client):
    rng = np.random.default_rng(4)
    m, n, k = 300, 200, 3
    r, c = rng.integers(0, m, 12_000), rng.integers(0, n, 12_000)
    v = np.einsum("ij,ij->i", rng.standard_normal((m, k))[r], rng.standard_normal((n, k))[c])
    single = opal.complete_matrix(r, c, v, (m, n), k, seed=1)
    arr = da.from_array(np.column_stack([r, c, v]), chunks=(5_000, 3))
    ua, va, info = od.complete_matrix(arr, (m, n), k, client=client, seed=1, row_blocks=3)
    assert info["row_blocks"] == 3 and info["status"] == single[2]["status"] == "converged"
    assert _rel_diff(single[:2], (ua.compute(), va.compute())) < 1e-8
    # client=False: the same blocked algorithm in this process
    ul, vl, info_l = od.complete_matrix(arr, (m, n), k, client=False, seed=1)
    assert info_l["row_blocks"] == 2
    assert _rel_diff(single[:2], (ul.compute(), vl.compute())) < 1e-8


def test_killed_worker_gives_the_same_fit(client, instance):
    r, c, v, (u, vv, info) = instance
    frame = dd.from_pandas(pd.DataFrame({"row": r, "col": c, "value": v}), npartitions=4)
    before = set(client.run(os.getpid).values())
    victim = sorted(before)[0]
    killed = []

    def kill_soon():
        time.sleep(0.05)
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    def on_sweep(entry):
        if entry["sweep"] == 1:
            threading.Thread(target=kill_soon, daemon=True).start()

    ud, vd, infod = od.complete_matrix(
        frame, (M, N), K, client=client, seed=3, callback=on_sweep
    )
    assert killed == [victim]
    assert infod["status"] == "converged"
    assert _rel_diff((u, vv), (ud.compute(), vd.compute())) < 1e-8
    # the nanny replaced the worker (wait for it to register before asking it its pid)
    client.wait_for_workers(2, timeout=120)
    deadline = time.time() + 30
    while time.time() < deadline:
        pids = set(client.run(os.getpid).values())
        if len(pids) == 2 and victim not in pids:
            break
        time.sleep(0.2)
    assert victim not in pids and len(pids) == 2


def test_parquet_generator_and_fit(client, tmp_path):
    m, n, k = 600, 500, 3
    paths = od.generate_completion(m, n, k, 40_000, tmp_path, seed=5, partitions=3, client=client)
    assert len(paths) == 3 and all(os.path.exists(p) for p in paths)
    frame = pd.concat([pd.read_parquet(p) for p in paths])
    assert len(frame) == 40_000 and frame["row"].max() < m and frame["col"].max() < n
    # written without the instance in memory, yet it is the instance of completion_truth
    u0, v0 = od.completion_truth(m, n, k, seed=5)
    pred = np.einsum("ij,ij->i", u0[frame["row"]], v0[frame["col"]])
    np.testing.assert_allclose(frame["value"], pred, rtol=1e-12, atol=1e-12)
    u, v, info = od.complete_matrix(str(tmp_path / "*.parquet"), (m, n), k, client=client)
    assert info["status"] == "converged", info["message"]
    assert od.relative_error(u, v, m, n, k, seed=5, samples=20_000) < 1e-7


def test_map_solve_gathers_a_table(client):
    rng = np.random.default_rng(1)
    r, c = rng.integers(0, 60, 1500), rng.integers(0, 50, 1500)
    v = np.einsum("ij,ij->i", rng.standard_normal((60, 2))[r], rng.standard_normal((50, 2))[c])
    base = {"rows": r, "cols": c, "values": v, "shape": (60, 50)}
    params = [dict(base, rank=2, seed=s) for s in range(3)] + [dict(base, rank=99)]
    table = od.map_solve("complete_matrix", params, client=client)
    assert list(table["seed"][:3]) == [0, 1, 2]
    assert (table["status"][:3] == "converged").all()
    assert table["error"][:3].isna().all()
    assert "rank" in table["error"][3]
    assert (table["time"] > 0).all()


def test_sklearn_grid_search_on_the_dask_backend(client):
    joblib = pytest.importorskip("joblib", reason="scikit-learn's joblib is needed")
    pytest.importorskip("sklearn", reason="scikit-learn is needed")
    from sklearn.model_selection import GridSearchCV

    rng = np.random.default_rng(2)
    x = rng.standard_normal((200, 4))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    grid = GridSearchCV(
        opal.ConvexReLUClassifier(n_patterns=20, seed=0),
        {"lam": [1e-3, 1e-1]},
        cv=2,
        n_jobs=2,
    )
    with joblib.parallel_backend("dask"):
        grid.fit(x, y)
    assert len(grid.cv_results_["mean_test_score"]) == 2
    assert grid.best_score_ > 0.6
    # the same search without Dask picks the same scores
    local = GridSearchCV(
        opal.ConvexReLUClassifier(n_patterns=20, seed=0), {"lam": [1e-3, 1e-1]}, cv=2
    ).fit(x, y)
    np.testing.assert_allclose(
        grid.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


def test_import_without_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "opal.dask")
    with pytest.raises(ImportError, match=r'pip install "opal-optim\[dask\]"'):
        importlib.import_module("opal.dask")
    monkeypatch.undo()
    assert importlib.import_module("opal.dask") is not None


def test_unsupported_options_and_bad_entries():
    frame = dd.from_pandas(pd.DataFrame({"row": [0, 1], "col": [0, 1], "value": [1.0, 2.0]}), 1)
    with pytest.raises(ValueError, match="biases"):
        od.complete_matrix(frame, (2, 2), 1, client=False, biases=True)
    with pytest.raises(ValueError, match="outside the shape"):
        od.complete_matrix(frame, (1, 2), 1, client=False)
    with pytest.raises(TypeError, match="Dask DataFrame"):
        od.complete_matrix([1, 2, 3], (2, 2), 1, client=False)
    with pytest.raises(ValueError, match="tol"):
        od.complete_matrix(frame, (2, 2), 1, client=False, tol=-1.0)
