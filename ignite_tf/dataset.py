"""``IgniteDataset``: an Ignite cache as a ``tf.data.Dataset``, as in TensorFlow's original
``tf.contrib.ignite``, on top of the columnar NumPy API.

Elements are ``{'key': K, 'val': V}``. Objects become nested dicts keyed by field name (sorted);
scalars are scalar tensors, Ignite arrays 1-D tensors, and lists of lists (an array field of the
objects in a collection, an ``Object[]`` of arrays) ``tf.RaggedTensor`` objects of shape
``[None, None]``. Pages are decoded in C++ into column batches; TensorFlow receives whole
batches and splits them into elements in its own C++ code.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ignite_tf._options import KEYWORDS, address_text, environment
from ignite_tf.client import DEFAULT_BATCH_BYTES, DEFAULT_PAGE_BYTES, Client, RaggedColumn
from ignite_tf.errors import IgniteError, IgniteSchemaError, IgniteValueError

# Rows an element-wise IgniteDataset samples at construction to find list columns of one fixed
# length (images, embeddings), which then reach TensorFlow as dense [rows, length] blocks.
_LIST_SAMPLE_ROWS = 16

# batch_size when not given: the rows of a batched=True element, and element by element the
# rows of each block handed to TensorFlow to cut into elements. TensorFlow spends about 0.3 ms
# on every block a generator gives it, whatever its size (measured on MNIST-shaped rows: 4096-row
# blocks read 0.83 as fast as TensorFlow's in-memory pipeline, 1024-row blocks 0.77).
_BATCH_ROWS = 1024
_ELEMENT_BLOCK_ROWS = 4096

__all__ = ["IgniteDataset", "SqlDataset", "element_spec_for"]

# Column dtype names (as the core reports them) to TensorFlow dtypes, as the original mapped
# them: byte->uint8, short->int16, int->int32, long->int64, float->float32, double->float64,
# char->uint16, bool->bool, string->tf.string; dates are int64 milliseconds since the epoch.
_TF_DTYPES = {
    "uint8": "uint8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "float32": "float32",
    "float64": "float64",
    "uint16": "uint16",
    "bool": "bool",
    "string": "string",
}


def _block_rows(batch_size: int | None, batched: bool) -> int:
    if batch_size is None:
        return _BATCH_ROWS if batched else _ELEMENT_BLOCK_ROWS
    return int(batch_size)


def _import_tf() -> Any:
    try:
        import tensorflow as tf
    except ImportError as e:  # pragma: no cover - exercised only without TensorFlow
        raise ImportError(
            "IgniteDataset needs TensorFlow: pip install 'ignite-tf[tensorflow]'. "
            "Without TensorFlow, use ignite_tf.Client(...).scan(...) for NumPy batches."
        ) from e
    return tf


def _leaves(tree: Any) -> list[tuple[str, str, int]]:
    """(column_path, dtype, list_depth) for each leaf of a schema tree, in tree order."""
    if isinstance(tree, dict):
        out = []
        for child in tree.values():
            out.extend(_leaves(child))
        return out
    dtype, depth, path = tree
    return [(path, dtype, int(depth))]


def _leaf_spec(tf: Any, dtype: str, depth: int) -> Any:
    """The spec of one leaf of an element: a scalar, a 1-D tensor for a list, a RaggedTensor
    of shape [None, None] (ragged_rank 1) for a list of lists, and so on."""
    tf_dtype = getattr(tf, _TF_DTYPES[dtype])
    if depth > 1:
        return tf.RaggedTensorSpec([None] * depth, tf_dtype, ragged_rank=depth - 1)
    return tf.TensorSpec([None] * depth, tf_dtype)


def element_spec_for(schema: tuple[Any, Any]) -> dict[str, Any]:
    """The ``element_spec`` of an IgniteDataset whose rows have ``schema`` (from Scan.schema)."""
    tf = _import_tf()

    def spec(tree: Any) -> Any:
        if isinstance(tree, dict):
            return {name: spec(child) for name, child in tree.items()}
        dtype, depth, _ = tree
        return _leaf_spec(tf, dtype, int(depth))

    key_tree, val_tree = schema
    return {"key": spec(key_tree), "val": spec(val_tree)}


def _probe_schema(
    cache_name: str,
    host: str,
    port: int,
    part: int,
    local: bool,
    client_args: dict,
    fields: list[str] | None = None,
    schema: Any = None,
    decimals: str = "float64",
    sample_lists: bool = False,
    timestamp_unit: str = "ns",
) -> tuple[tuple[Any, Any], Any, frozenset]:
    """(schema trees with dtypes, the code trees to pass to every scan or None to learn, the
    paths of list columns whose rows all had one length in a sample of the first rows when
    `sample_lists`)."""
    from ignite_tf.schema import normalize_schema, schema_from_element_spec, sql_table_schema

    given = None
    if schema is not None:
        looks_like_spec = isinstance(schema, dict) and any(
            hasattr(leaf, "dtype") for leaf in _flatten(schema)
        )
        given = schema_from_element_spec(schema) if looks_like_spec else normalize_schema(schema)
    # An element-wise dataset reads a few more rows in its probe, to find the list columns of
    # one fixed length in them; the structure comes from the first row either way.
    rows = _LIST_SAMPLE_ROWS if sample_lists else 1
    with Client(host, port, **client_args) as client:

        def probe(codes: Any, partition: int = part, local: bool = local) -> Any:
            scan = client.scan(
                cache_name,
                page_size=rows,
                partition=partition,
                local=local,
                batch_size=rows,
                fields=fields,
                schema=codes,
                decimals=decimals,
                timestamp_unit=timestamp_unit,
                num_parallel_reads=1,  # a row or a few: one reader, no extra connections
                page_bytes=0,
            )
            with scan:
                trees = scan.schema
                if trees is None or not any(depth for t in trees for _, _, depth in _leaves(t)):
                    return trees, None
                try:
                    return trees, next(iter(scan), None)
                except IgniteError:
                    # Only a hint: the read itself reports what is wrong with these rows, in
                    # the context of the whole dataset.
                    return trees, None

        trees, sample = probe(given)
        if trees is None and (part >= 0 or local):
            # An empty partition (or node) of a cache that has rows elsewhere: its rows have the
            # cache's structure, and the dataset is empty, as the original's was (it learned the
            # structure from the whole cache), so one worker per partition never fails on one.
            trees, sample = probe(given, -1, False)
        if trees is None:
            # An empty cache: a table made by CREATE TABLE still says what its rows hold.
            given = sql_table_schema(client, cache_name)
            if given is not None:
                trees, sample = probe(given)
    fixed: frozenset = frozenset()
    if sample is not None:
        fixed = frozenset(
            path
            for path, column in sample.items()
            if isinstance(column, RaggedColumn)
            and column.depth == 1
            and len(np.unique(column.row_lengths)) == 1
            and column.row_lengths[0] > 0  # empty arrays cannot reach TensorFlow as dense blocks
        )
    if trees is None:
        raise IgniteSchemaError(
            f"cache '{cache_name}' on {_where(host, port)} is empty and holds no SQL table, so the "
            'element structure is unknown: pass schema={"key": "long", "val": {"NAME": "string"}}'
            " (Ignite type names) or an element_spec"
        )
    return trees, given, fixed


def _where(host: Any, port: int) -> str:
    """The node (or nodes) a dataset reads from, for messages."""
    if isinstance(host, (list, tuple)) or "," in str(host):
        return address_text(host)
    return f"{host}:{port}"


def _shard(
    cache_name: str,
    host: Any,
    port: int,
    client_args: dict,
    partitions: list[int] | None,
    num_shards: int | None,
    shard_index: int | None,
) -> list[int]:
    """The partitions of shard ``shard_index`` of ``num_shards`` (of ``partitions``, or of every
    partition of the cache)."""
    from ignite_tf.distribute import shard_partitions

    if num_shards is None or shard_index is None:
        raise IgniteValueError("give num_shards and shard_index together")
    if partitions is None:
        with Client(host, port, **client_args) as client:
            partitions = client.partitions(cache_name)
    chosen = shard_partitions(partitions, num_shards, shard_index)
    if not chosen:
        raise IgniteValueError(
            f"shard {shard_index} of {num_shards} holds no partition: cache '{cache_name}' has "
            f"{len(partitions)} to share out; use at most {len(partitions)} shards"
        )
    return chosen


def _flatten(tree: Any) -> list:
    if isinstance(tree, dict):
        return [leaf for child in tree.values() for leaf in _flatten(child)]
    return [tree]


def IgniteDataset(
    cache_name: str,
    host: str | list[str] = "localhost",
    port: int = 10800,
    local: bool = False,
    part: int = -1,
    page_size: int = 1024,
    username: str | None = None,
    password: str | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
    cert_password: str | None = None,
    *,
    schema_host: str | None = None,
    schema_port: int | None = None,
    batch_size: int | None = None,
    timeout: float = 30.0,
    fields: list[str] | None = None,
    tls: bool | None = None,
    ca_file: str | None = None,
    ca_dir: str | None = None,
    tls_server_name: str | None = None,
    tls_insecure_skip_verify: bool = False,
    masks: bool = False,
    schema: Any = None,
    on_mismatch: str = "error",
    batched: bool = False,
    num_parallel_reads: int | None = None,
    decimals: str = "float64",
    timestamp_unit: str = "ns",
    partitions: list[int] | None = None,
    deterministic: bool = False,
    page_bytes: int = DEFAULT_PAGE_BYTES,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    num_shards: int | None = None,
    shard_index: int | None = None,
) -> Any:
    """Reads an Ignite cache as a ``tf.data.Dataset`` of ``{'key': ..., 'val': ...}`` elements.

    >>> ds = IgniteDataset(cache_name="SQL_PUBLIC_KITTEN_CACHE")
    >>> for element in ds:
    ...     print(element)          # {'key': 1, 'val': {'NAME': b'WARM KITTY'}} (as tensors)

    Args:
        cache_name: the cache; a table made by ``CREATE TABLE T`` lives in ``SQL_PUBLIC_T``.
        host, port: a node's thin-client endpoint, or several nodes of a cluster:
            ``"h1:10800,h2:10800"`` or a list of ``"host[:port]"`` strings (``port`` is the port
            of the entries without one; ``IGNITE_DATASET_HOST`` may hold such a list). With
            several, each partition is read from its primary node (see the README's "Running
            on a cluster").
        local: read only the entries of the node the client connects to first.
        part: read only this partition index (-1 = all), e.g. one per worker.
        page_size: rows per network page at most (the original's default was 100, which made
            batched reads of small rows a third as fast).
        page_bytes: bytes per network page at most, about (see ``Client.scan``): 1 MiB rows
            come 16 to a page with the defaults. 0: ``page_size`` alone.
        username, password: credentials when the cluster has authentication on.
        certfile, keyfile, cert_password: TLS client certificate chain (PEM; ``certfile`` may
            hold the key too), its private key, and the key's password. Giving any turns TLS on.
        schema_host, schema_port: where to learn the element structure, if not host/port.
        batch_size: with ``batched=True``, the rows of each element (default 1024); element
            by element, the rows decoded per block that TensorFlow then cuts into elements
            (default 4096: TensorFlow spends a fixed time on each block it receives, about
            0.3 ms here, so larger blocks read faster).
        batch_bytes: bytes of a batch at most, about (0: ``batch_size`` alone). Element by
            element, a decoded batch closes once it holds this many bytes. With
            ``batched=True``, the first rows read set the rows of every batch: ``batch_size``, or
            fewer when that many rows of their size would pass ``batch_bytes`` (1 MiB rows come
            16 to a batch with the defaults), so that all batches but the last have the same
            shape.
        batched: yield batches of ``batch_size`` rows (the last one shorter) instead of single
            rows, like ``.batch(batch_size)`` but without splitting and joining rows: each
            leaf is a tensor of shape ``[rows]``, Ignite arrays ``tf.RaggedTensor`` objects of shape
            ``[rows, None]`` (``.to_tensor()`` makes them dense), lists of lists of shape
            ``[rows, None, None]``. It is the fast path for
            training: the decoded columns reach TensorFlow as they are.
        num_parallel_reads: readers of the cache at once (when ``part`` is -1), each with its
            connection to one node, spread over the nodes holding primaries, like
            ``TFRecordDataset``'s option of the same name (see :meth:`ignite_tf.Client.scan`).
            None (default): one per node on a cluster, 1 on a single node. Rows come in the
            order their pages arrive, which differs between runs, unless ``deterministic``.
        partitions: read only these partition indices (e.g. a worker's shard); not with
            ``part``.
        deterministic: rows partition by partition, in the order of ``partitions`` (index
            order for the whole cache), the same on every run; False (default): in arrival
            order.
        num_shards, shard_index: read shard ``shard_index`` of ``num_shards``: every
            ``num_shards``-th partition of the cache (or of ``partitions``), in index order
            (:func:`ignite_tf.distribute.shard_partitions`). The shards are disjoint and together
            hold every row once, like ``Dataset.shard`` but without reading the other shards'
            rows. For a training cluster, :func:`ignite_tf.distribute.dataset_fn` picks each
            worker's partitions by where their primaries live.
        timeout: seconds to wait for any reply before failing (0 or less: forever, as for
            every connection of ignite_tf).
        fields: value fields to read (``["label", "metadata.width"]``); others are not decoded
            and are absent from the elements. None reads every field.
        schema: the element structure when the cache may be empty or you want to fix it:
            ``{"key": "long", "val": {"NAME": "string", "pixels": "byte[]"}}`` (Ignite type names,
            see :mod:`ignite_tf.schema`) or an ``element_spec`` of ``tf.TensorSpec``. Without it
            the structure comes from the first row, or for an empty SQL table from the server's
            SYS views; an empty cache then gives an empty dataset with the right element_spec.
        on_mismatch: ``"skip"`` leaves out rows whose structure differs from the schema (a
            warning says how many) instead of failing; with ``schema=`` it selects one value
            type of a cache holding several.
        masks: add ``element['mask']``, the same structure as ``{'key', 'val'}`` with a bool per
            leaf: False where the row's value was null or absent (it then reads as 0, ``b""``
            or empty).
        decimals: ``"float64"`` (default): Decimals are float64 tensors (the nearest double);
            ``"string"``: tf.string tensors of the exact value as Java's
            ``BigDecimal.toString()`` writes it (``b"-12.3400"``, ``b"1E+3"``).
        timestamp_unit: Timestamps are int64 counted from the epoch in ``"ns"`` (default; years
            1677 to 2262, others fail naming the field, row and date), ``"us"`` or ``"ms"``
            (every date, e.g. 0001-01-01 and 9999-12-31). Dates stay int64 milliseconds.
        tls, ca_file, ca_dir, tls_server_name, tls_insecure_skip_verify: TLS as in
            :class:`ignite_tf.Client`; the server certificate is verified (against ``ca_file``
            or the system trust store) unless ``tls_insecure_skip_verify=True``.

    Environment variables ``IGNITE_DATASET_CACHE_NAME``, ``_HOST``, ``_PORT``, ``_LOCAL``,
    ``_PART``, ``_PAGE_SIZE``, ``_USERNAME``, ``_PASSWORD``, ``_CERTFILE``, ``_KEYFILE`` and
    ``_CERT_PASSWORD`` override the arguments, as in the original integration (e.g. each
    distributed-training worker sets its own ``_PART``), and so do the new ``_CA_FILE``,
    ``_CA_DIR`` and ``_TLS_SERVER_NAME``. As in the original, ``IGNITE_DATASET_LOCAL`` set to
    any value turns ``local`` on; a ``_PORT``, ``_PART`` or ``_PAGE_SIZE`` that is not an integer
    is an :class:`~ignite_tf.errors.IgniteValueError` naming the variable.
    """
    tf = _import_tf()
    settings = {
        "cache_name": cache_name,
        "host": host,
        "port": port,
        "local": bool(local),
        "part": part,
        "page_size": page_size,
        "username": username,
        "password": password,
        "certfile": certfile,
        "keyfile": keyfile,
        "cert_password": cert_password,
        "ca_file": ca_file,
        "ca_dir": ca_dir,
        "tls_server_name": tls_server_name,
        **environment("IgniteDataset"),
    }
    cache_name, host, port = settings["cache_name"], settings["host"], int(settings["port"])
    local, part, page_size = settings["local"], int(settings["part"]), int(settings["page_size"])
    batch_size = _block_rows(batch_size, batched)
    if page_size <= 0 or batch_size <= 0:
        raise IgniteValueError("page_size and batch_size must be positive")
    if num_parallel_reads is not None and num_parallel_reads < 1:
        raise IgniteValueError(f"num_parallel_reads must be at least 1, got {num_parallel_reads}")
    if partitions is not None and part != -1:
        raise IgniteValueError("give part (or IGNITE_DATASET_PART) or partitions, not both")
    client_args = {
        **{name: settings[name] for name in KEYWORDS if name in settings},
        "timeout": timeout,
        "tls": tls,
        "tls_insecure_skip_verify": tls_insecure_skip_verify,
    }

    if num_shards is not None or shard_index is not None:
        if part != -1:
            raise IgniteValueError("give part (or IGNITE_DATASET_PART) or a shard, not both")
        partitions = _shard(
            cache_name, host, port, client_args, partitions, num_shards, shard_index
        )
    schema, given, fixed_lists = _probe_schema(
        cache_name,
        schema_host or host,
        int(schema_port or port),
        part,
        local,
        client_args,
        fields,
        schema,
        decimals,
        sample_lists=not batched,
        timestamp_unit=timestamp_unit,
    )

    def open_scan(client: Client) -> Any:
        client._array_views = False  # copied by the core, where it costs least: see Client
        return client.scan(
            cache_name,
            page_size=page_size,
            partition=part,
            local=local,
            batch_size=batch_size,
            fields=fields,
            masks=masks,
            schema=given,
            on_mismatch=on_mismatch,
            num_parallel_reads=num_parallel_reads,
            decimals=decimals,
            timestamp_unit=timestamp_unit,
            partitions=partitions,
            deterministic=deterministic,
            page_bytes=page_bytes,
            batch_bytes=batch_bytes,
        )

    key_tree, val_tree = schema

    def element(build: Any) -> dict:
        out = {"key": build(key_tree), "val": build(val_tree)}
        if masks:
            out["mask"] = {"key": build(_mask_tree(key_tree)), "val": build(_mask_tree(val_tree))}
        return out

    trees = (key_tree, val_tree)
    if masks:
        trees += (_mask_tree(key_tree), _mask_tree(val_tree))
    return _dataset_over(
        tf,
        trees,
        lambda: Client(host, port, **client_args),
        open_scan,
        element,
        batch_size if batched else None,
        fixed_lists,
        batch_bytes,
    )


def _mask_tree(tree: Any) -> Any:
    """The tree of validity columns (bool, one per row) mirroring a schema tree."""
    if isinstance(tree, dict):
        return {name: _mask_tree(child) for name, child in tree.items()}
    _, _, path = tree
    return ("bool", False, path + "#valid")


def _map_tree(tree: Any, leaf: Any) -> Any:
    if isinstance(tree, dict):
        return {name: _map_tree(child, leaf) for name, child in tree.items()}
    return leaf(tree)


_SPLITS_SUFFIX = "#row_splits"


def _splits_key(path: str, level: int) -> str:
    """The flat column of a list column's offsets of `level` (0: rows)."""
    return path + _SPLITS_SUFFIX + (str(level) if level else "")


def _num_rows(batch: dict) -> int:
    return len(next(iter(batch.values())))


def _flat_ragged(column: RaggedColumn) -> tuple[np.ndarray, list[np.ndarray]]:
    """(flat values, row splits of every level, each starting at 0) of a ragged column, which
    may be a slice whose offsets start elsewhere: only the part the rows use is kept."""
    splits = []
    values: Any = column
    while isinstance(values, RaggedColumn):
        offsets = values.row_offsets
        lo, hi = int(offsets[0]), int(offsets[-1])
        splits.append(offsets - lo if lo else offsets)
        values = values.values[lo:hi]
    return values, splits


def _from_flat(values: np.ndarray, splits: list[np.ndarray]) -> RaggedColumn:
    for offsets in reversed(splits):
        values = RaggedColumn(values, offsets)
    return values


def _row_slice(column: Any, start: int, stop: int) -> Any:
    if isinstance(column, RaggedColumn):
        return _from_flat(*_flat_ragged(column[start:stop]))
    return column[start:stop]


def _concat(parts: list) -> Any:
    if isinstance(parts[0], RaggedColumn):
        flat = [_flat_ragged(p) for p in parts]
        splits = []
        for level in range(len(flat[0][1])):
            lengths = np.concatenate([np.diff(s[level]) for _, s in flat])
            offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            splits.append(offsets)
        return _from_flat(np.concatenate([v for v, _ in flat]), splits)
    return np.concatenate(parts)


def _column_nbytes(column: Any) -> int:
    """Bytes a column's rows hold: its values and offsets (a string column's text)."""
    if isinstance(column, RaggedColumn):
        values, splits = _flat_ragged(column)
        return _column_nbytes(values) + sum(s.nbytes for s in splits)
    if isinstance(column, np.ndarray) and column.dtype == object:
        return sum(len(v) if isinstance(v, (bytes, str)) else 8 for v in column)
    return int(np.asarray(column).nbytes)


def _rows_within(batch: dict, size: int, budget: int) -> int:
    """`size` rows, or fewer when that many rows like the batch's would pass `budget` bytes
    (0: no budget): at least one. Rounded, as the scan rounds its pages and batches: a key and
    an offset on top of a 1 MiB value still make 16 rows of 16 MiB, so that batches line up
    with the scan's and are passed on without a copy."""
    rows = _num_rows(batch)
    if budget <= 0 or rows == 0:
        return size
    row_bytes = max(1, sum(_column_nbytes(c) for c in batch.values()) // rows)
    return max(1, min(size, (budget + row_bytes // 2) // row_bytes))


def _exact_batches(batches: Iterable[dict], size: int, budget: int = 0) -> Iterator[dict]:
    """Re-cuts column batches (whole pages) into batches of exactly `size` rows, the last one
    shorter: slices share memory; only batches that span two scan batches are copied. With a
    byte `budget`, the first scan batch's bytes per row lower `size` so that a batch holds about
    `budget` bytes at most; every batch then has that many rows."""
    pending: list[tuple[dict, int, int]] = []
    have = 0
    sized = False

    def join() -> dict:
        if len(pending) == 1:
            batch, start, stop = pending[0]
            if start == 0 and stop == _num_rows(batch):
                return batch
            return {path: _row_slice(col, start, stop) for path, col in batch.items()}
        return {
            path: _concat([_row_slice(b[path], start, stop) for b, start, stop in pending])
            for path in pending[0][0]
        }

    for batch in batches:
        rows, start = _num_rows(batch), 0
        if not sized and rows:
            size, sized = _rows_within(batch, size, budget), True
        while start < rows:
            take = min(size - have, rows - start)
            pending.append((batch, start, start + take))
            have += take
            start += take
            if have == size:
                yield join()
                pending, have = [], 0
    if pending:
        yield join()


def _map_on_caller(dataset: Any, fn: Any) -> Any:
    """``dataset.map(fn)`` (TF1 semantics: an OutOfRange raised in `fn` ends the dataset) whose
    function runs on the thread that asks for the element, not on TensorFlow's inter-op thread
    pool. The batches' map is a single numpy_function that waits for the scan: handing it to
    the pool costs a thread switch per batch and keeps idle pool threads spinning, ~85 us of
    CPU a batch (TF 2.21; W2 batched 0.71 against 0.65 us of client CPU a row), taken from the
    cores the node serves from. TensorFlow offers this only through its internal map dataset
    (``use_inter_op_parallelism=False``); where that is gone or changed, the public map serves.
    """
    try:
        from tensorflow.python.data.ops import map_op

        return map_op._MapDataset(
            dataset, fn, use_inter_op_parallelism=False, preserve_cardinality=False
        )
    except (ImportError, AttributeError, TypeError):
        return dataset.map(fn)  # a tf.compat.v1 dataset: its map ends at OutOfRange too


def _uniform_runs(batch: dict, paths: Iterable[str]) -> list[tuple[int, int]]:
    """[start, stop) row ranges of a batch in which every list column of `paths` has rows of
    one length: the whole batch when the lengths are fixed, more pieces where they change."""
    rows = _num_rows(batch)
    change = np.zeros(rows, dtype=bool)
    for path in paths:
        lengths = np.diff(batch[path].row_offsets)
        change[1:] |= lengths[1:] != lengths[:-1]
    bounds = [0, *np.flatnonzero(change).tolist(), rows]
    return list(zip(bounds[:-1], bounds[1:]))


def _dense_rows(column: RaggedColumn, start: int, stop: int) -> np.ndarray:
    """Rows [start, stop) of a list column whose rows there have one length, as a 2-D array."""
    lo, hi = int(column.row_offsets[start]), int(column.row_offsets[stop])
    return column.values[lo:hi].reshape(stop - start, (hi - lo) // max(stop - start, 1))


def _empty_rows_error(path: str, batch: dict, start: int) -> IgniteSchemaError:
    key = batch.get("key")
    where = ""
    if isinstance(key, np.ndarray):
        first = key[start].item() if isinstance(key[start], np.generic) else key[start]
        where = f" (the first has key {first!r})"
    return IgniteSchemaError(
        f"'{path}' held arrays of one length in the first rows, so the dataset cuts it into rows "
        f"as dense blocks, and then rows with empty arrays came{where}: TensorFlow cannot cut "
        "empty arrays out of a dense block (its Unbatch crashes on them). Read this cache with "
        "batched=True and call .unbatch() on the dataset: the column stays ragged there, and "
        "empty arrays arrive as they are"
    )


def _dataset_over(
    tf: Any,
    trees: Any,
    connect: Any,
    open_scan: Any,
    element: Any,
    batched: int | None,
    fixed_lists: frozenset = frozenset(),
    batch_bytes: int = 0,
) -> Any:
    """A tf.data.Dataset over the batches of `open_scan(client)`: one element per `batched` rows
    when it is set (fewer when that many rows would pass `batch_bytes`), else one per row.

    `trees` are the schema trees whose leaves are columns; `element(build)` makes an element
    from them (`build(tree)` turns a tree into tensors or specs). `fixed_lists`: list columns
    (one level) expected to hold rows of one length. When every list column is one of them,
    element by element they reach TensorFlow as dense [rows, length] blocks of equal-length
    rows, cut into 1-D tensors with no work per element (a RaggedTensor needs a decode and a map
    per element, ten times the cost). Rows of other lengths still read correctly, in smaller
    blocks; rows with empty arrays there stop the read with an IgniteSchemaError naming the way
    around (TensorFlow cannot cut them out of a block).
    """
    leaves = [leaf for tree in trees for leaf in _leaves(tree)]
    lists = {path for path, _, depth in leaves if depth}
    # Dense blocks only when every list column is one: slicing blocks that hold RaggedTensors
    # too works, but makes TensorFlow log a page of "Type inference failed" on every run.
    dense = frozenset(lists) if not batched and lists and lists <= fixed_lists else frozenset()
    ragged_lists = bool(lists) and not dense
    # The generator hands TensorFlow flat NumPy columns (list columns as values + the row splits
    # of each level, or dense blocks); a map builds the nested structure and the RaggedTensors
    # inside the graph, which costs TensorFlow far less per batch than building them eagerly in
    # the generator.
    signature = {}
    for path, dtype, depth in leaves:
        tf_dtype = getattr(tf, _TF_DTYPES[dtype])
        if path in dense:
            signature[path] = tf.TensorSpec([None, None], tf_dtype)
            continue
        signature[path] = tf.TensorSpec([None], tf_dtype)
        for level in range(depth):
            signature[_splits_key(path, level)] = tf.TensorSpec([None], tf.int64)

    def flatten(batch: dict) -> dict:
        flat = {}
        for path, column in batch.items():
            if isinstance(column, RaggedColumn):
                values, splits = _flat_ragged(column)
                flat[path] = values
                for level, offsets in enumerate(splits):
                    flat[_splits_key(path, level)] = offsets
            else:
                flat[path] = column
        return flat

    def pieces(batch: dict) -> Iterator[dict]:
        if not dense:
            yield flatten(batch)
            return
        for start, stop in _uniform_runs(batch, dense):
            blocks = {path: _dense_rows(batch[path], start, stop) for path in dense}
            for path, block in blocks.items():
                if block.size == 0:
                    raise _empty_rows_error(path, batch, start)
            whole = start == 0 and stop == _num_rows(batch)
            flat = flatten(
                {
                    path: column if whole else _row_slice(column, start, stop)
                    for path, column in batch.items()
                    if path not in dense
                }
            )
            for path, block in blocks.items():
                flat[path] = block
            yield flat

    def batches():
        # Runs on each iteration: its own connection and cursor, closed when iteration stops.
        with connect() as client:
            scan = open_scan(client)
            try:
                for batch in _exact_batches(scan, batched, batch_bytes) if batched else scan:
                    yield from pieces(batch)
            finally:
                scan.close()
                if scan.skipped_rows:
                    warnings.warn(
                        f"skipped {scan.skipped_rows} rows whose structure did not fit the schema",
                        stacklevel=2,
                    )

    def restructure(flat: dict) -> dict:
        def leaf(tree: Any) -> Any:
            _, depth, path = tree
            if depth and path not in dense:
                return tf.RaggedTensor.from_nested_row_splits(
                    flat[path],
                    [flat[_splits_key(path, level)] for level in range(depth)],
                    validate=False,
                )
            return flat[path]

        return element(lambda tree: _map_tree(tree, leaf))

    def densify(element: Any) -> Any:
        # After unbatch, a row of a list column is an ordinary 1-D tensor; say so in the spec.
        # A row of a list-of-lists column stays a RaggedTensor of shape [None, None].
        return tf.nest.map_structure(
            lambda t: t.flat_values if isinstance(t, tf.RaggedTensor) and t.shape.rank == 1 else t,
            element,
        )

    # The batches reach TensorFlow through a numpy_function in a map over a key repeated without
    # end: per batch that costs TensorFlow about 60% of what a from_generator element with a map
    # after it costs (~250 against ~420 us of CPU, measured with TF 2.21), which is most of
    # what separates batched reads from NumPy on small rows. The function returns the columns'
    # NumPy arrays as they are: TensorFlow wraps 64-byte-aligned arrays without a copy, for
    # less than making tensors of them over DLPack first (W2 batched: 0.61 against 0.65 us of
    # client CPU a row; W1 the same). from_generator still holds each iteration's scan: its
    # generator (one per iterator) opens it, yields the key under which fetch() finds it, and
    # closes it when the iterator ends, at the last batch or earlier.
    names = list(signature)
    sessions: dict[int, Iterator[dict]] = {}
    keys = itertools.count()

    def session() -> Iterator[np.int64]:
        key = next(keys)
        sessions[key] = batches()
        try:
            yield np.int64(key)
        finally:
            sessions.pop(key).close()  # the scan's finally: closed, skipped rows reported

    def fetch(key: np.ndarray) -> list:
        flat = next(sessions[int(key)])  # StopIteration: the map ends (OutOfRange)
        return [flat[name] for name in names]

    def batch_of(key: Any) -> Any:
        flat = tf.numpy_function(fetch, [key], [signature[n].dtype for n in names], stateful=True)
        flat = flat if isinstance(flat, (list, tuple)) else [flat]
        for name, tensor in zip(names, flat):
            tensor.set_shape(signature[name].shape)
        return restructure(dict(zip(names, flat)))

    def batches_of(key: Any) -> Any:
        # tf.compat.v1's map ends where its function raises OutOfRange; TF2's turns that into
        # an error (it keeps the input's cardinality).
        return _map_on_caller(tf.compat.v1.data.Dataset.from_tensors(key).repeat(), batch_of)

    iterations = tf.data.Dataset.from_generator(
        session, output_signature=tf.TensorSpec([], tf.int64)
    )
    # The next batches are read and converted while TensorFlow works on the current one (trains
    # on it, or cuts it into elements).
    dataset = iterations.flat_map(batches_of).prefetch(2)
    if batched:
        return dataset
    # Unbatch cuts the blocks into rows with the least work per row of any TensorFlow dataset
    # (slicing each block as a dataset of its own through interleave or flat_map takes a third
    # longer per row). It crashes (SIGSEGV, TF 2.21) on a numeric block of zero elements, which
    # is why dense blocks are never empty (pieces() stops at a run of empty arrays).
    dataset = dataset.unbatch()
    if ragged_lists:
        dataset = dataset.map(densify, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset


def SqlDataset(
    query: str,
    args: Any = (),
    host: str | list[str] = "localhost",
    port: int = 10800,
    *,
    schema: str = "PUBLIC",
    page_size: int = 1024,
    batch_size: int | None = None,
    distributed_joins: bool = False,
    local: bool = False,
    timeout: float = 30.0,
    batched: bool = False,
    column_types: dict[str, str] | None = None,
    type_lookahead_bytes: int = 64 << 20,
    decimals: str = "float64",
    timestamp_unit: str = "ns",
    masks: bool = False,
    lazy: bool = True,
    **client_options: Any,
) -> Any:
    """Runs a SQL query on the cluster and reads its rows as a ``tf.data.Dataset`` of
    ``{column: tensor}`` elements, so filtering, joins and projection happen on the server.

    >>> ds = SqlDataset("SELECT label, pixels FROM images WHERE split = ?", ["train"])
    >>> for row in ds.take(1):
    ...     print(row["LABEL"], row["PIXELS"])    # column names as the server reports them

    The server reports column names but not types. A column's type is the one given in
    ``column_types`` (Ignite type names by column name as the server reports it, e.g.
    ``{"SCORE": "double", "NOTE": "string"}``, see :mod:`ignite_tf.schema`), or else the type of
    its first non-null value, with the same mapping as IgniteDataset; when a column is NULL in
    the whole first page, later pages are read ahead for a value (up to
    ``type_lookahead_bytes`` of pages, then read in order). SQL NULLs read as 0, ``b""`` or an
    empty list. Given types win over the values' types; a row holding another type is an
    IgniteSchemaError naming the column and both types.

    With every column's type known (given, or learnt from the rows), a query that returns no
    rows gives an empty dataset with the right ``element_spec``. Without them, an empty result,
    or a column NULL in every row (or in all the rows within ``type_lookahead_bytes``), is an
    IgniteSchemaError naming the columns to give in ``column_types``.

    The query runs once to learn the columns and again on every iteration. ``batched=True``
    yields batches of ``batch_size`` rows (default 1024), the last one shorter
    (``{column: tensor[rows]}``), instead of single rows, as in :func:`IgniteDataset`; element
    by element, ``batch_size`` is the rows of each block TensorFlow cuts into rows (4096).
    ``decimals="string"`` reads DECIMAL columns as their exact text and
    ``timestamp_unit="us"`` or ``"ms"`` TIMESTAMP columns in that unit, as in
    :func:`IgniteDataset`. ``lazy`` (default True) runs the query in Ignite's lazy mode, rows
    produced page by page as they are read (see :meth:`ignite_tf.Client.sql_batches`).
    ``client_options`` are :class:`ignite_tf.Client` options
    (username, password, TLS).

    ``masks=True`` adds ``element['mask']``, ``{column: bool}``: False where the row's value was
    SQL NULL (it then reads as 0, ``b""`` or empty), as :func:`IgniteDataset`'s masks do.

    The environment variables of :func:`IgniteDataset` override the arguments here too:
    ``IGNITE_DATASET_HOST``, ``_PORT``, ``_LOCAL``, ``_PAGE_SIZE``, ``_USERNAME``, ``_PASSWORD``,
    ``_CERTFILE``, ``_KEYFILE``, ``_CERT_PASSWORD``, ``_CA_FILE``, ``_CA_DIR`` and
    ``_TLS_SERVER_NAME`` (the ones about a cache, ``_CACHE_NAME`` and ``_PART``, do not apply).
    """
    tf = _import_tf()
    settings = {
        "host": host,
        "port": port,
        "local": bool(local),
        "page_size": page_size,
        **client_options,
        **environment("SqlDataset"),
    }
    host, port, local = settings.pop("host"), int(settings.pop("port")), settings.pop("local")
    page_size = int(settings.pop("page_size"))
    client_options = settings
    batch_size = _block_rows(batch_size, batched)
    if page_size <= 0 or batch_size <= 0:
        raise IgniteValueError("page_size and batch_size must be positive")
    args = tuple(args)
    column_types = dict(column_types or {})

    def connect() -> Client:
        return Client(host, port, timeout=timeout, **client_options)

    def open_scan(client: Client) -> Any:
        return client.sql_batches(
            query,
            args,
            schema=schema,
            page_size=page_size,
            batch_size=batch_size,
            distributed_joins=distributed_joins,
            local=local,
            column_types=column_types,
            type_lookahead_bytes=type_lookahead_bytes,
            decimals=decimals,
            timestamp_unit=timestamp_unit,
            masks=masks,
            lazy=lazy,
        )

    with connect() as client:
        scan = open_scan(client)
        try:
            trees = scan.schema
            names = scan.columns or []
        finally:
            scan.close()
    if trees is None:
        # No rows, and some columns have no given type.
        missing = [name for name in names if name not in column_types]
        one = len(missing) == 1
        entries = ", ".join(f'"{name}": ...' for name in missing)
        raise IgniteSchemaError(
            f"the query returned no rows on {_where(host, port)}, so the type"
            f"{'' if one else 's'} of column{'' if one else 's'} {', '.join(missing)} "
            f"{'is' if one else 'are'} unknown: pass column_types={{{entries}}} with Ignite "
            f'type names such as "double" or "string" for an empty dataset: {query}'
        )
    _, columns = trees
    if not masks:
        return _dataset_over(
            tf,
            (columns,),
            connect,
            open_scan,
            lambda build: build(columns),
            batch_size if batched else None,
        )
    if "mask" in columns:
        raise IgniteValueError(
            "the query has a column named 'mask', where masks=True puts the masks: rename it "
            "with AS in the query"
        )
    mask_tree = _mask_tree(columns)
    return _dataset_over(
        tf,
        (columns, mask_tree),
        connect,
        open_scan,
        lambda build: {**build(columns), "mask": build(mask_tree)},
        batch_size if batched else None,
    )
