"""Client.scan against a real Apache Ignite node: complete and exact reads, partitions, batches,
column layout, SQL tables, cursor release and metadata caching."""

from __future__ import annotations

import copy as copy_module
import datetime as dt
import pickle
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from ignite_tf import (
    BinaryObject,
    CacheNotFoundError,
    Client,
    IgniteServerError,
    IgniteValueError,
    RaggedColumn,
    Scan,
)

pytestmark = pytest.mark.usefixtures("hang_guard")

N_ROWS = 100_000
PUT_CHUNK = 5_000
SERVER_CURSOR_LIMIT = 128  # ClientConnectorConfiguration.maxOpenCursorsPerConnection default

BIG_COLUMNS = {
    "key": np.dtype(np.int64),
    "val.l": np.dtype(np.int64),
    "val.i": np.dtype(np.int32),
    "val.d": np.dtype(np.float64),
    "val.f": np.dtype(np.float32),
    "val.s": np.dtype(np.int16),
    "val.flag": np.dtype(np.bool_),
    "val.name": np.dtype(object),
    "val.raw": None,  # RaggedColumn of uint8
}


@dataclass
class BigCache:
    name: str
    type_name: str
    columns: dict[str, np.ndarray]  # expected fixed-width columns in key order
    names: list[bytes]  # expected val.name in key order (UTF-8)
    raws: list[bytes]  # expected val.raw rows in key order


def _expected_columns(n: int) -> dict[str, np.ndarray]:
    keys = np.arange(n, dtype=np.int64)
    return {
        "key": keys,
        "val.l": keys * 3 - 7 + (1 << 40),
        "val.i": (keys - n // 2).astype(np.int32),
        "val.d": keys * 0.25 - 1000.125,
        "val.f": (keys / 7).astype(np.float32),
        "val.s": (keys % 65536 - 32768).astype(np.int16),
        "val.flag": keys % 3 == 0,
    }


@pytest.fixture(scope="module")
def big_cache(ignite_node) -> Iterator[BigCache]:
    """A cache of N_ROWS objects with long/int/double/float/short/bool/string/byte[] fields,
    written with put_all in chunks of PUT_CHUNK."""
    suffix = f"{time.time_ns():x}".upper()
    name, type_name = f"BIG_SCAN_{suffix}", f"BigRow{suffix}"
    cols = _expected_columns(N_ROWS)
    names = [(f"row-{k}" + ("-ü✓" if k % 10 == 0 else "")).encode() for k in range(N_ROWS)]
    ramp = np.arange(512, dtype=np.uint8)  # wraps at 256
    raws = [ramp[k % 256 : k % 256 + k % 9].tobytes() for k in range(N_ROWS)]
    with Client(ignite_node.host, ignite_node.port, timeout=60) as c:
        c.create_cache(name)
        try:
            for start in range(0, N_ROWS, PUT_CHUNK):
                c.put_all(
                    name,
                    [
                        (
                            k,
                            BinaryObject(
                                type_name,
                                {
                                    "l": int(cols["val.l"][k]),
                                    "i": cols["val.i"][k],
                                    "d": float(cols["val.d"][k]),
                                    "f": cols["val.f"][k],
                                    "s": cols["val.s"][k],
                                    "flag": bool(cols["val.flag"][k]),
                                    "name": names[k].decode(),
                                    "raw": raws[k],
                                },
                            ),
                        )
                        for k in range(start, min(start + PUT_CHUNK, N_ROWS))
                    ],
                )
            assert c.size(name) == N_ROWS
            yield BigCache(name, type_name, cols, names, raws)
        finally:
            c.destroy_cache(name)


def concat(batches: list[dict]) -> dict[str, object]:
    """Joins the batches of a scan: arrays are concatenated, ragged columns become row lists."""
    assert batches, "the scan returned no batch"
    out: dict[str, object] = {}
    for path in batches[0]:
        parts = [b[path] for b in batches]
        if isinstance(parts[0], RaggedColumn):
            out[path] = [row for col in parts for row in col]
        else:
            out[path] = np.concatenate(parts)
    return out


def assert_big_cache_rows(big: BigCache, batches: list[dict]) -> None:
    """Every row of the big cache exactly once, every value as written."""
    for b in batches:
        assert set(b) == set(BIG_COLUMNS)
        for path, dtype in BIG_COLUMNS.items():
            if dtype is None:
                assert isinstance(b[path], RaggedColumn)
                assert b[path].values.dtype == np.uint8
            else:
                assert b[path].dtype == dtype, path
    got = concat(batches)
    order = np.argsort(got["key"], kind="stable")
    np.testing.assert_array_equal(got["key"][order], big.columns["key"])
    for path, expected in big.columns.items():
        np.testing.assert_array_equal(got[path][order], expected, err_msg=path)
    assert list(got["val.name"][order]) == big.names
    raw_rows = got["val.raw"]
    assert [raw_rows[i].tobytes() for i in order] == big.raws


# --------------------------------------------------------------------------------------------
# Full reads


@pytest.mark.parametrize("page_size", [1, 7, 1024])
def test_full_scan_returns_every_row_as_written(
    client: Client, big_cache: BigCache, page_size: int
) -> None:
    started = time.monotonic()
    batches = list(client.scan(big_cache.name, page_size=page_size))
    elapsed = time.monotonic() - started
    print(f"scan of {N_ROWS} rows with page_size={page_size}: {elapsed:.2f} s")
    assert sum(len(b["key"]) for b in batches) == N_ROWS
    assert_big_cache_rows(big_cache, batches)


def test_every_partition_read_alone_adds_up_to_the_cache(
    client: Client, big_cache: BigCache
) -> None:
    partitions = client.partitions(big_cache.name)
    assert len(partitions) > 1
    assert partitions == sorted(set(partitions))
    assert min(partitions) >= 0

    batches = []
    non_empty = 0
    for p in partitions:
        mine = list(client.scan(big_cache.name, partition=p))
        non_empty += bool(mine)
        for b in mine:
            assert 0 < len(b["key"]) < N_ROWS
        batches.extend(mine)
    assert non_empty > 1
    keys = np.concatenate([b["key"] for b in batches])
    assert len(keys) == N_ROWS
    assert len(np.unique(keys)) == N_ROWS  # no row read twice
    assert_big_cache_rows(big_cache, batches)


def test_local_scan_on_the_only_node_returns_everything(
    client: Client, big_cache: BigCache
) -> None:
    batches = list(client.scan(big_cache.name, local=True))
    assert sum(len(b["key"]) for b in batches) == N_ROWS
    assert_big_cache_rows(big_cache, batches)


# --------------------------------------------------------------------------------------------
# Parallel reads (num_parallel_reads): several connections, each scanning the next partition


@pytest.mark.parametrize("readers", [2, 4])
def test_parallel_scan_returns_every_row_once(
    client: Client, big_cache: BigCache, readers: int
) -> None:
    batches = list(client.scan(big_cache.name, page_size=256, num_parallel_reads=readers))
    keys = np.concatenate([b["key"] for b in batches])
    assert len(keys) == N_ROWS
    assert len(np.unique(keys)) == N_ROWS  # no row read twice
    assert_big_cache_rows(big_cache, batches)


def test_parallel_scan_reads_partitions_concurrently(client: Client, big_cache: BigCache) -> None:
    # Partitions arrive interleaved: with one reader the keys of each partition form one run;
    # with four, pages of different partitions alternate, so runs of one partition are split.
    owner = {}
    for p in client.partitions(big_cache.name):
        for b in client.scan(big_cache.name, partition=p):
            owner.update(dict.fromkeys(b["key"].tolist(), p))

    def partition_runs(readers: int) -> int:
        keys = np.concatenate(
            [b["key"] for b in client.scan(big_cache.name, page_size=8, num_parallel_reads=readers)]
        )
        parts = [owner[k] for k in keys.tolist()]
        return 1 + sum(a != b for a, b in zip(parts, parts[1:]))

    partitions_with_rows = len(set(owner.values()))
    assert partition_runs(1) == partitions_with_rows
    assert partition_runs(4) > partitions_with_rows


def test_parallel_scan_of_a_small_cache_with_more_readers_than_rows(
    client: Client, make_cache
) -> None:
    cache = make_cache([(k, f"v{k}") for k in range(3)])
    batches = list(client.scan(cache, num_parallel_reads=8))
    keys = np.concatenate([b["key"] for b in batches])
    assert sorted(keys.tolist()) == [0, 1, 2]
    vals = dict(zip(keys.tolist(), np.concatenate([b["val"] for b in batches]).tolist()))
    assert vals == {0: b"v0", 1: b"v1", 2: b"v2"}


def test_parallel_scan_of_an_empty_cache(client: Client, make_cache) -> None:
    scan = client.scan(make_cache(), num_parallel_reads=4)
    assert list(scan) == []
    assert scan.schema is None


def test_parallel_scan_of_a_replicated_table_reads_it_through_one_connection(
    client: Client, table_name: str
) -> None:
    client.sql(f'CREATE TABLE {table_name} (ID LONG PRIMARY KEY, V INT) WITH "template=replicated"')
    for start in range(0, 500, 100):
        values = ", ".join(f"({k}, {k * 2})" for k in range(start, start + 100))
        client.sql(f"INSERT INTO {table_name} (ID, V) VALUES {values}")
    batches = list(client.scan(f"SQL_PUBLIC_{table_name}", num_parallel_reads=4))
    keys = np.concatenate([b["key"] for b in batches])
    vals = np.concatenate([b["val.V"] for b in batches])
    assert sorted(keys.tolist()) == list(range(500))
    assert (vals == keys * 2).all()


def test_parallel_scan_of_a_missing_cache(client: Client) -> None:
    with pytest.raises(CacheNotFoundError, match="NO_SUCH_CACHE"):
        client.scan("NO_SUCH_CACHE", num_parallel_reads=4)


def test_parallel_scan_abandoned_early_closes_and_the_client_goes_on(
    client: Client, big_cache: BigCache
) -> None:
    for _ in range(20):
        scan = client.scan(big_cache.name, page_size=16, batch_size=16, num_parallel_reads=4)
        assert len(next(scan)["key"]) >= 16
        scan.close()
    assert client.size(big_cache.name) == N_ROWS
    assert sum(len(b["key"]) for b in client.scan(big_cache.name, num_parallel_reads=2)) == N_ROWS


@pytest.mark.parametrize("readers", [0, -2])
def test_num_parallel_reads_must_be_positive(client: Client, make_cache, readers: int) -> None:
    with pytest.raises(IgniteValueError, match="num_parallel_reads"):
        client.scan(make_cache([(1, 1)]), num_parallel_reads=readers)


# --------------------------------------------------------------------------------------------
# Batches and column layout


@pytest.mark.parametrize(
    ("page_size", "batch_size"),
    [(7, 1000), (1024, 1), (100, 5000), (1024, 1024)],
)
def test_batches_hold_at_least_batch_size_rows(
    client: Client, big_cache: BigCache, page_size: int, batch_size: int
) -> None:
    lengths = [
        len(b["key"])
        for b in client.scan(big_cache.name, page_size=page_size, batch_size=batch_size)
    ]
    assert sum(lengths) == N_ROWS
    assert all(n >= batch_size for n in lengths[:-1]), lengths
    assert 0 < lengths[-1]
    # Pages are merged only until the batch is full: a batch is never a page or more too big.
    assert max(lengths) < batch_size + page_size, max(lengths)


SCAN = 2000


def scan_page_sizes(relay_: Any) -> list[int]:
    """The page size (rows) of every scan query that went through `relay_`, in order."""
    sizes = []
    for frame in relay_.requests:
        op, _ = struct.unpack_from("<hq", frame)
        if op == SCAN:
            # cache id, flags, filter (a null: one byte), then the page size
            sizes.append(struct.unpack_from("<i", frame, 2 + 8 + 4 + 1 + 1)[0])
    return sizes


def test_pages_and_batches_of_large_rows_are_sized_by_bytes(connect, relay, make_cache) -> None:
    """1 MiB rows with the defaults: pages of 16 rows (16 MiB), not 1024 (a GiB, enough to
    exhaust a node's heap); batches of 16 MiB, a page each. Small rows keep page_size."""
    cache = make_cache()
    rows = np.arange(40 * (1 << 20), dtype=np.int64).astype(np.uint8).reshape(40, 1 << 20)
    connect().write(cache, rows, progress=False)
    relay_ = relay()
    through = connect()  # the relay's address below
    through.close()
    c = type(through)(relay_.host, relay_.port, timeout=30)
    try:
        batches = list(c.scan(cache))
        # One probe row, then the scan with the page size the row's size gives.
        assert scan_page_sizes(relay_) == [1, 16]
        assert [len(b["key"]) for b in batches] == [16, 16, 8]  # 16 MiB each
        assert sorted(np.concatenate([b["key"] for b in batches]).tolist()) == list(range(40))
        assert batches[0]["val"][0].tobytes() == rows[batches[0]["key"][0]].tobytes()

        relay_.requests.clear()
        small = list(c.scan(cache, page_bytes=2 << 20, batch_bytes=4 << 20))
        assert scan_page_sizes(relay_) == [1, 2]
        assert [len(b["key"]) for b in small] == [4] * 10

        relay_.requests.clear()
        assert len(list(c.scan(cache, page_size=4, page_bytes=0, batch_size=8))) == 5
        assert scan_page_sizes(relay_) == [4]  # no probe: the page size as given
    finally:
        c.close()

    small_rows = make_cache(entries=[(i, i) for i in range(3000)])
    relay_.requests.clear()
    c = type(through)(relay_.host, relay_.port, timeout=30)
    try:
        assert sum(len(b["key"]) for b in c.scan(small_rows)) == 3000
    finally:
        c.close()
    assert scan_page_sizes(relay_) == [1, 1024]


def test_columns_are_64_byte_aligned(client: Client, big_cache: BigCache) -> None:
    checked = 0
    # Odd page and batch sizes so that no column happens to start on a round offset.
    for batch in client.scan(big_cache.name, page_size=97, batch_size=333):
        for path, column in batch.items():
            if isinstance(column, RaggedColumn):
                assert column.values.ctypes.data % 64 == 0, path
                assert column.row_offsets.ctypes.data % 64 == 0, path
                assert column.row_offsets.dtype == np.int64
                checked += 2
            elif column.dtype != object:
                assert column.ctypes.data % 64 == 0, path
                checked += 1
    assert checked > 0


def test_ragged_columns_give_each_rows_array(client: Client, make_cache, unique) -> None:
    type_name = unique("Ragged")
    rows = {
        1: (["a", "bé"], np.array([1.5, -2.0], np.float32), np.array([1, 2, 3], np.int64)),
        2: ([], np.array([], np.float32), np.array([4], np.int64)),
        3: (["x", "", "zz"], np.array([0.25], np.float32), np.array([], np.int64)),
        4: (["only"], np.array([7.0, 8.0, 9.0], np.float32), np.array([5, 6], np.int64)),
    }
    cache = make_cache(
        (k, BinaryObject(type_name, {"tags": t, "vec": v, "ids": i}))
        for k, (t, v, i) in rows.items()
    )
    batches = list(client.scan(cache, page_size=2, batch_size=1))
    got = concat(batches)
    for path in ("val.tags", "val.vec", "val.ids"):
        assert all(isinstance(b[path], RaggedColumn) for b in batches)
    assert batches[0]["val.vec"].values.dtype == np.float32
    assert batches[0]["val.ids"].values.dtype == np.int64
    for idx, key in enumerate(got["key"]):
        tags, vec, ids = rows[int(key)]
        assert [bytes(x) for x in got["val.tags"][idx]] == [t.encode() for t in tags]
        np.testing.assert_array_equal(got["val.vec"][idx], vec)
        assert got["val.vec"][idx].dtype == np.float32
        np.testing.assert_array_equal(got["val.ids"][idx], ids)
    # The documented layout: row i is values[row_offsets[i]:row_offsets[i + 1]].
    for b in batches:
        col = b["val.ids"]
        assert col.row_offsets[0] == 0 and col.row_offsets[-1] == len(col.values)
        np.testing.assert_array_equal(col.row_lengths, [len(r) for r in col])
        assert len(col) == len(b["key"])


def test_large_arrays_arrive_as_read_only_views_that_outlive_the_scan(
    connect, make_cache, unique
) -> None:
    """Arrays of 64 KiB and more reach the batch without a copy: each row is a read-only array
    over the received bytes; ``values`` gathers them into one flat array when asked (rows are
    then views of it), and every row reads as written, before and after, small and null rows
    too, after the scan and its client are gone."""
    type_name = unique("Blob")
    rng = np.random.default_rng(7)
    sizes = {1: 200_000, 2: 10, 3: None, 4: 100_000, 5: 0, 6: 70_000, 7: 65_536}
    data = {
        k: None if n is None else rng.integers(0, 256, n, dtype=np.uint8) for k, n in sizes.items()
    }
    floats = {k: rng.random(20_000 + k).astype(np.float32) for k in sizes}  # ~80 KB, unaligned
    cache = make_cache(
        (k, BinaryObject(type_name, {"id": np.int32(k), "data": data[k], "vec": floats[k]}))
        for k in sizes
    )
    c = connect()
    scan = c.scan(cache)
    (batch,) = list(scan)
    scan.close()
    c.close()
    del scan, c
    junk = [np.full(1 << 20, 0xEE, np.uint8) for _ in range(8)]  # reuse freed memory, if any was
    keys = batch["key"].tolist()
    col, vec = batch["val.data"], batch["val.vec"]
    assert isinstance(col, RaggedColumn) and isinstance(vec, RaggedColumn)
    assert len(col) == len(keys) == len(sizes)
    for i, k in enumerate(keys):
        expected = data[k] if data[k] is not None else np.zeros(0, np.uint8)
        np.testing.assert_array_equal(col[i], expected)
        np.testing.assert_array_equal(vec[i], floats[k])
        assert vec[i].dtype == np.float32
    np.testing.assert_array_equal(col.row_lengths, [sizes[k] or 0 for k in keys])
    big = keys.index(1)
    with pytest.raises(ValueError, match="read-only"):
        col[big][0] = 1
    # The flat values: every row back to back, 64-byte aligned, writable, rows now views of it.
    flat = col.values
    assert flat.ctypes.data % 64 == 0 and flat.flags.writeable
    expected_flat = [data[k] for k in keys if data[k] is not None]
    np.testing.assert_array_equal(flat, np.concatenate(expected_flat))
    assert np.shares_memory(col[big], flat)
    np.testing.assert_array_equal(vec.flat_values, np.concatenate([floats[k] for k in keys]))
    np.testing.assert_array_equal(col[1:3][1], col[2])
    del junk


def test_batches_with_large_arrays_pickle_as_plain_columns(connect, make_cache, unique) -> None:
    # A batch sent to another process (multiprocessing, Dask) or deep-copied: the viewed column
    # arrives as the RaggedColumn it fills into, every row as written, writable there.
    type_name = unique("Pickled")
    rows = {k: np.full(100_000 + k, k, np.uint8) for k in range(3)}
    cache = make_cache((k, BinaryObject(type_name, {"data": v})) for k, v in rows.items())
    with connect() as c:
        (batch,) = list(c.scan(cache))
    assert not batch["val.data"][0].flags.writeable  # a view of the received bytes
    for copy in (pickle.loads(pickle.dumps(batch)), copy_module.deepcopy(batch)):
        col = copy["val.data"]
        assert type(col) is RaggedColumn
        assert {int(k): bytes(col[i]) for i, k in enumerate(copy["key"])} == {
            k: v.tobytes() for k, v in rows.items()
        }
        assert col[0].flags.writeable


def test_ragged_string_list_with_none_keeps_the_row_length(client: Client, make_cache) -> None:
    cache = make_cache([(1, ["a", None, "c"])])
    (batch,) = list(client.scan(cache))
    (row,) = batch["val"].to_list()
    assert len(row) == 3
    assert row[0] == b"a" and row[2] == b"c"
    assert row[1] == b""  # a null element of a list reads as b"" (README, types)


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([1, -2], np.int64, [1, -2]),
        ([np.int32(1), np.int32(-2)], np.int32, [1, -2]),
        ([np.int16(1), np.int16(-2)], np.int16, [1, -2]),
        ([np.int8(1), np.int8(-2)], np.uint8, [1, 254]),  # Java byte: same bits, unsigned
        ([0.5, -1.5], np.float64, [0.5, -1.5]),
        ([np.float32(0.5), np.float32(-1.5)], np.float32, [0.5, -1.5]),
        ([np.uint16(65), np.uint16(66)], np.uint16, [65, 66]),  # Java char
        ([True, False], np.bool_, [True, False]),
        (
            [dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.timezone.utc)] * 2,
            np.int64,
            [1000, 1000],  # dates are int64 milliseconds since the epoch
        ),
        (["a", "ü"], object, [b"a", "ü".encode()]),
    ],
    ids=["int", "int32", "int16", "int8", "float", "float32", "char", "bool", "date", "str"],
)
def test_plain_values_become_one_typed_column(
    client: Client, make_cache, values: list, dtype, expected: list
) -> None:
    cache = make_cache(enumerate(values))
    (batch,) = list(client.scan(cache))
    assert set(batch) == {"key", "val"}
    order = np.argsort(batch["key"])
    assert batch["val"].dtype == np.dtype(dtype)
    assert list(batch["val"][order]) == expected


def test_prefetch_depth_does_not_change_the_result(client: Client, make_cache) -> None:
    cache = make_cache((k, k * k) for k in range(3000))
    for prefetch in (0, 1, 8):
        batches = list(client.scan(cache, page_size=50, batch_size=200, prefetch=prefetch))
        got = concat(batches)
        order = np.argsort(got["key"])
        np.testing.assert_array_equal(got["key"][order], np.arange(3000))
        np.testing.assert_array_equal(got["val"][order], np.arange(3000) ** 2)


def test_columns_outlive_the_scan_and_the_client(connect, make_cache) -> None:
    cache = make_cache((k, float(k)) for k in range(5000))
    c = connect()
    scan = c.scan(cache, page_size=100, batch_size=500)
    batches = list(scan)
    scan.close()
    c.close()
    del scan, c
    junk = [np.full(100_000, -1.0) for _ in range(20)]  # reuse freed memory, if any was freed
    got = concat(batches)
    order = np.argsort(got["key"])
    np.testing.assert_array_equal(got["val"][order], np.arange(5000, dtype=np.float64))
    del junk


def test_fields_missing_from_some_rows_still_get_a_column(
    client: Client, make_cache, unique
) -> None:
    """Rows of one type written with different field sets (a field added later)."""
    type_name = unique("Evolving")
    cache = make_cache(
        [
            (1, BinaryObject(type_name, {"a": 1})),
            (2, BinaryObject(type_name, {"a": 2, "b": 5.0})),
        ]
    )
    (batch,) = list(client.scan(cache))
    assert set(batch) == {"key", "val.a", "val.b"}
    by_key = {int(k): i for i, k in enumerate(batch["key"])}
    assert batch["val.a"][by_key[1]] == 1 and batch["val.a"][by_key[2]] == 2
    assert batch["val.b"][by_key[2]] == 5.0
    assert batch["val.b"][by_key[1]] == 0.0  # absent: the column's zero


def test_nested_objects_become_dotted_columns(client: Client, make_cache, unique) -> None:
    outer, inner = unique("Outer"), unique("Inner")
    cache = make_cache(
        (k, BinaryObject(outer, {"meta": BinaryObject(inner, {"label": np.int32(k)}), "x": k}))
        for k in range(10)
    )
    (batch,) = list(client.scan(cache))
    assert set(batch) == {"key", "val.meta.label", "val.x"}
    assert batch["val.meta.label"].dtype == np.int32
    np.testing.assert_array_equal(batch["val.meta.label"], batch["key"])


def test_interleaved_scans_and_requests_on_one_client(client: Client, make_cache) -> None:
    """Two scans (each with its prefetch thread) and key-value calls share one connection."""
    squares = make_cache((k, k * k) for k in range(2000))
    cubes = make_cache((k, k * k * k) for k in range(3000))
    pending = {
        squares: client.scan(squares, page_size=10, batch_size=10),
        cubes: client.scan(cubes, page_size=7, batch_size=10),
    }
    got: dict[str, list] = {squares: [], cubes: []}
    step = 0
    while pending:
        for name in list(pending):
            batch = next(pending[name], None)
            if batch is None:
                del pending[name]
            else:
                got[name].append(batch)
        k = step % 2000
        assert client.get(squares, k) == k * k
        assert client.size(cubes) == 3000
        client.put(squares, k, k * k)  # a write between pages: same value
        step += 1
    assert step > 200  # the scans really were interleaved with the requests
    for name, n, power in ((squares, 2000, 2), (cubes, 3000, 3)):
        rows = concat(got[name])
        order = np.argsort(rows["key"])
        np.testing.assert_array_equal(rows["key"][order], np.arange(n))
        np.testing.assert_array_equal(rows["val"][order], np.arange(n) ** power)


# --------------------------------------------------------------------------------------------
# SQL tables and schema


def test_kitten_sql_table(client: Client, table_name: str) -> None:
    client.sql(f"CREATE TABLE {table_name} (ID LONG PRIMARY KEY, NAME VARCHAR)")
    for key, name in [(1, "WARM KITTY"), (2, "SOFT KITTY"), (3, "LITTLE BALL OF FUR")]:
        client.sql(f"INSERT INTO {table_name} (ID, NAME) VALUES ({key}, '{name}')")

    scan = client.scan(f"SQL_PUBLIC_{table_name}")
    assert scan.schema == (
        ("int64", False, "key"),
        {"NAME": ("string", False, "val.NAME")},
    )
    batches = list(scan)
    assert sum(len(b["key"]) for b in batches) == 3
    got = concat(batches)
    assert set(got) == {"key", "val.NAME"}
    order = np.argsort(got["key"])
    assert list(got["key"][order]) == [1, 2, 3]
    assert list(got["val.NAME"][order]) == [b"WARM KITTY", b"SOFT KITTY", b"LITTLE BALL OF FUR"]


def test_empty_cache_yields_no_batches_and_no_schema(client: Client, make_cache) -> None:
    cache = make_cache()
    scan = client.scan(cache)
    assert scan.schema is None
    assert list(scan) == []
    scan = client.scan(cache)
    assert list(scan) == []
    assert scan.schema is None


def test_schema_is_still_known_after_the_last_batch(client: Client, make_cache) -> None:
    cache = make_cache([(1, 1.5), (2, 2.5)])
    scan = client.scan(cache)
    assert len(list(scan)) == 1
    assert scan.schema == (("int64", False, "key"), ("float64", False, "val"))


# --------------------------------------------------------------------------------------------
# Server resources and metadata


@pytest.fixture
def paged_cache(make_cache) -> str:
    """2,000 rows: hundreds of pages at page_size=5, so a scan leaves a server cursor open."""
    return make_cache((k, k) for k in range(2000))


def open_and_read_one_batch(client: Client, cache: str) -> Scan:
    scan = client.scan(cache, page_size=5, batch_size=5)
    first = next(scan)
    assert len(first["key"]) == 5
    return scan


def test_abandoned_scans_release_their_server_cursors(client: Client, paged_cache: str) -> None:
    open_and_read_one_batch(client, paged_cache).close()
    for _ in range(SERVER_CURSOR_LIMIT + 12):
        open_and_read_one_batch(client, paged_cache).close()
    total = sum(len(b["key"]) for b in client.scan(paged_cache, page_size=5))
    assert total == 2000


def test_scans_dropped_mid_loop_release_their_server_cursors(
    client: Client, paged_cache: str
) -> None:
    for _ in range(SERVER_CURSOR_LIMIT + 12):
        for batch in client.scan(paged_cache, page_size=5, batch_size=5):
            assert len(batch["key"]) == 5
            break  # the Scan is garbage collected right here
    assert sum(len(b["key"]) for b in client.scan(paged_cache, page_size=5)) == 2000


def test_open_scans_do_hit_the_server_cursor_limit(client: Client, paged_cache: str) -> None:
    """The control for the two tests above: unreleased cursors are refused past the limit."""
    scans = [open_and_read_one_batch(client, paged_cache) for _ in range(SERVER_CURSOR_LIMIT)]
    with pytest.raises(IgniteServerError, match="maxOpenCursorsPerConnection"):
        client.scan(paged_cache, page_size=5)
    for scan in scans:
        scan.close()
    assert sum(len(b["key"]) for b in client.scan(paged_cache, page_size=5)) == 2000


def test_type_metadata_is_fetched_once_per_type(connect, big_cache: BigCache) -> None:
    c = connect()  # a fresh client knows no type yet
    assert c._native.metadata_fetch_count == 0
    assert sum(len(b["key"]) for b in c.scan(big_cache.name, page_size=512)) == N_ROWS
    after_first = c._native.metadata_fetch_count
    assert after_first == 1  # one binary type in the cache
    for _ in range(2):
        assert sum(len(b["key"]) for b in c.scan(big_cache.name, page_size=512)) == N_ROWS
        assert c._native.metadata_fetch_count == after_first


def test_nested_types_are_fetched_once_each(connect, make_cache, unique) -> None:
    outer, inner = unique("Outer"), unique("Inner")
    cache = make_cache(
        (k, BinaryObject(outer, {"meta": BinaryObject(inner, {"v": k}), "w": k}))
        for k in range(3000)
    )
    c = connect()
    for _ in range(3):
        assert sum(len(b["key"]) for b in c.scan(cache, page_size=100)) == 3000
        assert c._native.metadata_fetch_count == 2


def test_metadata_is_fetched_again_only_for_a_new_schema_of_a_known_type(
    connect, make_cache, unique
) -> None:
    """Metadata is cached per (type id, schema id): rows of a known type written later with
    another set of fields (a new schema) cost one more fetch, then none."""
    type_name = unique("Evolving")
    cache = make_cache((k, BinaryObject(type_name, {"a": k})) for k in range(1000))
    c = connect()
    for _ in range(2):
        assert sum(len(b["key"]) for b in c.scan(cache, page_size=100)) == 1000
        assert c._native.metadata_fetch_count == 1
    c.put_all(cache, [(k, BinaryObject(type_name, {"a": k, "b": -k})) for k in range(1000, 1500)])
    for _ in range(2):
        batches = list(c.scan(cache, page_size=100, fields=["a"]))
        keys = np.concatenate([b["key"] for b in batches])
        np.testing.assert_array_equal(np.sort(keys), np.arange(1500))
        np.testing.assert_array_equal(np.concatenate([b["val.a"] for b in batches]), keys)
        assert c._native.metadata_fetch_count == 2


def test_empty_python_lists_read_as_empty_rows_of_any_list_column(
    client: Client, make_cache, unique
) -> None:
    # A Python [] has no element type and is written as an empty String[]; in a column of int
    # arrays it is an empty row, and so is an empty double[] among string arrays.
    bag = unique("Bag")
    rows = {
        i: BinaryObject(
            bag,
            {
                "nums": np.arange(i % 4, dtype=np.int32) if i % 3 else [],
                "tags": [f"t{i}"] if i % 5 else np.array([], dtype=np.float64),
            },
        )
        for i in range(60)
    }
    cache = make_cache(rows.items())
    scan = client.scan(
        cache, page_size=7, schema={"key": "long", "val": {"nums": "int[]", "tags": "string[]"}}
    )
    got = {}
    for batch in scan:
        for j, key in enumerate(batch["key"]):
            got[int(key)] = (list(batch["val.nums"][j]), list(batch["val.tags"][j]))
    assert sorted(got) == list(range(60))
    for i, (nums, tags) in got.items():
        assert nums == (list(range(i % 4)) if i % 3 else [])
        assert tags == ([f"t{i}".encode()] if i % 5 else [])
