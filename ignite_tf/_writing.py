"""Columnar writes: NumPy columns, pandas DataFrames and tf.data datasets into a cache or a
SQL table (:meth:`ignite_tf.Client.write`, :meth:`ignite_tf.Client.write_table`).

Python only slices the input into chunks and describes each column's buffer; the compiled core
validates a chunk, encodes its rows from the buffers without the GIL, packs them into put_all
pages sized by bytes and sends them, several in flight per node, each page to the primary node
of its keys when the client knows several nodes.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_BATCH_SIZE = 1024
# Pages of 16 MiB, as reads' pages: 1 MiB rows wrote at 0.80 of the write limit in 4 MiB pages, 0.95
# in 16 MiB ones (the node's cost per request); rows of 16 KB or less still fill 1024-row pages.
DEFAULT_BATCH_BYTES = 16 << 20
DEFAULT_PARALLEL_WRITES = 2
# Python hands the core chunks of about this many bytes: the progress bar moves between them,
# and Ctrl-C is seen between them.
_CHUNK_BYTES = 64 << 20

# Ignite type codes the writer can be asked for (write_table converts to the table's types).
_SQL_TYPE_CODES = {
    "java.lang.Byte": 1,
    "java.lang.Short": 2,
    "java.lang.Integer": 3,
    "java.lang.Long": 4,
    "java.lang.Float": 5,
    "java.lang.Double": 6,
    "java.lang.Character": 7,
    "java.lang.Boolean": 8,
    "java.lang.String": 9,
    "java.util.Date": 11,
    "java.sql.Date": 254,  # DATE: java.sql.Date, as the optimized marshaller writes it
    "java.sql.Timestamp": 33,
    "[B": 12,
}

_NUMERIC = {
    np.dtype(np.int8): "int8",
    np.dtype(np.uint8): "uint8",
    np.dtype(np.int16): "int16",
    np.dtype(np.uint16): "uint16",
    np.dtype(np.int32): "int32",
    np.dtype(np.uint32): "uint32",
    np.dtype(np.int64): "int64",
    np.dtype(np.uint64): "uint64",
    np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64",
    np.dtype(np.bool_): "bool",
}

# SQL column types for CREATE TABLE, from the element type of a column (one value per row).
_SQL_TYPES = {
    "int8": "TINYINT",
    "uint8": "SMALLINT",
    "int16": "SMALLINT",
    "uint16": "INT",
    "int32": "INT",
    "uint32": "BIGINT",
    "int64": "BIGINT",
    "uint64": "BIGINT",
    "float32": "REAL",
    "float64": "DOUBLE",
    "bool": "BOOLEAN",
    "string": "VARCHAR",
    "datetime64": "TIMESTAMP",
}


KEY_COLUMN = "\0key"


def is_columns(data: Any) -> bool:
    """Whether `data` is named columns (rows become objects), not one column of values."""
    if isinstance(data, Mapping) or (hasattr(data, "columns") and hasattr(data, "iloc")):
        return True
    if _is_dataset(data):
        return isinstance(data.element_spec, Mapping)
    return False


def with_key_column(data: Any, keys: Any) -> Any:
    """`data` with the keys as one more column (KEY_COLUMN)."""
    if _is_dataset(data):
        raise TypeError("with a tf.data.Dataset, key names a column of its elements")
    if hasattr(data, "columns") and hasattr(data, "iloc"):
        data = _from_dataframe(data)
    return {**data, KEY_COLUMN: keys}


@dataclass
class TableInfo:
    cache_name: str
    key_type: str
    value_type: str
    key_columns: list[str]
    # column name -> Java type name, in the table's order (without _KEY and _VAL)
    columns: dict[str, str]


def table_info(client: Any, schema: str, table: str) -> TableInfo | None:
    rows = list(
        client.sql(
            "SELECT CACHE_NAME, KEY_TYPE_NAME, VALUE_TYPE_NAME FROM SYS.TABLES "
            "WHERE SCHEMA_NAME = ? AND TABLE_NAME = ?",
            [schema, table],
        )
    )
    if not rows:
        return None
    cache_name, key_type, value_type = rows[0]
    columns: dict[str, str] = {}
    keys: list[str] = []
    for name, java_type, pk in client.sql(
        "SELECT COLUMN_NAME, TYPE, PK FROM SYS.TABLE_COLUMNS "
        "WHERE SCHEMA_NAME = ? AND TABLE_NAME = ?",
        [schema, table],
    ):
        if name in ("_KEY", "_VAL"):
            continue
        columns[name] = java_type
        if pk:
            keys.append(name)
    return TableInfo(cache_name, key_type, value_type, keys, columns)


def _element_kind(column: Any) -> str:
    """The writer's element type of a column, for CREATE TABLE."""
    from ignite_tf.client import RaggedColumn

    if isinstance(column, RaggedColumn):
        return "array"
    if isinstance(column, np.ma.MaskedArray):
        column = column.data
    if isinstance(column, (list, tuple)):
        first = next((x for x in column if x is not None and not _is_nan(x)), None)
        if isinstance(first, str):
            return "string"
        if isinstance(first, (bytes, bytearray, memoryview)):
            return "array"
        column = np.asarray(column)
    column = np.asarray(column)
    if column.ndim > 1:
        return "array"
    if column.dtype.kind in "OU":
        first = next((x for x in column.tolist() if x is not None and not _is_nan(x)), None)
        return "array" if isinstance(first, bytes) else "string"
    if column.dtype.kind == "S":
        return "array"
    if column.dtype.kind == "M":
        return "datetime64"
    return _NUMERIC.get(column.dtype, str(column.dtype))


def _first_columns(data: Any) -> dict[str, Any]:
    if _is_dataset(data):
        raise TypeError("create=True needs a dict of columns or a DataFrame, to read the types")
    if hasattr(data, "columns") and hasattr(data, "iloc"):
        return _from_dataframe(data)
    if not isinstance(data, Mapping):
        raise TypeError("a table is written from named columns: a dict or a DataFrame")
    return dict(data)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(schema: str, table: str, data: Any, primary_key: Any) -> str:
    columns = _first_columns(data)
    keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
    for k in keys:
        if k not in columns:
            raise KeyError(f"primary_key {k!r} is not among the columns {list(columns)}")
    parts = []
    for name, column in columns.items():
        kind = _element_kind(column)
        sql_type = "VARBINARY" if kind == "array" else _SQL_TYPES.get(kind)
        if sql_type is None:
            raise _unsupported(name, f"values of dtype {kind}")
        parts.append(f"{_quote(name.upper())} {sql_type}")
    parts.append(f"PRIMARY KEY ({', '.join(_quote(k.upper()) for k in keys)})")
    return f"CREATE TABLE IF NOT EXISTS {_quote(schema)}.{_quote(table)} ({', '.join(parts)})"


def match_table(info: TableInfo, data: Any, primary_key: Any) -> tuple[Any, Any, dict, str]:
    """The data with its columns renamed to the table's, the key column (or columns), the
    target types, and the key's type name when the key is an object (composite keys)."""
    table_keys = info.key_columns
    if not table_keys:
        raise ValueError("the table has no primary key columns")
    if primary_key is not None:
        given = [primary_key] if isinstance(primary_key, str) else list(primary_key)
        if [k.upper() for k in given] != [k.upper() for k in table_keys]:
            raise ValueError(f"primary_key {primary_key!r}: the table's key is {table_keys}")
    by_upper: dict[str, list[str]] = {}
    for name in info.columns:
        by_upper.setdefault(name.upper(), []).append(name)

    def table_name(name: str) -> str:
        if name in info.columns:
            return name
        found = by_upper.get(name.upper(), [])
        if len(found) != 1:
            raise KeyError(
                f"column {name!r} is not a column of the table (it has {list(info.columns)})"
            )
        return found[0]

    if _is_dataset(data):
        spec = data.element_spec
        if not isinstance(spec, Mapping):
            raise TypeError("a table is written from dict elements")
        renames = {name: table_name(name) for name in spec}
        data = data.map(lambda e: {renames[k]: v for k, v in e.items()})
    else:
        data = {table_name(name): column for name, column in _first_columns(data).items()}
        renames = {name: name for name in data}
    for table_key in table_keys:
        if table_key not in renames.values():
            raise KeyError(f"the data has no column {table_key!r} of the table's primary key")
    targets = {}
    for name in renames.values():
        code = _SQL_TYPE_CODES.get(info.columns[name])
        if code is None:
            raise _unsupported(name, f"the table's type {info.columns[name]}")
        if code != 12:  # byte[] columns are written as they are
            targets[name] = code
    if len(table_keys) == 1:
        return data, table_keys[0], targets, ""
    # A composite key: an object of the table's key type, its fields the key columns.
    return data, list(table_keys), targets, info.key_type


def _unsupported(name: str, what: str) -> TypeError:
    return TypeError(
        f"column {name!r}: {what} cannot be written (supported: integers, floats, bools, "
        "str, bytes, datetime64, 2-D arrays and RaggedColumns of numbers)"
    )


def _strings(name: str, items: Any) -> tuple:
    """(type, data, offsets, valid) of a sequence of str or bytes (None/NaN: null)."""
    from ignite_tf import _core

    items = list(items) if not isinstance(items, list) else items
    first = next((x for x in items if x is not None and not _is_nan(x)), "")
    kind = "bytes" if isinstance(first, (bytes, bytearray, memoryview)) else "string"
    if not isinstance(first, (str, bytes, bytearray, memoryview)):
        raise _unsupported(name, f"values of type {type(first).__name__}")
    try:
        data, offsets, valid = _core.pack_ragged(items, kind)
    except Exception as e:
        raise TypeError(f"column {name!r}: {e}") from None
    return ("string" if kind == "string" else "uint8", data, offsets, valid)


def _is_nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def column_tuple(name: str, column: Any, target: int = 0) -> tuple:
    """The core's description of one column: (name, type, data, offsets, valid, target, unit)."""
    from ignite_tf.client import RaggedColumn

    valid = None
    if isinstance(column, RaggedColumn):
        if isinstance(column.values, RaggedColumn):
            raise _unsupported(name, "lists of lists")
        values = np.ascontiguousarray(column.values)
        kind = _NUMERIC.get(values.dtype)
        if kind is None:
            raise _unsupported(name, f"a RaggedColumn of {values.dtype}")
        offsets = np.ascontiguousarray(column.row_offsets, dtype=np.int64)
        return (name, kind, values, offsets, None, target, 1)
    if isinstance(column, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(column)
        if mask.ndim > 1:
            mask = mask.reshape(len(mask), -1).any(axis=1)
        valid = np.ascontiguousarray(~mask, dtype=np.uint8)
        column = column.data
    if isinstance(column, (list, tuple)):
        first = next((x for x in column if x is not None and not _is_nan(x)), None)
        if isinstance(first, (str, bytes, bytearray, memoryview)):
            kind, data, offsets, packed_valid = _strings(name, column)
            return (name, kind, data, offsets, packed_valid, target, 1)
    if not isinstance(column, np.ndarray):
        column = np.asarray(column)
    if column.ndim == 0:
        raise TypeError(f"column {name!r} is a single value, not a column of rows")
    if column.dtype.kind in "OUS":
        if column.ndim != 1:
            raise _unsupported(name, f"{column.ndim}-D arrays of {column.dtype}")
        kind, data, offsets, packed_valid = _strings(name, column.tolist())
        if valid is not None and packed_valid is not None:
            valid = valid & packed_valid
        return (name, kind, data, offsets, valid if valid is not None else packed_valid, target, 1)
    if column.dtype.kind == "M":
        if column.ndim != 1:
            raise _unsupported(name, "arrays of datetime64 per row")
        unit, count = np.datetime_data(column.dtype)
        unit_ns = {"D": 86_400 * 10**9, "h": 3600 * 10**9, "m": 60 * 10**9, "s": 10**9}.get(
            unit, {"ms": 10**6, "us": 10**3, "ns": 1}.get(unit, 0)
        )
        if unit_ns == 0:
            raise _unsupported(name, f"datetime64 in unit {unit!r}")
        return (name, "datetime64", column.view(np.int64), None, valid, target, unit_ns * count)
    if column.dtype.byteorder == ">":  # big-endian data: the wire is little-endian
        column = column.astype(column.dtype.newbyteorder("="))
    kind = _NUMERIC.get(column.dtype)
    if kind is None:
        raise _unsupported(name, f"values of dtype {column.dtype}")
    if column.ndim > 1 and not column[0:1].flags.c_contiguous:
        column = np.ascontiguousarray(column)
    return (name, kind, column, None, valid, target, 1)


def _row_bytes(columns: Mapping[str, Any], rows: int) -> float:
    total = 0
    for c in columns.values():
        nbytes = getattr(c, "nbytes", None)
        if nbytes is None and hasattr(c, "flat_values"):
            nbytes = c.flat_values.nbytes
        total += nbytes if nbytes is not None else 32 * max(rows, 1)
    return total / max(rows, 1)


def _from_dataframe(frame: Any) -> dict[str, Any]:
    """A DataFrame's columns as arrays; NaN/None/NaT/pd.NA are nulls (masked)."""
    out: dict[str, Any] = {}
    for name in frame.columns:
        series = frame[name]
        missing = series.isna().to_numpy()
        dtype = series.dtype
        if dtype.kind in "iufb" and isinstance(dtype, np.dtype):
            values = series.to_numpy()
        elif getattr(dtype, "kind", "O") == "M":
            values = series.to_numpy(dtype="datetime64[ns]")
        elif getattr(dtype, "kind", "O") in "iufb":  # pandas nullable Int64, Float64, boolean
            numpy_type = dtype.numpy_dtype
            values = series.to_numpy(dtype=numpy_type, na_value=numpy_type.type(0))
        else:
            values = series.to_numpy(dtype=object)
        out[str(name)] = np.ma.MaskedArray(values, mask=missing) if missing.any() else values
    return out


def chunks_of(data: Any, chunk_rows: int | None = None) -> Iterator[dict[str, Any]]:
    """The input as chunks {name: column} of equal length (a single array: {"": array})."""
    if _is_dataset(data):
        yield from _dataset_chunks(data)
        return
    if hasattr(data, "columns") and hasattr(data, "iloc"):  # a pandas DataFrame
        data = _from_dataframe(data)
    if not isinstance(data, Mapping):
        data = {"": data}
    if not data:
        raise ValueError("nothing to write: no columns")
    columns = {str(k): v for k, v in data.items()}
    lengths = {name: len(c) for name, c in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"columns differ in length: {lengths}")
    rows = next(iter(lengths.values()))
    step = chunk_rows or max(1, int(_CHUNK_BYTES // max(_row_bytes(columns, rows), 1.0)))
    for start in range(0, rows, step):
        yield {name: c[start : start + step] for name, c in columns.items()}


def _is_dataset(data: Any) -> bool:
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(data, tf.data.Dataset)


def _dataset_chunks(ds: Any) -> Iterator[dict[str, Any]]:
    import tensorflow as tf

    spec = ds.element_spec
    specs = spec.values() if isinstance(spec, Mapping) else [spec]
    batched = all(s.shape.rank and s.shape.rank >= 1 and s.shape[0] is None for s in specs)
    if not batched:
        ds = ds.batch(DEFAULT_BATCH_SIZE * 16)
    for element in ds.prefetch(tf.data.AUTOTUNE).as_numpy_iterator():
        yield element if isinstance(element, Mapping) else {"": element}


class Progress:
    """A tqdm bar (tqdm.auto, so notebooks get theirs) or one plain line on stderr, shown once
    a write has taken half a second."""

    def __init__(self, enabled: bool, total: int | None, what: str) -> None:
        self.enabled = enabled
        self.total = total
        self.what = what
        self.started = time.monotonic()
        self.bar: Any = None
        self.plain = False
        self.last = 0.0

    def update(self, rows: int, nbytes: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self.started
        if self.bar is None and not self.plain:
            if elapsed < 0.5:
                return
            try:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=self.total, desc=self.what, unit=" rows", unit_scale=True)
            except ImportError:
                self.plain = True
        mb_s = nbytes / 1e6 / max(elapsed, 1e-9)
        if self.bar is not None:
            self.bar.update(rows - self.bar.n)
            self.bar.set_postfix_str(f"{mb_s:.1f} MB/s", refresh=False)
        elif now - self.last >= 1.0:
            self.last = now
            of = f" of {self.total:,}" if self.total else ""
            print(
                f"\r{self.what}: {rows:,}{of} rows, {rows / max(elapsed, 1e-9):,.0f} rows/s, "
                f"{mb_s:.1f} MB/s",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def close(self, rows: int, nbytes: int) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.update(rows, nbytes)
            self.bar.close()
        elif self.plain:
            self.last = 0.0
            self.update(rows, nbytes)
            print(file=sys.stderr)


def total_rows(data: Any) -> int | None:
    if _is_dataset(data):
        return None
    if hasattr(data, "columns") and hasattr(data, "iloc"):
        return len(data)
    if isinstance(data, Mapping):
        return len(next(iter(data.values()))) if data else 0
    return len(data)


def write_chunks(
    native_client: Any,
    cache: str,
    chunks: Iterable[dict[str, Any]],
    *,
    key: Any,
    type_name: str,
    targets: Mapping[str, int],
    key_type: str = "",
    batch_size: int,
    batch_bytes: int,
    num_parallel_writes: int,
    progress: Progress,
    overwrite: bool = True,
    keep_chunks: bool = False,
) -> int:
    """Sends every chunk through one core writer; returns the rows written (without
    ``overwrite``: the rows whose key was absent). ``keep_chunks``: the chunks are parts of
    arrays that live for the whole write (not made per chunk), so the writer may hold them until
    it finishes instead of waiting at each chunk for the pages sent from them."""
    for name, value in (
        ("batch_size", batch_size),
        ("batch_bytes", batch_bytes),
        ("num_parallel_writes", num_parallel_writes),
    ):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    writer = None
    order: list[str] | None = None
    key_names = [key] if isinstance(key, str) else list(key or ())
    if not all(isinstance(k, str) for k in key_names):
        raise TypeError("key must be None (generated) or the name of a column")
    try:
        for chunk in chunks:
            chunk = dict(chunk)
            for k in key_names:
                if k not in chunk:
                    raise KeyError(f"key column {k!r} is not among the columns {list(chunk)}")
            names = list(chunk)
            if order is None:
                order = names
            elif names != order:
                raise ValueError(f"a chunk has columns {names}, the first had {order}")
            tuples = [column_tuple(n, chunk[n], targets.get(n, 0)) for n in names]
            if writer is None:
                writer = native_client.writer(
                    cache,
                    tuples,
                    key_columns=[names.index(k) for k in key_names],
                    key_type_name=key_type,
                    first_key=0,
                    type_name=type_name,
                    nested_type_names={},
                    batch_rows=batch_size,
                    batch_bytes=batch_bytes,
                    parallel=num_parallel_writes,
                    overwrite=bool(overwrite),
                )
            writer.write(tuples, keep=keep_chunks)
            progress.update(writer.rows_written + writer.rows_present, writer.bytes_written)
        if writer is None:
            return 0
        writer.finish()
        progress.close(writer.rows_written + writer.rows_present, writer.bytes_written)
        return int(writer.rows_written)
    except BaseException:
        if writer is not None:
            writer.cancel()
        if progress.bar is not None:
            progress.bar.close()
        raise
