"""UUID, timestamp, time, decimal, enums, typed arrays, object arrays, collections and maps:
written through put, read back with get, scans (columns) and IgniteDataset, on a real node."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import numpy as np
import pytest

from ignite_tf import BinaryEnum, BinaryObject, Client, IgniteSchemaError, RaggedColumn

U1 = uuid.UUID("12345678-1234-5678-9abc-def012345678")
U2 = uuid.UUID(int=5)
TS = np.datetime64("2024-01-02T03:04:05.123456789", "ns")
PRE_EPOCH = np.datetime64("1969-12-31T23:59:59.999999999", "ns")


def _row(i: int, type_name: str) -> BinaryObject:
    return BinaryObject(
        type_name,
        {
            "u": uuid.UUID(int=i + 1),
            "ts": TS + np.timedelta64(i, "ns"),
            "t": dt.time(12, 34, 56, 789000),
            "d": decimal.Decimal(f"-{i}.125"),
            "e": BinaryEnum(f"{type_name}Color", i % 3, ["RED", "GREEN", "BLUE"][i % 3]),
            "uuids": [U1, U2][: 1 + i % 2],
            "longs": list(range(i % 4)) or [7],
            "objs": (1, 2),
            "tags": {"a": 1.5, "b": float(i)},
            "people": [
                BinaryObject(f"{type_name}Person", {"name": f"p{i}", "age": np.int32(i)}),
                BinaryObject(f"{type_name}Person", {"name": "q", "age": np.int32(-1)}),
            ],
        },
    )


@pytest.fixture
def typed_cache(client: Client, cache_name: str, unique) -> tuple[str, dict[int, BinaryObject]]:
    type_name = unique("AllTypes")
    rows = {i: _row(i, type_name) for i in range(20)}
    client.create_cache(cache_name)
    client.put_all(cache_name, rows.items())
    return cache_name, rows


def test_get_round_trips_every_new_type(client: Client, typed_cache) -> None:
    name, rows = typed_cache
    back = client.get(name, 4)
    expected = rows[4]
    assert back["u"] == expected["u"]
    assert back["ts"] == expected["ts"]  # nanoseconds survive
    assert back["t"] == expected["t"]
    assert back["d"] == expected["d"]  # exact decimal
    assert back["e"] == expected["e"] and back["e"].name == "GREEN"
    assert back["uuids"] == expected["uuids"]
    assert back["longs"] == expected["longs"]
    assert back["objs"] == (1, 2)
    assert back["tags"] == expected["tags"]
    assert back["people"] == expected["people"]


@pytest.mark.parametrize(
    "value",
    [
        U1,
        PRE_EPOCH,
        dt.time(0, 0, 0),
        decimal.Decimal("123456789012345678901234567890.000001"),
        decimal.Decimal("0"),
        {"x": [1, 2]},
        {1, 2, 3},
        (U1, None, "mixed"),
        [dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)],
    ],
    ids=repr,
)
def test_plain_values_round_trip(client: Client, cache_name: str, value) -> None:
    client.create_cache(cache_name)
    client.put(cache_name, 1, value)
    assert client.get(cache_name, 1) == value


@pytest.mark.parametrize("key", [U1, "text key", 2**40, -7], ids=repr)
def test_keys_of_several_types(client: Client, cache_name: str, key) -> None:
    client.create_cache(cache_name)
    client.put(cache_name, key, "v")
    assert client.get(cache_name, key) == "v"
    (batch,) = list(client.scan(cache_name))
    expected = str(key).encode() if isinstance(key, (uuid.UUID, str)) else key
    assert batch["key"][0] == expected


def test_scan_columns_follow_the_documented_mapping(client: Client, typed_cache) -> None:
    name, rows = typed_cache
    (batch,) = list(client.scan(name, batch_size=100))
    order = np.argsort(batch["key"])
    keys = batch["key"][order]
    assert keys.tolist() == sorted(rows)
    for j, key in enumerate(keys):
        i = int(order[j])
        row = rows[int(key)]
        assert batch["val.u"][i] == str(row["u"]).encode()
        assert batch["val.ts"][i] == row["ts"].astype("int64")  # ns since the epoch
        assert batch["val.t"][i] == 45296789  # ms since midnight
        assert batch["val.d"][i] == float(row["d"])
        assert batch["val.e.name"][i] == row["e"].name.encode()
        assert batch["val.e.ordinal"][i] == row["e"].ordinal
        assert [x.decode() for x in batch["val.uuids"][i]] == [str(u) for u in row["uuids"]]
        assert batch["val.longs"][i].tolist() == row["longs"]
        assert batch["val.tags.keys"][i].tolist() == [b"a", b"b"]
        assert batch["val.tags.values"][i].tolist() == [1.5, float(key)]
        assert batch["val.people.name"][i].tolist() == [f"p{key}".encode(), b"q"]
        assert batch["val.people.age"][i].tolist() == [key, -1]
    assert isinstance(batch["val.people.age"], RaggedColumn)
    assert batch["val.ts"].dtype == np.int64 and batch["val.d"].dtype == np.float64


def test_nulls_inside_containers_read_as_defaults(client: Client, cache_name: str, unique) -> None:
    t = unique("WithNulls")
    client.create_cache(cache_name)
    client.put(cache_name, 1, BinaryObject(t, {"xs": [1, None, 3], "us": [U1, None]}))
    (batch,) = list(client.scan(cache_name))
    assert batch["val.xs"][0].tolist() == [1, 0, 3]
    assert batch["val.us"][0].tolist() == [str(U1).encode(), b""]


def test_element_type_must_be_learnable(client: Client, cache_name: str, unique) -> None:
    t = unique("EmptyList")
    client.create_cache(cache_name)
    client.put(cache_name, 1, BinaryObject(t, {"xs": (None,)}))
    with pytest.raises(IgniteSchemaError, match="val.xs is an empty or all-null"):
        list(client.scan(cache_name))


def test_mixed_element_types_are_a_schema_error(client: Client, cache_name: str, unique) -> None:
    t = unique("Mixed")
    client.create_cache(cache_name)
    client.put(cache_name, 1, BinaryObject(t, {"xs": (1, "a")}))
    with pytest.raises(IgniteSchemaError, match="mixes long"):
        list(client.scan(cache_name))


def test_dataset_elements_for_the_new_types(ignite_node, typed_cache) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    name, rows = typed_cache
    ds = IgniteDataset(name, host=ignite_node.host, port=ignite_node.port)
    spec = ds.element_spec["val"]
    assert spec["u"] == tf.TensorSpec([], tf.string)
    assert spec["ts"] == tf.TensorSpec([], tf.int64)
    assert spec["d"] == tf.TensorSpec([], tf.float64)
    assert spec["e"] == {
        "name": tf.TensorSpec([], tf.string),
        "ordinal": tf.TensorSpec([], tf.int32),
    }
    assert spec["people"] == {
        "age": tf.TensorSpec([None], tf.int32),
        "name": tf.TensorSpec([None], tf.string),
    }
    assert spec["tags"]["values"] == tf.TensorSpec([None], tf.float64)
    seen = 0
    for element in ds:
        key = int(element["key"])
        row = rows[key]
        assert element["val"]["u"].numpy() == str(row["u"]).encode()
        assert element["val"]["people"]["age"].numpy().tolist() == [key, -1]
        assert element["val"]["uuids"].numpy().tolist() == [str(u).encode() for u in row["uuids"]]
        seen += 1
    assert seen == len(rows)


def test_field_selection_reads_only_the_named_fields(client: Client, typed_cache) -> None:
    name, rows = typed_cache
    (batch,) = list(client.scan(name, batch_size=100, fields=["d", "people.age", "e"]))
    assert sorted(batch) == ["key", "val.d", "val.e.name", "val.e.ordinal", "val.people.age"]
    for i, key in enumerate(batch["key"]):
        assert batch["val.d"][i] == float(rows[int(key)]["d"])


def test_unknown_selected_field_lists_the_fields(client: Client, typed_cache) -> None:
    name, _ = typed_cache
    with pytest.raises(IgniteSchemaError, match="no field 'nope'.*people.age"):
        list(client.scan(name, fields=["nope"]))


def test_dataset_field_selection(ignite_node, typed_cache) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    name, rows = typed_cache
    ds = IgniteDataset(name, host=ignite_node.host, port=ignite_node.port, fields=["ts"])
    assert ds.element_spec == {
        "key": tf.TensorSpec([], tf.int64),
        "val": {"ts": tf.TensorSpec([], tf.int64)},
    }
    got = {int(e["key"]): int(e["val"]["ts"]) for e in ds}
    assert got == {k: int(r["ts"].astype("int64")) for k, r in rows.items()}


@pytest.fixture
def mixed_cache(client: Client, cache_name: str, unique) -> str:
    # Each value holds an Object[] of a string and a long (a tuple writes an Object[] whose
    # elements keep their types): legal in Ignite, written so by any client, but no column type.
    t = unique("Mixed")
    client.create_cache(cache_name)
    client.put_all(
        cache_name, [(k, BinaryObject(t, {"a": k * 10, "mixed": ("s", k)})) for k in range(5)]
    )
    return cache_name


def test_fields_left_out_are_never_typed(client: Client, mixed_cache: str) -> None:
    batches = list(client.scan(mixed_cache, fields=["a"]))
    assert sorted(batches[0]) == ["key", "val.a"]
    keys = np.concatenate([b["key"] for b in batches])
    values = np.concatenate([b["val.a"] for b in batches])
    assert sorted(zip(keys.tolist(), values.tolist())) == [(k, k * 10) for k in range(5)]
    # Read with it, the mixed array is a schema error naming the field and the remedy.
    with pytest.raises(IgniteSchemaError) as caught:
        list(client.scan(mixed_cache))
    message = str(caught.value)
    assert "val.mixed mixes string (9) and long (4) elements" in message
    assert 'pass fields=<the fields to read, without "mixed">' in message


def test_dataset_fields_left_out_are_never_typed(ignite_node, mixed_cache: str) -> None:
    pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    ds = IgniteDataset(mixed_cache, host=ignite_node.host, port=ignite_node.port, fields=["a"])
    got = sorted((int(e["key"]), int(e["val"]["a"])) for e in ds)
    assert got == [(k, k * 10) for k in range(5)]


def test_masks_say_which_rows_had_the_value(client: Client, cache_name: str, unique) -> None:
    t = unique("Masked")
    client.create_cache(cache_name)
    client.put_all(
        cache_name,
        [
            (1, BinaryObject(t, {"a": 5, "s": "x", "xs": [1, 2]})),
            (2, BinaryObject(t, {"a": None, "s": "y", "xs": None})),
            (3, BinaryObject(t, {"a": 7, "s": None, "xs": [3]})),
        ],
    )
    (batch,) = list(client.scan(cache_name, masks=True))
    order = np.argsort(batch["key"])
    assert batch["val.a"][order].tolist() == [5, 0, 7]
    assert batch["val.a#valid"][order].tolist() == [True, False, True]
    assert batch["val.s#valid"][order].tolist() == [True, True, False]
    assert batch["val.xs#valid"][order].tolist() == [True, False, True]
    assert batch["key#valid"].all()
    assert "val.a#valid" not in next(iter(client.scan(cache_name)))


def test_sql_masks_and_dataset_masks(ignite_node, client: Client, table_name: str) -> None:
    client.sql(f"CREATE TABLE {table_name} (ID LONG PRIMARY KEY, V INT, S VARCHAR)")
    client.sql(f"INSERT INTO {table_name} VALUES (1, 10, 'a'), (2, NULL, 'b'), (3, 30, NULL)")
    (batch,) = list(
        client.sql_batches(f"SELECT ID, V, S FROM {table_name} ORDER BY ID", masks=True)
    )
    assert batch["V"].tolist() == [10, 0, 30]
    assert batch["V#valid"].tolist() == [True, False, True]
    # In the SELECT's order, each column's mask right after it (as a DataFrame shows them).
    assert list(batch) == ["ID", "ID#valid", "V", "V#valid", "S", "S#valid"]
    assert batch["S#valid"].tolist() == [True, True, False]

    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    ds = IgniteDataset(
        f"SQL_PUBLIC_{table_name}", host=ignite_node.host, port=ignite_node.port, masks=True
    )
    assert ds.element_spec["mask"]["val"]["V"] == tf.TensorSpec([], tf.bool)
    got = {int(e["key"]): (int(e["val"]["V"]), bool(e["mask"]["val"]["V"])) for e in ds}
    assert got == {1: (10, True), 2: (0, False), 3: (30, True)}
