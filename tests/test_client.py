"""ignite_tf.Client basics against a real Apache Ignite node: caches, key-value and SQL."""

from __future__ import annotations

import datetime as dt
import math
import struct

import numpy as np
import pytest

import ignite_tf
from ignite_tf import (
    BinaryObject,
    CacheNotFoundError,
    Client,
    IgniteConnectionError,
    IgniteError,
    IgniteServerError,
    SqlResult,
)

pytestmark = pytest.mark.usefixtures("hang_guard")

UTC = dt.timezone.utc


def assert_same(got: object, expected: object) -> None:
    """Equal value and the same Python/NumPy type (a bool must not come back as an int)."""
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{got!r} is not an array"
        assert got.dtype == expected.dtype
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
        return
    assert type(got) is type(expected), f"{got!r} should be a {type(expected).__name__}"
    assert got == expected


# --------------------------------------------------------------------------------------------
# The connection and the caches


def test_protocol_version_is_1_7_0(client: Client) -> None:
    assert client.protocol_version == (1, 7, 0)


@pytest.mark.parametrize(
    "offer",
    [(1, 1, 0), (1, 2, 0), (1, 3, 0), (1, 4, 0), (1, 5, 0), (1, 6, 0)],
    ids=lambda v: ".".join(map(str, v)),
)
def test_older_protocol_versions_work_against_a_real_node(
    relay, table_name: str, cache_name: str, unique, offer
) -> None:
    """A server that answers the 1.7.0 handshake with an older version: the client accepts the
    counter-offer and then speaks that version to the real node (before 1.4.0 replies have no
    flags header), for every operation IgniteDataset and the tests rely on."""
    r = relay(offer=offer)
    with Client(r.host, r.port, timeout=30) as c:
        assert c.protocol_version == offer
        assert r.offers == [(1, 7, 0), offer]

        c.create_cache(cache_name)
        type_name = unique("Old")
        rows = {k: BinaryObject(type_name, {"v": k, "name": f"n{k}"}) for k in range(500)}
        c.put_all(cache_name, rows.items())
        c.put(cache_name, 1000, BinaryObject(type_name, {"v": 1000, "name": "last"}))
        assert c.size(cache_name) == 501
        assert c.get(cache_name, 7).fields == {"v": 7, "name": "n7"}
        assert c.get(cache_name, 5000) is None
        assert cache_name in c.cache_names()

        batches = list(c.scan(cache_name, page_size=64, batch_size=64))
        keys = np.concatenate([b["key"] for b in batches])
        values = np.concatenate([b["val.v"] for b in batches])
        assert sorted(keys.tolist()) == [*range(500), 1000]
        np.testing.assert_array_equal(keys, values)
        if offer >= (1, 4, 0):
            assert len(c.partitions(cache_name)) == 1024
        else:
            with pytest.raises(IgniteError, match="needs 1.4.0") as info:
                c.partitions(cache_name)
            assert type(info.value) is IgniteError  # not a subclass (it once was an OSError)
        # Without a partition map (before 1.4.0) a parallel scan reads through one connection.
        parallel = c.scan(cache_name, page_size=64, num_parallel_reads=2)
        assert sorted(k for b in parallel for k in b["key"].tolist()) == [*range(500), 1000]

        c.sql(f"CREATE TABLE {table_name} (ID LONG PRIMARY KEY, NAME VARCHAR)")
        c.sql(f"INSERT INTO {table_name} (ID, NAME) VALUES (?, ?)", [1, "WARM KITTY"])
        assert c.sql(f"SELECT ID, NAME FROM {table_name}").rows == [(1, "WARM KITTY")]
        with pytest.raises(IgniteServerError, match="NO_SUCH_TABLE_XYZ"):
            c.sql("SELECT * FROM NO_SUCH_TABLE_XYZ")  # an error reply in the old layout
        assert c.sql("SELECT X FROM SYSTEM_RANGE(1, 50)", page_size=7).rows == [
            (x,) for x in range(1, 51)
        ]
    assert r.replies  # the replies above really came through the relay


def test_create_list_and_destroy_a_cache(client: Client, cache_name: str) -> None:
    assert cache_name not in client.cache_names()
    client.create_cache(cache_name)
    assert cache_name in client.cache_names()
    assert client.size(cache_name) == 0

    client.destroy_cache(cache_name)
    assert cache_name not in client.cache_names()
    with pytest.raises(CacheNotFoundError, match=cache_name):
        client.size(cache_name)


def test_create_cache_twice_is_an_error_naming_the_cache(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    with pytest.raises(IgniteServerError, match=cache_name):
        client.create_cache(cache_name)
    # The connection survives a server-side error.
    assert cache_name in client.cache_names()


def test_get_or_create_cache_creates_once_and_keeps_the_data(
    client: Client, cache_name: str
) -> None:
    client.get_or_create_cache(cache_name)
    assert cache_name in client.cache_names()
    client.put(cache_name, 1, "one")
    client.get_or_create_cache(cache_name)  # exists: no error, no reset
    assert client.get(cache_name, 1) == "one"
    assert client.cache_names().count(cache_name) == 1


def test_cache_names_are_case_sensitive(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    with pytest.raises(CacheNotFoundError):
        client.size(cache_name.lower())


# --------------------------------------------------------------------------------------------
# put / get round trips of every supported type

ROUND_TRIPS = [
    # Python scalars
    pytest.param(5, 5, id="int"),
    pytest.param(-(2**63), -(2**63), id="int-min-long"),
    pytest.param(2**63 - 1, 2**63 - 1, id="int-max-long"),
    pytest.param(1.5, 1.5, id="float"),
    pytest.param(-1e300, -1e300, id="float-large"),
    pytest.param(math.inf, math.inf, id="float-inf"),
    pytest.param("héllo wörld ✓", "héllo wörld ✓", id="str-unicode"),
    pytest.param("", "", id="str-empty"),
    pytest.param(True, True, id="bool-true"),
    pytest.param(False, False, id="bool-false"),
    # bytes become byte[]: read back as a uint8 array with the same bits
    pytest.param(b"\x00\xffab", np.array([0, 255, 97, 98], np.uint8), id="bytes"),
    pytest.param(bytearray(b"\x01\x02"), np.array([1, 2], np.uint8), id="bytearray"),
    pytest.param(b"", np.array([], np.uint8), id="bytes-empty"),
    # datetime: a UTC instant with millisecond precision
    pytest.param(
        dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        id="datetime-ms-precision",
    ),
    pytest.param(
        dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.datetime(2024, 6, 1, 10, 0, tzinfo=UTC),
        id="datetime-other-zone-same-instant",
    ),
    pytest.param(
        dt.datetime(2024, 6, 1, 12, 0),
        dt.datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
        id="datetime-naive-is-utc",
    ),
    pytest.param(
        dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        id="datetime-before-epoch",
    ),
    # NumPy scalars keep their Ignite type; they read back as Python values
    pytest.param(np.int8(-5), -5, id="np.int8"),
    pytest.param(np.int16(-300), -300, id="np.int16"),
    pytest.param(np.int32(-70000), -70000, id="np.int32"),
    pytest.param(np.int64(2**40), 2**40, id="np.int64"),
    pytest.param(np.float32(1.1), float(np.float32(1.1)), id="np.float32"),
    pytest.param(np.float64(2.2), 2.2, id="np.float64"),
    pytest.param(np.uint16(65), "A", id="np.uint16-is-java-char"),
    pytest.param(np.bool_(True), True, id="np.bool_"),
    # 1-D arrays
    pytest.param(
        np.array([-1, 2, 127, -128], np.int8),
        np.array([255, 2, 127, 128], np.uint8),  # byte[] reads as uint8, same bits
        id="array-int8",
    ),
    pytest.param(
        np.array([0, 200, 255], np.uint8), np.array([0, 200, 255], np.uint8), id="array-uint8"
    ),
    pytest.param(
        np.array([-32768, 0, 32767], np.int16),
        np.array([-32768, 0, 32767], np.int16),
        id="array-int16",
    ),
    pytest.param(
        np.array([-(2**31), 7], np.int32), np.array([-(2**31), 7], np.int32), id="array-int32"
    ),
    pytest.param(
        np.array([-(2**63), 2**62], np.int64),
        np.array([-(2**63), 2**62], np.int64),
        id="array-int64",
    ),
    pytest.param(
        np.array([0.1, -2.5], np.float32), np.array([0.1, -2.5], np.float32), id="array-float32"
    ),
    pytest.param(
        np.array([0.1, 1e-300], np.float64), np.array([0.1, 1e-300], np.float64), id="array-float64"
    ),
    pytest.param(
        np.array([65, 0xFFFF], np.uint16), np.array([65, 0xFFFF], np.uint16), id="array-uint16-char"
    ),
    pytest.param(np.array([True, False, True]), np.array([True, False, True]), id="array-bool"),
    pytest.param(np.array([], np.int64), np.array([], np.int64), id="array-empty"),
    pytest.param(
        np.arange(10, dtype=np.int32)[::2], np.array([0, 2, 4, 6, 8], np.int32), id="array-strided"
    ),
    # lists of str become string[]
    pytest.param(["a", None, "ç"], ["a", None, "ç"], id="list-str-with-none"),
    pytest.param([], [], id="list-empty"),
    pytest.param(("x", "y"), ("x", "y"), id="tuple-object-array"),
    pytest.param(np.array(["ab", "c"]), ["ab", "c"], id="array-unicode"),
]


@pytest.mark.parametrize(("value", "expected"), ROUND_TRIPS)
def test_put_get_round_trip(
    client: Client, cache_name: str, value: object, expected: object
) -> None:
    client.create_cache(cache_name)
    client.put(cache_name, 1, value)
    assert_same(client.get(cache_name, 1), expected)


@pytest.mark.parametrize(
    "key",
    [7, "key-é", b"\x01\x02", np.int32(7), dt.datetime(2020, 1, 1, tzinfo=UTC)],
    ids=["int", "str", "bytes", "np.int32", "datetime"],
)
def test_keys_of_any_supported_type(client: Client, cache_name: str, key: object) -> None:
    client.create_cache(cache_name)
    client.put(cache_name, key, "v")
    assert client.get(cache_name, key) == "v"


def test_keys_of_different_types_are_different_keys(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    client.put(cache_name, 7, "long")
    client.put(cache_name, np.int32(7), "int")
    client.put(cache_name, "7", "str")
    assert client.size(cache_name) == 3
    assert client.get(cache_name, 7) == "long"
    assert client.get(cache_name, np.int32(7)) == "int"
    assert client.get(cache_name, "7") == "str"


def test_put_overwrites(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    client.put(cache_name, 1, "first")
    client.put(cache_name, 1, "second")
    assert client.get(cache_name, 1) == "second"
    assert client.size(cache_name) == 1


def test_get_of_a_missing_key_returns_none(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    assert client.get(cache_name, 12345) is None
    client.put(cache_name, 1, 1)
    assert client.get(cache_name, 2) is None
    assert client.get(cache_name, "1") is None


def test_nested_binary_object_round_trip(client: Client, cache_name: str, unique) -> None:
    image_type, meta_type = unique("Image"), unique("ImageMetadata")
    pixels = np.arange(48, dtype=np.uint8)
    value = BinaryObject(
        image_type,
        {
            "metadata": BinaryObject(meta_type, {"file_name": "cat.png", "label": np.int32(3)}),
            "pixels": pixels,
            "tags": ["cute", None],
            "taken": dt.datetime(2023, 5, 6, 7, 8, 9, 10000, tzinfo=UTC),
            "score": 0.75,
            "weight": np.float32(1.25),
            "ok": True,
        },
    )
    client.create_cache(cache_name)
    client.put(cache_name, 1, value)
    got = client.get(cache_name, 1)

    assert isinstance(got, BinaryObject)
    assert got.type_name == image_type
    assert got == BinaryObject(
        image_type,
        {
            "metadata": BinaryObject(meta_type, {"file_name": "cat.png", "label": 3}),
            "pixels": pixels,
            "tags": ["cute", None],
            "taken": dt.datetime(2023, 5, 6, 7, 8, 9, 10000, tzinfo=UTC),
            "score": 0.75,
            "weight": 1.25,
            "ok": True,
        },
    )
    assert got["metadata"].type_name == meta_type
    assert got["pixels"].dtype == np.uint8


def test_binary_objects_as_keys(client: Client, cache_name: str, unique) -> None:
    key_type = unique("Key")
    client.create_cache(cache_name)
    client.put(cache_name, BinaryObject(key_type, {"a": 1, "b": "x"}), "first")
    client.put(cache_name, BinaryObject(key_type, {"a": 2, "b": "x"}), "second")
    assert client.size(cache_name) == 2
    assert client.get(cache_name, BinaryObject(key_type, {"a": 1, "b": "x"})) == "first"
    assert client.get(cache_name, BinaryObject(key_type, {"a": 2, "b": "x"})) == "second"
    assert client.get(cache_name, BinaryObject(key_type, {"a": 3, "b": "x"})) is None


def test_binary_object_none_field_round_trip(client: Client, cache_name: str, unique) -> None:
    type_name = unique("WithNull")
    client.create_cache(cache_name)
    client.put(cache_name, 1, BinaryObject(type_name, {"a": 1, "note": None}))
    got = client.get(cache_name, 1)
    assert got["note"] is None
    assert got == BinaryObject(type_name, {"a": 1, "note": None})


# --------------------------------------------------------------------------------------------
# size, clear, put_all


def test_size_counts_entries(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    assert client.size(cache_name) == 0
    client.put_all(cache_name, [(i, f"v{i}") for i in range(250)])
    assert client.size(cache_name) == 250
    client.put(cache_name, 0, "again")  # overwrite: same size
    client.put(cache_name, 1000, "new")
    assert client.size(cache_name) == 251


def test_clear_removes_every_entry_and_keeps_the_cache(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    client.put_all(cache_name, {i: i * 2 for i in range(100)})
    client.clear(cache_name)
    assert client.size(cache_name) == 0
    assert client.get(cache_name, 5) is None
    assert cache_name in client.cache_names()
    client.put(cache_name, 5, 1)
    assert client.get(cache_name, 5) == 1


def test_put_all_accepts_a_dict_or_pairs(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    client.put_all(cache_name, {1: "a", 2: "b"})
    client.put_all(cache_name, [(3, "c"), (4, "d")])
    client.put_all(cache_name, ((k, str(k)) for k in range(5, 8)))  # any iterable
    client.put_all(cache_name, [])
    assert client.size(cache_name) == 7
    assert [client.get(cache_name, k) for k in range(1, 8)] == ["a", "b", "c", "d", "5", "6", "7"]


def test_put_all_of_many_objects(client: Client, cache_name: str, unique) -> None:
    type_name = unique("Row")
    client.create_cache(cache_name)
    client.put_all(
        cache_name,
        [(i, BinaryObject(type_name, {"i": i, "s": f"s{i}"})) for i in range(5000)],
    )
    assert client.size(cache_name) == 5000
    assert client.get(cache_name, 4321) == BinaryObject(type_name, {"i": 4321, "s": "s4321"})


# --------------------------------------------------------------------------------------------
# SQL


def test_sql_ddl_dml_and_select_with_args(client: Client, table_name: str) -> None:
    created = client.sql(
        f"CREATE TABLE {table_name} (ID LONG PRIMARY KEY, NAME VARCHAR, SCORE DOUBLE, OK BOOLEAN)"
    )
    assert isinstance(created, SqlResult)
    assert f"SQL_PUBLIC_{table_name}" in client.cache_names()

    for i, name in enumerate(["ann", "bob", "cé", "dan"]):
        inserted = client.sql(
            f"INSERT INTO {table_name} (ID, NAME, SCORE, OK) VALUES (?, ?, ?, ?)",
            [i, name, i * 1.5, i % 2 == 0],
        )
        assert inserted.rows == [(1,)]

    result = client.sql(
        f"SELECT ID, NAME, SCORE, OK FROM {table_name} WHERE SCORE >= ? AND NAME <> ? ORDER BY ID",
        [1.5, "dan"],
    )
    assert result.columns == ["ID", "NAME", "SCORE", "OK"]
    assert result.rows == [(1, "bob", 1.5, False), (2, "cé", 3.0, True)]
    assert len(result) == 2
    assert list(result) == result.rows

    updated = client.sql(f"UPDATE {table_name} SET NAME = ? WHERE ID < ?", ["x", 2])
    assert updated.rows == [(2,)]
    deleted = client.sql(f"DELETE FROM {table_name} WHERE ID = ?", [3])
    assert deleted.rows == [(1,)]
    assert client.sql(f"SELECT NAME FROM {table_name} ORDER BY ID").rows == [
        ("x",),
        ("x",),
        ("cé",),
    ]
    assert client.sql(f"SELECT COUNT(*) FROM {table_name}").rows == [(3,)]

    client.sql(f"DROP TABLE {table_name}")
    assert f"SQL_PUBLIC_{table_name}" not in client.cache_names()


def test_streamed_sql_runs_lazily_by_default(client, relay, table_name) -> None:
    """sql_batches (and SqlDataset on it) ask the node for lazy execution unless told not to;
    Client.sql keeps Ignite's default. Both modes return the same rows."""
    client.sql(f"CREATE TABLE {table_name} (ID INT PRIMARY KEY, V DOUBLE)")
    client.write_table(table_name, {"ID": np.arange(3000), "V": np.arange(3000) / 8})
    r = relay()
    query = f"SELECT ID, V FROM {table_name} ORDER BY ID"
    with Client(r.host, r.port) as through:
        read = {
            lazy: np.concatenate([b["V"] for b in through.sql_batches(query, **kwargs)])
            for lazy, kwargs in ((True, {}), (False, {"lazy": False}))
        }
        through.sql(query)
    flags = [
        frame[-10]  # lazy, then the timeout (8 bytes) and "include field names" (1 byte)
        for frame in r.requests
        if struct.unpack_from("<h", frame)[0] == 2004  # OP_QUERY_SQL_FIELDS
    ]
    assert flags == [1, 0, 0]
    np.testing.assert_array_equal(read[True], np.arange(3000) / 8)
    np.testing.assert_array_equal(read[False], read[True])


def test_sql_result_spanning_many_pages(client: Client) -> None:
    result = client.sql("SELECT X FROM SYSTEM_RANGE(1, 100)", page_size=7)
    assert result.columns == ["X"]
    assert [row[0] for row in result] == list(range(1, 101))


def test_sql_null_and_typed_args(client: Client) -> None:
    result = client.sql("SELECT ?, ?, ?, ?, ?", [1, "s", 1.5, True, None])
    assert result.rows == [(1, "s", 1.5, True, None)]
    assert [type(v) for v in result.rows[0]] == [int, str, float, bool, type(None)]


def test_sql_error_is_a_server_error_with_the_servers_message(client: Client) -> None:
    with pytest.raises(IgniteServerError, match="NO_SUCH_TABLE_XYZ"):
        client.sql("SELECT * FROM NO_SUCH_TABLE_XYZ")
    assert client.sql("SELECT 1").rows == [(1,)]  # the connection is still usable


def test_rows_written_by_sql_are_binary_objects_to_get(client: Client, table_name: str) -> None:
    client.sql(f"CREATE TABLE {table_name} (ID LONG PRIMARY KEY, NAME VARCHAR, AGE INT)")
    client.sql(f"INSERT INTO {table_name} (ID, NAME, AGE) VALUES (?, ?, ?)", [7, "kitty", 3])
    got = client.get(f"SQL_PUBLIC_{table_name}", 7)
    assert isinstance(got, BinaryObject)
    assert got.fields == {"NAME": "kitty", "AGE": 3}
    assert client.get(f"SQL_PUBLIC_{table_name}", 8) is None


def test_composite_sql_keys_match_binary_object_keys(
    client: Client, table_name: str, unique
) -> None:
    """The hash code the client computes for a BinaryObject key matches the server's."""
    key_type, val_type = unique("CKey"), unique("CVal")
    client.sql(
        f"CREATE TABLE {table_name} (A INT, B VARCHAR, V INT, PRIMARY KEY (A, B)) "
        f'WITH "key_type={key_type},value_type={val_type}"'
    )
    cache = f"SQL_PUBLIC_{table_name}"
    client.sql(f"INSERT INTO {table_name} (A, B, V) VALUES (1, 'x', 10)")
    got = client.get(cache, BinaryObject(key_type, {"A": np.int32(1), "B": "x"}))
    assert got == BinaryObject(val_type, {"V": 10})

    client.put(
        cache,
        BinaryObject(key_type, {"A": np.int32(2), "B": "y"}),
        BinaryObject(val_type, {"V": np.int32(20)}),
    )
    assert client.sql(f"SELECT V FROM {table_name} WHERE A = 2 AND B = 'y'").rows == [(20,)]
    assert client.sql(f"SELECT COUNT(*) FROM {table_name}").rows == [(2,)]


# --------------------------------------------------------------------------------------------
# Closing


def test_closed_client_raises_instead_of_crashing(connect) -> None:
    c = connect()
    c.close()
    with pytest.raises(IgniteConnectionError, match="was closed"):
        c.cache_names()
    with pytest.raises(IgniteConnectionError, match="was closed"):
        c.scan("anything")
    c.close()  # closing twice is harmless


def test_context_manager_closes_the_client(ignite_node) -> None:
    with Client(ignite_node.host, ignite_node.port) as c:
        assert isinstance(c.cache_names(), list)
        assert repr(c) == f"Client({ignite_node.host!r}, {ignite_node.port})"
    with pytest.raises(ignite_tf.IgniteConnectionError, match="was closed; open a new one"):
        c.cache_names()


def test_null_keys_and_values_are_refused_before_sending(client, cache_name):
    client.create_cache(cache_name)
    with pytest.raises(ignite_tf.IgniteValueError, match="the value is null"):
        client.put(cache_name, 1, None)
    with pytest.raises(ignite_tf.IgniteValueError, match="the key is null"):
        client.put(cache_name, None, 1)
    with pytest.raises(ignite_tf.IgniteValueError, match="entry #1"):
        client.put_all(cache_name, [(1, 1), (2, None)])
    assert client.size(cache_name) == 0


def test_sql_max_rows_limits_the_result(client, table_name) -> None:
    client.sql(f"CREATE TABLE {table_name} (ID LONG PRIMARY KEY, V INT)")
    for i in range(10):
        client.sql(f"INSERT INTO {table_name} (ID, V) VALUES (?, ?)", [i, i])
    result = client.sql(f"SELECT ID FROM {table_name} ORDER BY ID", max_rows=3, page_size=2)
    assert result.rows == [(0,), (1,), (2,)]


def test_negative_partitions_other_than_minus_one_are_refused(client, cache_name) -> None:
    client.create_cache(cache_name)
    with pytest.raises(ignite_tf.IgniteValueError, match="partition"):
        client.scan(cache_name, partition=-2)
