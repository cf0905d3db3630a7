"""opal on Dask: matrix completion whose entries do not fit one machine, sweeps of many
solves, and the scikit-learn estimators under ``joblib.parallel_backend("dask")``.

Needs ``dask[distributed]`` and ``pyarrow`` (``pip install "opal-optim[dask]"``, or
``pip install "./python[dask]"`` from a checkout).

``complete_matrix(entries, shape, rank, *, client=None, **options) -> (U, V, info)``
    Robust alternating minimization as ``opal.complete_matrix`` (same options, same
    initialization, same sweeps: the V step over all column blocks, then the U step over
    all row blocks), with the observed entries held by the Dask workers in row blocks and
    column blocks (one shuffle, persisted) and every block solved by opal's Rust kernel
    with the GIL released. Each half-sweep the fixed factor is broadcast to the workers
    (``client.scatter(..., broadcast=True)``); the client holds the two factors (m + n
    rows of width ``rank``), never the entries. A worker lost mid-fit is replaced and its
    blocks are recomputed by Dask from their lineage; the fit is the same.
    ``entries``: a Dask DataFrame with columns ``row``, ``col``, ``value`` (or the first
    three columns), a Dask array of shape (nnz, 3), or a path / glob / list of Parquet
    files. ``client=None`` uses the current Dask client if there is one, else runs the same
    blocked algorithm in this process (``client=False`` forces that). Not supported here: ``biases``, ``mode="theory"``,
    ``validation_fraction`` (ValueError). U and V come back as Dask arrays; ``info`` has
    the keys of ``opal.complete_matrix``'s (``history`` with the residual of every sweep)
    plus ``row_blocks``, ``col_blocks``, ``clipped_rows``.
``generate_completion(m, n, rank, entries, out_dir, seed=0, partitions=None, noise=0.0,
client=None)``
    Writes a random rank-``rank`` instance as Parquet partitions without ever holding it:
    partition p covers a band of rows and is drawn from its own seeded stream; the
    factors are regenerated per chunk of 4096 rows from the seed.
    ``completion_truth(m, n, rank, seed)`` returns those factors and
    ``relative_error(U, V, m, n, rank, seed)`` the relative error of U V^T on a sample.
``map_solve(fn_or_name, params, client=None)``
    Runs ``fn(**p)`` for every dict ``p`` of ``params`` on the cluster (``client.map``)
    and gathers one row per solve (the parameters, the scalar results, ``time``,
    ``error``) as a pandas DataFrame. ``fn_or_name`` is a callable or the name of an opal
    function ("minimize", "solve_mip", "complete_matrix", ...).
"""

from __future__ import annotations

import glob
import math
import concurrent.futures
import os
import time as _time
import warnings

try:
    import dask
    import dask.array as da
    import dask.dataframe as dd
    import distributed
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as exc:  # pragma: no cover - exercised without dask installed
    raise ImportError(
        'opal.dask needs dask[distributed] and pyarrow: pip install "opal-optim[dask]" '
        '(from a checkout: pip install "./python[dask]"); missing: ' + str(exc)
    ) from exc

import numpy as np

from . import _opal

__all__ = [
    "complete_matrix",
    "completion_truth",
    "generate_completion",
    "map_solve",
    "relative_error",
]

#: Times a pass over the blocks is repeated after losing a worker.
_RETRIES = 3
_LOST = (
    concurrent.futures.CancelledError,
    distributed.scheduler.KilledWorker,
    distributed.comm.CommClosedError,
    OSError,
)

_UNSUPPORTED = {
    "biases": (False, "biases"),
    "mode": ("practical", 'mode="theory"'),
    "validation_fraction": (0.0, "validation_fraction"),
}

#: Default rows (or columns) per block when the caller gives no block count.
BLOCK_LINES = 100_000


# ---------------------------------------------------------------- executors


class _Local:
    """Runs the blocked algorithm in this process (no Dask client): the same tasks."""

    def compute(self, objs):
        return list(dask.compute(*objs, scheduler="synchronous"))

    def gather(self, xs):
        return list(xs)

    def release(self, xs):
        pass

    def run(self, fn, blocks, per_block, shared, extra):
        return [fn(b, *a, *shared, *extra) for b, a in zip(blocks, per_block)]

    workers = 1


class _Distributed:
    """Runs the tasks on a Dask cluster through ``client``."""

    def __init__(self, client):
        self.client = client
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))

    def compute(self, objs):
        futs = self.client.compute(list(objs))
        distributed.wait(futs)
        return futs

    def gather(self, xs):
        return self.client.gather(list(xs))

    def release(self, xs):
        for f in xs:
            if isinstance(f, distributed.Future):
                f.release()

    def run(self, fn, blocks, per_block, shared, extra):
        """fn(block, *per_block[b], *shared, *extra) for every block, the shared arrays
        broadcast. A pass that loses a worker (its blocks are recomputed by Dask from
        their lineage, but a broadcast copy still being replicated can be lost with it)
        is run again: every pass is a pure function of its inputs."""
        for attempt in range(_RETRIES + 1):
            sent, futs = [], []
            try:
                if shared:
                    sent = self.client.scatter(list(shared), broadcast=True, hash=False)
                futs = [
                    self.client.submit(fn, b, *a, *sent, *extra, pure=False)
                    for b, a in zip(blocks, per_block)
                ]
                return self.client.gather(futs)
            except _LOST as e:
                if attempt == _RETRIES:
                    raise
                warnings.warn(f"opal.dask: a worker was lost ({type(e).__name__}); pass repeated")
                _time.sleep(0.5 * (attempt + 1))
            finally:
                self.release(sent + futs)


def _executor(client):
    if client is False:
        return _Local()
    if client is None:
        try:
            client = distributed.get_client()
        except ValueError:
            return _Local()
    return _Distributed(client)


# ---------------------------------------------------------------- input


def _partitions(entries, columns):
    """The entries as a list of Delayed objects, each (rows, cols, values) arrays."""
    if isinstance(entries, (str, os.PathLike)) or (
        isinstance(entries, (list, tuple)) and entries and isinstance(entries[0], (str, os.PathLike))
    ):
        paths = [entries] if isinstance(entries, (str, os.PathLike)) else list(entries)
        files = []
        for p in paths:
            p = os.fspath(p)
            if os.path.isdir(p):
                files += sorted(glob.glob(os.path.join(p, "*.parquet")))
            else:
                files += sorted(glob.glob(p)) or [p]
        if not files:
            raise ValueError(f"no Parquet files match {entries!r}")
        entries = dd.read_parquet(files)
    if isinstance(entries, dd.DataFrame):
        names = list(entries.columns)
        cols = list(columns) if all(c in names for c in columns) else names[:3]
        if len(cols) != 3:
            raise ValueError(f"entries need three columns (row, col, value), got {names}")
        return [dask.delayed(_frame_triplets)(p, cols) for p in entries[cols].to_delayed()]
    if isinstance(entries, da.Array):
        if entries.ndim != 2 or entries.shape[1] != 3:
            raise ValueError(f"a Dask array of entries must have shape (nnz, 3), got {entries.shape}")
        arr = entries.rechunk({1: 3})
        return [dask.delayed(_array_triplets)(p) for p in arr.to_delayed().ravel()]
    raise TypeError(
        "entries must be a Dask DataFrame, a Dask array of shape (nnz, 3) or a path/glob "
        f"of Parquet files, got {type(entries).__name__}"
    )


def _indices(x, what):
    x = np.asarray(x)
    if x.dtype.kind == "f":
        if not np.all(np.isfinite(x)) or np.any(x != np.floor(x)):
            raise ValueError(f"{what} indices must be whole numbers")
    return x.astype(np.int64, copy=False)


def _frame_triplets(frame, cols):
    return (
        _indices(frame[cols[0]].to_numpy(), "row"),
        _indices(frame[cols[1]].to_numpy(), "col"),
        frame[cols[2]].to_numpy(dtype=np.float64),
    )


def _array_triplets(a):
    a = np.asarray(a)
    return _indices(a[:, 0], "row"), _indices(a[:, 1], "col"), a[:, 2].astype(np.float64)


def _split(trip, size_r, blocks_r, size_c, blocks_c, shape):
    """One input partition cut into its pieces of every row block and column block."""
    rows, cols, vals = trip
    m, n = shape
    for idx, lim, what in ((rows, m, "row"), (cols, n, "col")):
        bad = np.flatnonzero((idx < 0) | (idx >= lim))
        if bad.size:
            raise ValueError(
                f"entry with {what} index {idx[bad[0]]} is outside the shape ({m}, {n})"
            )
    pieces = []
    for lines, size, count in ((rows, size_r, blocks_r), (cols, size_c, blocks_c)):
        block = lines // size
        order = np.argsort(block, kind="stable")
        cuts = np.searchsorted(block[order], np.arange(count + 1))
        for b in range(count):
            sel = order[cuts[b] : cuts[b + 1]]
            pieces.append((rows[sel], cols[sel], vals[sel]))
    return tuple(pieces)


def _build(by_rows, first, count, other_len, duplicates, *pieces):
    """One block compressed: (ptr, idx, val, merged, sum of squares)."""
    rows = np.concatenate([p[0] for p in pieces]) if pieces else np.zeros(0, np.int64)
    cols = np.concatenate([p[1] for p in pieces]) if pieces else np.zeros(0, np.int64)
    vals = np.concatenate([p[2] for p in pieces]) if pieces else np.zeros(0)
    line, other = (rows, cols) if by_rows else (cols, rows)
    del pieces
    ptr, idx, val, merged = _opal._completion_compress(
        line, other, vals, first, count, other_len, duplicates
    )
    return ptr, idx, val, merged, float(val @ val)


def _summary(block):
    ptr, _, _, merged, sumsq = block
    return np.diff(ptr), merged, sumsq


# ---------------------------------------------------------------- block tasks


def _native(a):
    # arrays received from another worker may sit unaligned in the message buffer; the
    # kernels read them in place only when C-contiguous and aligned
    return np.require(a, requirements=["C", "A"])


def _product(block, x, scale):
    return _opal._completion_product(tuple(map(_native, block[:3])), _native(x), scale)


def _solve(block, first, fixed, target, rank, inner_tol, stream, options):
    arrays = tuple(map(_native, block[:3]))
    start = _native(target[first : first + len(arrays[0]) - 1])
    return _opal._completion_solve(
        arrays, first, _native(fixed), start, rank, inner_tol, stream, **options
    )


def _ill_posed(block, fixed, rank, options):
    arrays = tuple(map(_native, block[:3]))
    return _opal._completion_ill_posed(arrays, _native(fixed), rank, **options)


class _Layout:
    """Blocks of one side (rows or columns) living on the executor."""

    def __init__(self, ex, blocks, size, lines):
        self.ex, self.blocks, self.size, self.lines = ex, blocks, size, lines
        self.firsts = [b * size for b in range(len(blocks))]

    def _run(self, fn, per_block, shared, extra):
        return self.ex.run(fn, self.blocks, per_block, shared, extra)

    def product(self, x, scale):
        none = [()] * len(self.blocks)
        return np.concatenate(self._run(_product, none, (np.ascontiguousarray(x),), (scale,)))

    def solve(self, fixed, target, rank, inner_tol, stream, options):
        shared = (np.ascontiguousarray(fixed), np.ascontiguousarray(target))
        firsts = [(f,) for f in self.firsts]
        out = self._run(_solve, firsts, shared, (rank, inner_tol, stream, options))
        new = np.concatenate([o[0] for o in out]) if out else np.zeros((0, rank))
        return new, sum(o[1] for o in out), sum(o[2] for o in out), sum(o[3] for o in out)

    def ill_posed(self, fixed, rank, options):
        none = [()] * len(self.blocks)
        out = self._run(_ill_posed, none, (np.ascontiguousarray(fixed),), (rank, options))
        count = sum(o[0] for o in out)
        first = next((f + o[1] for f, o in zip(self.firsts, out) if o[1] is not None), None)
        return count, first

    def summaries(self):
        return self._run(_summary, [()] * len(self.blocks), (), ())


def _shuffle(ex, parts, shape, blocks, duplicates):
    """Row-blocked and column-blocked layouts of the entries, persisted on the executor."""
    m, n = shape
    br, bc = blocks
    size_r, size_c = -(-m // br), -(-n // bc)
    br, bc = -(-m // size_r), -(-n // size_c)
    splits = [
        dask.delayed(_split, nout=br + bc, pure=True)(p, size_r, br, size_c, bc, shape)
        for p in parts
    ]
    graph = []
    for b in range(br):
        first = b * size_r
        graph.append(
            dask.delayed(_build, pure=True)(
                True, first, min(size_r, m - first), n, duplicates, *[s[b] for s in splits]
            )
        )
    for b in range(bc):
        first = b * size_c
        graph.append(
            dask.delayed(_build, pure=True)(
                False, first, min(size_c, n - first), m, duplicates, *[s[br + b] for s in splits]
            )
        )
    done = ex.compute(graph)
    rows = _Layout(ex, done[:br], size_r, m)
    cols = _Layout(ex, done[br:], size_c, n)
    return rows, cols


# ---------------------------------------------------------------- the driver


def _qr(a):
    q, r = np.linalg.qr(a)
    return np.ascontiguousarray(q), r


def _message(status, reason, rel, s, sweeps, rss):
    if status == "converged":
        return f"the relative residual on the observed entries reached {rel:.1e} <= tol {s['tol']:.1e}"
    if reason == "stagnated":
        return (
            f"the objective did not drop by stall_tol {s['stall_tol']:.1e} within "
            f"{s['patience']} sweeps (relative residual {rel:.1e}): a stationary fit, not a recovery"
        )
    if status == "numerical_error":
        return f"the residual became {rss} at sweep {sweeps}"
    if status == "iteration_limit":
        return f"the sweep limit ({sweeps}) was reached"
    if status == "time_limit":
        return f"the time limit ran out after {sweeps} sweeps"
    return f"{status} after {sweeps} sweeps"


def complete_matrix(
    entries,
    shape,
    rank,
    *,
    client=None,
    row_blocks=None,
    col_blocks=None,
    columns=("row", "col", "value"),
    callback=None,
    **options,
):
    """Matrix completion of Dask-held entries; see the module documentation.

    ``row_blocks`` / ``col_blocks``: number of blocks of each layout (default: at least two
    per worker and at most ``BLOCK_LINES`` lines per block). ``callback(entry)`` is called
    with every sweep's history entry (a dict). Other keyword arguments are the options of
    ``opal.complete_matrix``.
    """
    start_time = _time.perf_counter()
    m, n = (int(shape[0]), int(shape[1]))
    if m <= 0 or n <= 0:
        raise ValueError(f"the shape ({m}, {n}) is empty")
    s = _opal._completion_settings(rank, **options)
    for key, (default, what) in _UNSUPPORTED.items():
        if s[key] != default:
            raise ValueError(f"{what} is not supported by opal.dask.complete_matrix")
    k = s["rank"]
    if k > min(m, n):
        raise ValueError(f"invalid rank: rank {k} exceeds min(m, n) of the {m} x {n} matrix")
    ex = _executor(client)
    per = 2 * ex.workers
    br = row_blocks or max(per, -(-m // BLOCK_LINES))
    bc = col_blocks or max(per, -(-n // BLOCK_LINES))
    br, bc = min(br, m), min(bc, n)
    rows, cols = _shuffle(ex, _partitions(entries, columns), (m, n), (br, bc), s["duplicates"])
    summary_r = rows.summaries()
    counts_r = np.concatenate([x[0] for x in summary_r])
    counts_c = np.concatenate([x[0] for x in cols.summaries()])
    nnz = int(counts_r.sum())
    if nnz == 0:
        raise ValueError("invalid completion data: no observed entries")
    merged = sum(x[1] for x in summary_r)
    norm_m = max(math.sqrt(sum(x[2] for x in summary_r)), np.finfo(float).tiny)
    lam, weighted = s["lam"], s["weighted_lambda"]
    dof = k * (m + n - k)
    underdetermined = None
    if lam == 0.0:
        if nnz < dof:
            underdetermined = f"{nnz} observed entries < {dof} degrees of freedom of a rank-{k} model"
        elif min(counts_r.min(), counts_c.min()) < k:
            low = min(counts_r.min(), counts_c.min())
            underdetermined = (
                f"a row or column has fewer observed entries ({low}) than unknowns ({k})"
            )

    # initialization: randomized range finder on (1/p) P(M), as opal.complete_matrix
    scale = 1.0 / (nnz / (m * n))
    l = max(min(k + s["oversampling"], m, n), k)
    y = _qr(rows.product(_opal._completion_test_matrix(s["seed"], l, 0, n), scale))[0]
    for _ in range(s["power_iters"]):
        z = _qr(cols.product(y, scale))[0]
        y = _qr(rows.product(z, scale))[0]
    qb, rb = _qr(cols.product(y, scale))
    x, sig, wt = np.linalg.svd(rb.T)
    u = y @ x[:, :k]
    v = qb @ wt.T[:, :k]
    sig = sig[:k]
    threshold = 2.0 * s["incoherence"] * math.sqrt(k / m)
    norms = np.linalg.norm(u, axis=1)
    long = norms > threshold
    u[long] *= (threshold / norms[long])[:, None]
    clipped = int(long.sum())
    orthonormal = lam == 0.0
    if orthonormal:
        v = v * sig
        u, r = _qr(u)
        v = v @ r.T
    else:
        u, v = u * np.sqrt(sig), v * np.sqrt(sig)
    init_time = _time.perf_counter() - start_time

    def penalty(u, v):
        wr = counts_r if weighted else 1.0
        wc = counts_c if weighted else 1.0
        return float(np.sum(wr * np.sum(u * u, axis=1)) + np.sum(wc * np.sum(v * v, axis=1)))

    history = []
    prev_rel, best_obj, since, inner_total = 1.0, math.inf, 0, 0
    rss = rel = math.inf
    status, reason, sweep = None, None, 0
    while status is None:
        sweep += 1
        inner_tol = min(max(s["inner_factor"] * prev_rel, s["inner_tol_min"]), s["inner_tol_max"])
        if orthonormal and sweep > 1:
            u, r = _qr(u)
            v = v @ r.T
        v, _, its_v, unc_v = cols.solve(u, v, k, inner_tol, 2 * sweep, options)
        if orthonormal:
            v, r = _qr(v)
            u = u @ r.T
        u, rss, its_u, unc_u = rows.solve(v, u, k, inner_tol, 2 * sweep + 1, options)
        inner_total += its_v + its_u
        rel = math.sqrt(rss) / norm_m
        objective = rss + lam * penalty(u, v)
        entry = {
            "sweep": sweep,
            "train_rmse": math.sqrt(rss / nnz),
            "relative_residual": rel,
            "objective": objective,
            "validation_rmse": None,
            "inner_tol": inner_tol,
            "inner_iterations": its_v + its_u,
            "inner_unconverged": unc_v + unc_u,
            "time": _time.perf_counter() - start_time,
        }
        history.append(entry)
        if s["verbose"]:
            print(f"opal.dask sweep {sweep}: relative residual {rel:.3e}", flush=True)
        if callback is not None:
            callback(entry)
        prev_rel = rel
        if not math.isfinite(rss):
            status = "numerical_error"
        elif rel <= s["tol"]:
            status = "converged"
        elif objective < best_obj * (1.0 - s["stall_tol"]):
            best_obj, since = objective, 0
        else:
            since += 1
            if since >= s["patience"]:
                status, reason = "stalled", "stagnated"
        if status is None:
            if sweep >= s["max_iter"]:
                status = "iteration_limit"
            elif s["time_limit"] is not None and entry["time"] >= s["time_limit"]:
                status = "time_limit"
    message = _message(status, reason, rel, s, sweep, rss)
    if underdetermined is not None:
        status, reason, message = "underdetermined", "too_few_entries", underdetermined
    elif status == "converged" and orthonormal:
        nc, first_c = cols.ill_posed(u, k, options)
        nr, first_r = rows.ill_posed(v, k, options)
        if nc + nr > 0:
            where = f"column {first_c}" if first_c is not None else f"row {first_r}"
            status, reason = "underdetermined", "not_recovered"
            message = (
                f"the fit is not locally unique: {nc} column and {nr} row regressions are "
                f"singular at the solution (first: {where})"
            )
    rows.ex.release(rows.blocks + cols.blocks)
    info = {
        "status": status,
        "reason": reason,
        "message": message,
        "recovered": status == "converged",
        "rank": k,
        "iterations": sweep,
        "train_rmse": math.sqrt(rss / nnz),
        "relative_residual": rel,
        "validation_rmse": None,
        "validation_relative_residual": None,
        "observed": nnz,
        "held_out": 0,
        "duplicates_merged": merged,
        "degrees_of_freedom": dof,
        "inner_iterations": inner_total,
        "mean": 0.0,
        "init_time": init_time,
        "time": _time.perf_counter() - start_time,
        "history": history,
        "clipped_rows": clipped,
        "row_blocks": len(rows.blocks),
        "col_blocks": len(cols.blocks),
    }
    return (
        da.from_array(u, chunks=(rows.size, k)),
        da.from_array(v, chunks=(cols.size, k)),
        info,
    )


# ---------------------------------------------------------------- generator

#: Rows per chunk of the generated factors (each chunk from its own stream).
_FACTOR_CHUNK = 4096


def _factor_rows(seed, side, first, count, rank):
    """Rows first..first+count of a generated factor (side 0: U, 1: V), N(0, 1/sqrt(rank))."""
    out = np.empty((count, rank))
    c0, c1 = first // _FACTOR_CHUNK, (first + count - 1) // _FACTOR_CHUNK
    for c in range(c0, c1 + 1):
        block = np.random.default_rng([seed, 1 + side, c]).standard_normal((_FACTOR_CHUNK, rank))
        lo, hi = max(first, c * _FACTOR_CHUNK), min(first + count, (c + 1) * _FACTOR_CHUNK)
        out[lo - first : hi - first] = block[lo - c * _FACTOR_CHUNK : hi - c * _FACTOR_CHUNK]
    return out / rank**0.25


def completion_truth(m, n, rank, seed=0):
    """The factors (U0, V0) of ``generate_completion(m, n, rank, ..., seed)``."""
    return _factor_rows(seed, 0, 0, m, rank), _factor_rows(seed, 1, 0, n, rank)


def _write_partition(path, m, n, rank, seed, noise, p, first, count, entries):
    rng = np.random.default_rng([seed, 0, p])
    rows = first + rng.integers(0, count, entries, dtype=np.int64)
    cols = rng.integers(0, n, entries, dtype=np.int64)
    u = _factor_rows(seed, 0, first, count, rank)
    vals = np.empty(entries)
    step = 1 << 20
    for a in range(0, entries, step):
        c = cols[a : a + step]
        # V rows for these columns, regenerated chunk by chunk (never all of V at once)
        vc = np.empty((len(c), rank))
        chunk = c // _FACTOR_CHUNK
        for ch in np.unique(chunk):
            sel = chunk == ch
            f = _factor_rows(seed, 1, int(ch) * _FACTOR_CHUNK, min(_FACTOR_CHUNK, n - int(ch) * _FACTOR_CHUNK), rank)
            vc[sel] = f[c[sel] - int(ch) * _FACTOR_CHUNK]
        vals[a : a + step] = np.einsum("ij,ij->i", u[rows[a : a + step] - first], vc)
    if noise:
        vals += noise * rng.standard_normal(entries)
    table = pa.table({"row": rows, "col": cols, "value": vals})
    pq.write_table(table, path)
    return path


def generate_completion(
    m, n, rank, entries, out_dir, seed=0, partitions=None, noise=0.0, client=None
):
    """Writes a random m x n rank-``rank`` instance with about ``entries`` observed entries
    (uniform positions, drawn with replacement) as Parquet files ``part-*.parquet`` under
    ``out_dir``, one task per partition (default: 5 million entries each); returns the
    list of paths. The factors are those of :func:`completion_truth`."""
    m, n, rank, entries = int(m), int(n), int(rank), int(entries)
    if min(m, n, rank, entries) <= 0:
        raise ValueError("m, n, rank and entries must be positive")
    parts = int(partitions or max(1, -(-entries // 5_000_000)))
    parts = min(parts, m)
    os.makedirs(out_dir, exist_ok=True)
    size = -(-m // parts)
    tasks = []
    for p in range(parts):
        first = p * size
        if first >= m:
            break
        count = min(size, m - first)
        share = entries * (first + count) // m - entries * first // m
        path = os.path.join(out_dir, f"part-{p:05d}.parquet")
        tasks.append(
            dask.delayed(_write_partition, pure=True)(path, m, n, rank, seed, noise, p, first, count, share)
        )
    ex = _executor(client)
    done = ex.compute(tasks)
    return ex.gather(done) if isinstance(ex, _Distributed) else done


def relative_error(u, v, m, n, rank, seed=0, samples=1_000_000):
    """||U V^T - M|| / ||M|| on ``samples`` random positions of the instance of
    :func:`generate_completion` (M = U0 V0^T regenerated from the seed)."""
    u = np.asarray(u.compute() if hasattr(u, "compute") else u)
    v = np.asarray(v.compute() if hasattr(v, "compute") else v)
    u0, v0 = completion_truth(m, n, rank, seed)
    rng = np.random.default_rng([seed, 9])
    i = rng.integers(0, m, samples)
    j = rng.integers(0, n, samples)
    truth = np.einsum("ij,ij->i", u0[i], v0[j])
    fit = np.einsum("ij,ij->i", u[i], v[j])
    return float(np.linalg.norm(fit - truth) / np.linalg.norm(truth))


# ---------------------------------------------------------------- sweeps


def _scalars(out):
    """The scalar results of one solve, as a flat dict."""
    if isinstance(out, tuple) and out and isinstance(out[-1], dict):
        out = out[-1]
    if isinstance(out, dict):
        items = out.items()
    elif hasattr(out, "__dict__"):
        items = vars(out).items()
    else:
        return {"result": out}
    return {
        k: v
        for k, v in items
        if isinstance(v, (bool, int, float, str, type(None), np.integer, np.floating))
    }


def _run_one(fn, params):
    import opal

    if isinstance(fn, str):
        fn = getattr(opal, fn)
    row = dict(params)
    t0 = _time.perf_counter()
    try:
        row.update(_scalars(fn(**params)))
        row["error"] = None
    except Exception as e:  # one failed solve is a row of the table, not a failed sweep
        row["error"] = f"{type(e).__name__}: {e}"
    row["time"] = _time.perf_counter() - t0
    return row


def map_solve(fn_or_name, params, client=None):
    """One solve per parameter dict, on the cluster; see the module documentation."""
    params = [dict(p) for p in params]
    ex = _executor(client)
    if isinstance(ex, _Distributed):
        futs = ex.client.map(_run_one, [fn_or_name] * len(params), params, pure=False)
        rows = ex.client.gather(futs)
    else:
        rows = [_run_one(fn_or_name, p) for p in params]
    return pd.DataFrame(rows)
