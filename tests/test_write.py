"""Columnar writes (Client.write, Client.write_table) against a real node: every accepted dtype
reads back exactly through Client.get, Client.scan and SQL; bad input fails before anything of
it is sent; a connection lost mid-load says how many rows were written."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

from ignite_tf import (
    BinaryObject,
    CacheNotFoundError,
    IgniteConnectionError,
    IgniteValueError,
    RaggedColumn,
)
from ignite_tf._writing import Progress

pytestmark = pytest.mark.usefixtures("hang_guard")

PUT_ALL = 1004
PUT_IF_ABSENT = 1002


def scan_all(client: Any, cache: str, **options: Any) -> dict[str, Any]:
    """The whole cache as one batch of columns, rows ordered by key."""
    batches = list(client.scan(cache, **options))
    assert batches, f"{cache} is empty"
    out: dict[str, Any] = {}
    for name in batches[0]:
        parts = [b[name] for b in batches]
        if isinstance(parts[0], RaggedColumn):
            out[name] = [row for p in parts for row in p.to_list()]
        else:
            out[name] = np.concatenate(parts)
    order = np.argsort(out["key"], kind="stable")
    return {
        k: (v[order] if isinstance(v, np.ndarray) else [v[i] for i in order])
        for k, v in out.items()
    }


def every_dtype(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    t = np.datetime64("2020-01-01T00:00:00.123456789", "ns") + np.arange(n) * np.int64(
        86_399_999_999_999
    )
    t[1] = np.datetime64("1969-12-31T23:59:59.5", "ns")  # before the epoch
    offsets = np.concatenate([[0], np.cumsum(rng.integers(0, 5, n))]).astype(np.int64)
    return {
        "i8": rng.integers(-128, 128, n).astype(np.int8),
        "u8": rng.integers(0, 256, n).astype(np.uint8),
        "i16": rng.integers(-(2**15), 2**15, n).astype(np.int16),
        "u16": rng.integers(0, 2**16, n).astype(np.uint16),
        "i32": rng.integers(-(2**31), 2**31, n).astype(np.int32),
        "u32": rng.integers(0, 2**32, n).astype(np.uint32),
        "i64": rng.integers(-(2**62), 2**62, n).astype(np.int64),
        "f32": rng.standard_normal(n).astype(np.float32),
        "f64": rng.standard_normal(n),
        "flag": rng.integers(0, 2, n).astype(bool),
        "text": [f"row {i} ü€𝄞" for i in range(n)],
        "blob": [bytes(rng.integers(0, 256, i % 7).astype(np.uint8)) for i in range(n)],
        "at": t,
        "pixels": rng.integers(0, 256, (n, 4, 4)).astype(np.uint8),
        "vec": rng.standard_normal((n, 3)).astype(np.float32),
        "ids": RaggedColumn(rng.integers(0, 1000, offsets[-1]).astype(np.int64), offsets),
        "meta.source": [f"s{i % 3}" for i in range(n)],
        "meta.weight": np.arange(n, dtype=np.float64) / 2,
    }


def test_every_dtype_reads_back_exactly_through_scan_and_get(client, cache_name, unique):
    n = 3000
    data = every_dtype(n)
    type_name = unique("Every")
    assert client.write(cache_name, data, type_name=type_name, progress=False) == n
    assert client.size(cache_name) == n
    got = scan_all(client, cache_name)
    np.testing.assert_array_equal(got["key"], np.arange(n))  # generated keys 0..n-1
    # Reads give Java bytes back as uint8 (the bits) and Java longs as int64.
    np.testing.assert_array_equal(got["val.i8"], data["i8"].view(np.uint8))
    for name in ("u8", "i16", "u16", "i32", "i64", "f32", "f64", "flag"):
        assert got[f"val.{name}"].dtype == data[name].dtype, name
        np.testing.assert_array_equal(got[f"val.{name}"], data[name], err_msg=name)
    assert got["val.u32"].dtype == np.int64
    np.testing.assert_array_equal(got["val.u32"], data["u32"].astype(np.int64))
    assert [b.decode() for b in got["val.text"]] == data["text"]
    assert [bytes(b) for b in got["val.blob"]] == data["blob"]
    np.testing.assert_array_equal(got["val.at"], data["at"].view(np.int64))
    for row in (0, 1, n - 1):
        np.testing.assert_array_equal(got["val.pixels"][row], data["pixels"][row].ravel())
        np.testing.assert_array_equal(got["val.vec"][row], data["vec"][row])
        np.testing.assert_array_equal(got["val.ids"][row], data["ids"][row])
    assert all(np.array_equal(got["val.ids"][r], data["ids"][r]) for r in range(n)), (
        "a ragged row differs"
    )
    assert [s.decode() for s in got["val.meta.source"]] == data["meta.source"]
    np.testing.assert_array_equal(got["val.meta.weight"], data["meta.weight"])

    # One row as an object: Python types, the nested object's generated type name.
    obj = client.get(cache_name, 1)
    assert obj.type_name == type_name
    assert obj["text"] == "row 1 ü€𝄞"
    assert isinstance(obj["blob"], np.ndarray) and obj["blob"].dtype == np.uint8
    assert obj["blob"].tobytes() == data["blob"][1]
    assert obj["at"] == np.datetime64("1969-12-31T23:59:59.500000000", "ns")
    assert obj["meta"].type_name == f"{type_name}.meta"
    assert obj["meta"]["weight"] == 0.5
    assert obj["u16"] == chr(int(data["u16"][1]))  # a Java char


def test_plain_values_keys_from_a_column_and_from_an_array(client, make_cache, unique):
    images = np.random.default_rng(1).integers(0, 256, (40, 1000)).astype(np.uint8)
    plain = make_cache()
    assert client.write(plain, images, progress=False) == 40
    for k in (0, 17, 39):
        assert bytes(client.get(plain, k)) == images[k].tobytes()

    keyed = make_cache()
    type_name = unique("Keyed")
    ids = np.array(["a", "b", "c"], dtype=object)
    client.write(
        keyed,
        {"id": ids, "v": np.array([1.5, 2.5, 3.5])},
        key="id",
        type_name=type_name,
        progress=False,
    )
    got = client.get(keyed, "b")
    assert got == BinaryObject(type_name, {"v": 2.5})  # the key column is not a field

    by_array = make_cache()
    client.write(
        by_array, np.array([10, 20, 30], np.int32), key=np.array([5, 6, 7]), progress=False
    )
    assert [client.get(by_array, k) for k in (5, 6, 7)] == [10, 20, 30]
    assert client.size(by_array) == 3


def test_chunks_continue_generated_keys_and_small_pages_split_requests(client, cache_name, unique):
    n = 10_000
    data = {"x": np.arange(n, dtype=np.int64)}
    from ignite_tf import _writing

    chunks = list(_writing.chunks_of(data, chunk_rows=3333))
    assert len(chunks) == 4
    client.get_or_create_cache(cache_name)
    before = client.request_counts()
    total = _writing.write_chunks(
        client._native,
        cache_name,
        chunks,
        key=None,
        type_name=unique("Chunked"),
        targets={},
        batch_size=100,
        batch_bytes=1 << 20,
        num_parallel_writes=3,
        progress=Progress(False, n, ""),
    )
    assert total == n
    got = scan_all(client, cache_name)
    np.testing.assert_array_equal(got["key"], np.arange(n))
    np.testing.assert_array_equal(got["val.x"], np.arange(n))
    # 100 pages of 100 rows; the client's own connection carried only its share of them: the
    # others went over the writer's two further connections.
    assert sum(client.request_counts().values()) - sum(before.values()) < n // 100


def test_dataframe_nulls_are_written_as_nulls(client, cache_name, unique):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "f": [1.5, np.nan, 3.0],
            "s": ["a", None, "c"],
            "n": pd.array([1, None, 3], dtype="Int64"),
            "t": pd.to_datetime(["2021-01-01", None, "2021-01-03"]),
        }
    )
    client.write(cache_name, frame, type_name=unique("Frame"), progress=False)
    got = scan_all(client, cache_name, masks=True)
    np.testing.assert_array_equal(got["val.f#valid"], [True, False, True])
    np.testing.assert_array_equal(got["val.s#valid"], [True, False, True])
    np.testing.assert_array_equal(got["val.n#valid"], [True, False, True])
    np.testing.assert_array_equal(got["val.t#valid"], [True, False, True])
    np.testing.assert_array_equal(got["val.n"][[0, 2]], [1, 3])
    assert client.get(cache_name, 1)["f"] is None


def test_write_table_creates_the_table_and_sql_reads_it(client, table_name):
    n = 5000
    rng = np.random.default_rng(3)
    data = {
        "ID": np.arange(n, dtype=np.int64),
        "A": rng.integers(-100, 100, n).astype(np.int32),
        "B": rng.standard_normal(n),
        "NAME": [f"n{i}" for i in range(n)],
        "SMALL": rng.integers(0, 256, n).astype(np.uint8),  # widened: SMALLINT keeps 200
    }
    assert client.write_table(table_name, data, primary_key="ID", create=True, progress=False) == n
    rows = list(client.sql(f"SELECT ID, A, B, NAME, SMALL FROM {table_name} ORDER BY ID"))
    assert len(rows) == n
    for i in (0, 1, n - 1):
        assert rows[i] == (
            i,
            int(data["A"][i]),
            float(data["B"][i]),
            f"n{i}",
            int(data["SMALL"][i]),
        )
    assert list(client.sql(f"SELECT SUM(A) FROM {table_name}"))[0][0] == int(data["A"].sum())


def test_overwrite_false_keeps_present_entries_and_returns_the_rows_added(
    client, cache_name, unique
):
    type_name = unique("Once")
    first = {"x": np.arange(100, dtype=np.int64)}
    assert client.write(cache_name, first, type_name=type_name, progress=False) == 100
    # Keys 50..149: 50..99 are present and keep x == key; 100..149 are added.
    again = {"k": np.arange(50, 150), "x": np.arange(50, 150, dtype=np.int64) + 1000}
    before = sum(client.request_counts().values())
    added = client.write(
        cache_name,
        again,
        key="k",
        type_name=type_name,
        overwrite=False,
        batch_size=16,  # several pages, over the writer's connections too
        progress=False,
    )
    requests = sum(client.request_counts().values()) - before  # the write's alone
    assert added == 50
    assert client.size(cache_name) == 150
    got = scan_all(client, cache_name)
    order = np.argsort(got["key"])
    np.testing.assert_array_equal(got["key"][order], np.arange(150))
    expected = np.concatenate([np.arange(100), np.arange(100, 150) + 1000])
    np.testing.assert_array_equal(got["val.x"][order], expected)
    # One put-if-absent request per row at most on the client's own connection (all 7 pages
    # may go over it when the writer's other connections are slow to open; CI saw 101), plus
    # the write's few lookups; the size and scan after it are not counted.
    assert requests <= len(again["k"]) + 3
    # Everything present: nothing added, nothing changed.
    assert (
        client.write(
            cache_name, again, key="k", type_name=type_name, overwrite=False, progress=False
        )
        == 0
    )
    assert client.get(cache_name, 60)["x"] == 60
    # The default overwrites.
    assert client.write(cache_name, again, key="k", type_name=type_name, progress=False) == 100
    assert client.get(cache_name, 60)["x"] == 1060


def test_write_table_overwrite_false_adds_only_new_primary_keys(client, table_name):
    data = {"ID": np.arange(10, dtype=np.int64), "V": np.arange(10, dtype=np.int32)}
    client.write_table(table_name, data, primary_key="ID", create=True, progress=False)
    more = {"ID": np.arange(5, 15, dtype=np.int64), "V": np.full(10, -1, np.int32)}
    assert client.write_table(table_name, more, overwrite=False, progress=False) == 5
    rows = list(client.sql(f"SELECT ID, V FROM {table_name} ORDER BY ID"))
    assert rows == [(i, i) for i in range(10)] + [(i, -1) for i in range(10, 15)]


def test_write_table_converts_to_the_tables_types_and_refuses_what_does_not_fit(client, table_name):
    client.sql(f"CREATE TABLE {table_name} (ID INT PRIMARY KEY, SMALL TINYINT, R REAL, V DOUBLE)")
    # int64 data into INT/TINYINT/REAL/DOUBLE columns; names matched ignoring case.
    client.write_table(
        table_name,
        {
            "id": np.arange(3),
            "small": np.array([-5, 0, 127]),
            "r": np.array([1, 2, 3]),
            "v": np.array([0.5, 1.5, 2.5], np.float32),
        },
        progress=False,
    )
    assert list(client.sql(f"SELECT ID, SMALL, R, V FROM {table_name} ORDER BY ID")) == [
        (0, -5, 1.0, 0.5),
        (1, 0, 2.0, 1.5),
        (2, 127, 3.0, 2.5),
    ]
    with pytest.raises(IgniteValueError, match=r"column 'SMALL': row 1 holds 128, outside"):
        client.write_table(
            table_name, {"ID": np.array([10, 11]), "SMALL": np.array([1, 128])}, progress=False
        )
    assert list(client.sql(f"SELECT COUNT(*) FROM {table_name}")) == [(3,)]  # nothing written
    with pytest.raises(KeyError, match="not a column of the table"):
        client.write_table(table_name, {"ID": np.array([1]), "NOPE": np.array([1])}, progress=False)
    with pytest.raises(CacheNotFoundError, match="create=True"):
        client.write_table(table_name + "_MISSING", {"ID": np.array([1])}, progress=False)


def test_write_table_with_a_composite_primary_key(client, table_name):
    client.sql(f"CREATE TABLE {table_name} (X INT, Y VARCHAR, Z DOUBLE, PRIMARY KEY (X, Y))")
    n = 500
    data = {"X": np.arange(n) % 7, "Y": [f"y{i}" for i in range(n)], "Z": np.arange(n) / 4}
    assert client.write_table(table_name, data, progress=False) == n
    assert list(client.sql(f"SELECT COUNT(*), SUM(Z) FROM {table_name}")) == [
        (n, sum(range(n)) / 4)
    ]
    # A lookup by the whole key finds the row the key object was written under.
    assert list(client.sql(f"SELECT Z FROM {table_name} WHERE X = ? AND Y = ?", [3, "y10"])) == [
        (2.5,)
    ]
    # Written again: the same keys, so rows are replaced, not added.
    data["Z"] = data["Z"] * 2
    client.write_table(table_name, data, primary_key=["x", "y"], progress=False)
    assert list(client.sql(f"SELECT COUNT(*), SUM(Z) FROM {table_name}")) == [
        (n, sum(range(n)) / 2)
    ]
    with pytest.raises(ValueError, match="the table's key is"):
        client.write_table(table_name, data, primary_key="X", progress=False)


@pytest.mark.parametrize(
    "data, error, message",
    [
        ({"c": np.array([1 + 2j, 3j])}, TypeError, "complex128 cannot be written"),
        ({"a": np.arange(3), "b": np.arange(4)}, ValueError, "columns differ in length"),
        ({"o": [object(), object()]}, TypeError, "object"),
        ({"f": np.arange(4, dtype=np.float16)}, TypeError, "float16"),
    ],
)
def test_bad_columns_fail_before_anything_is_written(
    client, cache_name, unique, data, error, message
):
    with pytest.raises(error, match=message):
        client.write(cache_name, data, type_name=unique("Bad"), progress=False)
    assert client.size(cache_name) == 0


def test_bad_keys_fail_before_anything_is_written(client, cache_name, unique):
    with pytest.raises(IgniteValueError, match="key column 'k': row 2 is NaN"):
        client.write(
            cache_name,
            {"k": np.array([1.0, 2.0, np.nan]), "v": np.arange(3)},
            key="k",
            type_name=unique("NanKey"),
            progress=False,
        )
    with pytest.raises(IgniteValueError, match="row 1 is null, and Ignite stores no null keys"):
        client.write(
            cache_name,
            {"k": ["a", None], "v": np.arange(2)},
            key="k",
            type_name=unique("NullKey"),
            progress=False,
        )
    with pytest.raises(KeyError, match="key column 'nope'"):
        client.write(cache_name, {"v": np.arange(2)}, key="nope", progress=False)
    assert client.size(cache_name) == 0


def _cut_load(connect, relay, cache_name: str, op: int, after: int, n: int, **options: Any):
    """Writes n rows through a relay that cuts the connection at the `after`-th reply to `op`;
    returns the error's message and a client straight to the node."""
    replies = []

    def cut(reply_op: int | None, frame: bytes) -> Any:
        if reply_op == op:
            replies.append(frame)
            if len(replies) == after:
                return relay_.cut(0)
        return None

    relay_ = relay(on_reply=cut)
    c = connect()
    c.get_or_create_cache(cache_name)
    through = type(c)(relay_.host, relay_.port, timeout=10)
    try:
        with pytest.raises(IgniteConnectionError) as raised:
            through.write(
                cache_name,
                {"x": np.arange(n)},
                batch_size=1000,
                num_parallel_writes=1,
                progress=False,
                **options,
            )
    finally:
        through.close()
    return str(raised.value), c


def test_a_connection_lost_mid_load_says_how_many_rows_were_written(
    connect, relay, cache_name, unique
):
    n = 100_000
    message, c = _cut_load(connect, relay, cache_name, PUT_ALL, 5, n, type_name=unique("Cut"))
    assert "stopped after 4000 of " in message, message
    assert "writing all rows again is safe" in message
    assert c.size(cache_name) >= 4000  # what it reported written is there
    assert c.size(cache_name) < n


def test_a_connection_lost_mid_put_if_absent_load_says_how_many_rows_were_written(
    connect, relay, cache_name, unique
):
    n = 20_000
    message, c = _cut_load(
        connect,
        relay,
        cache_name,
        PUT_IF_ABSENT,
        2500,
        n,
        type_name=unique("CutOnce"),
        overwrite=False,
    )
    # Two pages answered in full, then the third's connection was cut after 499 replies.
    written = int(message.split("stopped after ")[1].split(" of ")[0])
    assert 2000 <= written < 2500, message
    assert "keys already present keep their values" in message
    assert written <= c.size(cache_name) < n


def test_progress_line_without_tqdm(capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    p = Progress(True, 1000, "writing X")
    p.update(10, 100)  # too early: nothing shown
    assert capsys.readouterr().err == ""
    p.started -= 2.0
    p.update(500, 5_000_000)
    p.close(1000, 10_000_000)
    err = capsys.readouterr().err
    assert "writing X: 500 of 1,000 rows" in err
    assert "writing X: 1,000 of 1,000 rows" in err and "MB/s" in err
    assert err.endswith("\n")
    quiet = Progress(False, 1000, "x")
    quiet.started -= 2.0
    quiet.update(500, 5)
    quiet.close(1000, 10)
    assert capsys.readouterr().err == ""


def test_progress_bar_with_tqdm(capsys):
    pytest.importorskip("tqdm")  # in the test extra
    p = Progress(True, 1000, "writing Y")
    p.started -= 2.0
    p.update(400, 4_000_000)
    p.close(1000, 10_000_000)
    err = capsys.readouterr().err
    assert "writing Y" in err and "100%" in err and "1.00k/1.00k" in err, err
    assert "MB/s" in err


def test_tf_data_dataset_of_dicts_batched_or_not(client, make_cache, unique):
    tf = pytest.importorskip("tensorflow")
    n = 1000
    features = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    ds = tf.data.Dataset.from_tensor_slices({"x": features, "y": np.arange(n, dtype=np.int64)})
    for dataset in (ds, ds.batch(64)):
        cache = make_cache()
        assert client.write(cache, dataset, key="y", type_name=unique("Tf"), progress=False) == n
        got = scan_all(client, cache)
        np.testing.assert_array_equal(got["key"], np.arange(n))
        np.testing.assert_array_equal(np.stack(got["val.x"]), features)


def test_written_rows_read_back_through_ignite_dataset(client, cache_name, unique, ignite_node):
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    n = 2000
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 10, n).astype(np.int32)
    pixels = rng.integers(0, 256, (n, 784)).astype(np.uint8)
    client.write(
        cache_name, {"label": labels, "pixels": pixels}, type_name=unique("Mnist"), progress=False
    )
    ds = IgniteDataset(cache_name, host=ignite_node.host, port=ignite_node.port, batched=True)
    keys, got_labels, got_pixels = [], [], []
    for batch in ds:
        keys.append(batch["key"].numpy())
        got_labels.append(batch["val"]["label"].numpy())
        got_pixels.append(batch["val"]["pixels"].to_tensor().numpy())
    order = np.argsort(np.concatenate(keys))
    np.testing.assert_array_equal(np.concatenate(keys)[order], np.arange(n))
    np.testing.assert_array_equal(np.concatenate(got_labels)[order], labels)
    assert np.concatenate(got_pixels).dtype == tf.uint8.as_numpy_dtype
    np.testing.assert_array_equal(np.concatenate(got_pixels)[order], pixels)


def test_large_rows_sent_from_the_callers_arrays_read_back_exactly(client, make_cache):
    """Array values of 64 KiB or more go to the socket from the caller's buffers, not copied into
    the pages: from one 2-D array written in chunks (the writer holds them until it finishes),
    and from a tf.data.Dataset whose chunks are freed as the next one comes (each chunk's pages
    are answered before the next is read), every row reads back exactly."""
    width = (256 << 10) + 3  # not a multiple of anything the pages are sized by
    rows = 260  # 68 MB: more than one of the chunks Python hands the core
    image = (np.arange(rows)[:, None] * 7 + np.arange(width)[None, :] * 13).astype(np.uint8)
    cache = make_cache()
    assert client.write(cache, image, progress=False) == rows
    for key in (0, 1, 17, 129, rows - 1):
        np.testing.assert_array_equal(np.asarray(client.get(cache, key)), image[key])
    got = scan_all(client, cache)
    np.testing.assert_array_equal(got["key"], np.arange(rows))
    assert [bytes(row) for row in got["val"]] == [row.tobytes() for row in image]

    tf = pytest.importorskip("tensorflow")
    per, chunks = 3, 12
    floats = (80 << 10) // 8 + 1  # 80 KiB of float64 a row

    def made_per_chunk():
        for c in range(chunks):
            keys = np.arange(c * per, (c + 1) * per)
            yield keys[:, None] * 1e6 + np.arange(floats, dtype=np.float64)

    spec = tf.TensorSpec([None, floats], tf.float64)
    source = tf.data.Dataset.from_generator(made_per_chunk, output_signature=spec)
    cache = make_cache()
    # Plain values (no field names), keys generated 0, 1, ... across the chunks.
    assert client.write(cache, source, progress=False) == per * chunks
    got = scan_all(client, cache)
    np.testing.assert_array_equal(got["key"], np.arange(per * chunks))
    for key, value in zip(got["key"], got["val"]):
        np.testing.assert_array_equal(value, key * 1e6 + np.arange(floats, dtype=np.float64))


def test_a_program_exits_with_a_writer_still_alive(ignite_node, cache_name):
    """A writer that lives until the interpreter shuts down (left in a global, or in the
    traceback of a failed write that ends the program) is stopped by the finalizing thread,
    which keeps the GIL for it: the program exits at once instead of hanging."""
    program = textwrap.dedent(
        f"""
        import numpy as np
        from ignite_tf import Client
        from ignite_tf._writing import column_tuple
        client = Client({ignite_node.host!r}, {ignite_node.port})
        rows = [column_tuple("", np.zeros((40, 70000), np.uint8), 0)]
        writer = client._native.writer(
            {cache_name!r}, rows, key_columns=[], key_type_name="", first_key=0, type_name="",
            nested_type_names={{}}, batch_rows=16, batch_bytes=1 << 20, parallel=2,
            overwrite=True)
        writer.write(rows, keep=True)
        print("leaving", flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "leaving\n"


def test_pages_are_sized_by_bytes(relay, connect, cache_name, unique):
    """Pages are sized by bytes: 1 MiB rows with the defaults go 16 to a request, not 1024."""
    sizes = []
    relay_ = relay(on_reply=lambda op, frame: None)
    c = connect()
    c.get_or_create_cache(cache_name)
    through = type(c)(relay_.host, relay_.port, timeout=30)
    rows = np.zeros((40, 1 << 20), np.uint8)
    try:
        through.write(cache_name, rows, progress=False)
    finally:
        through.close()
    for frame in relay_.requests:
        op, _ = struct.unpack_from("<hq", frame)
        if op == PUT_ALL:
            sizes.append(struct.unpack_from("<i", frame, 2 + 8 + 4 + 1)[0])
    assert sizes and max(sizes) == 16 and sum(sizes) == 40, sizes
