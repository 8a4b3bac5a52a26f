"""Exact decimals (``decimals="string"``), timestamps beyond int64 nanoseconds
(``timestamp_unit=``) and raw data sections (``"$raw"`` columns): values written by Apache Ignite's
own Java thin client (tests/java/ExactTypesWriter.java, which prints what it wrote as JSON) and
through our put API, read with scans, SQL batches and tf.data on a real node."""

from __future__ import annotations

import decimal
from pathlib import Path

import numpy as np
import pytest
from conftest import run_java_writer, unique_name

from ignite_tf import BinaryObject, Client, IgniteValueError, RaggedColumn

# Type names unique to this run: a type left on a shared node by another run (with other
# field types) cannot decide a result.
TYPE_PUT_DECIMAL = unique_name("PutDecimal")
TYPE_NO_RAW = unique_name("NoRaw")


JAVA_SOURCE = Path(__file__).resolve().parent / "java" / "ExactTypesWriter.java"


@pytest.fixture(scope="module")
def written(ignite_node, tmp_path_factory):
    base, table = unique_name("EXACT"), unique_name("EXACT_SQL")
    expected = run_java_writer(
        JAVA_SOURCE, tmp_path_factory.mktemp("exact_types"), ignite_node, base, table
    )
    expected["table"] = table
    yield expected
    with Client(ignite_node.host, ignite_node.port) as c:
        for cache in ("exact_cache", "raw_cache", "packed_cache"):
            c.destroy_cache(expected[cache])
        c.sql(f"DROP TABLE IF EXISTS {table}")


def _merged(scan) -> dict:
    out: dict = {}
    for batch in scan:
        for path, column in batch.items():
            out.setdefault(path, []).extend(list(column))
    return out


def _by_key(rows: dict) -> dict:
    order = np.argsort(rows["key"])
    return {path: [values[i] for i in order] for path, values in rows.items()}


def _in_unit(ts: dict, unit: str) -> int:
    if unit == "ms":
        return ts["ms"]
    if unit == "us":
        return ts["ms"] * 1000 + ts["nanos"] // 1000
    return ts["ms"] * 1_000_000 + ts["nanos"]


# Decimals --------------------------------------------------------------------------------------


def test_java_decimals_read_as_exact_text_and_as_the_nearest_double(ignite_node, written) -> None:
    with Client(ignite_node.host, ignite_node.port) as c:
        text = _by_key(
            _merged(c.scan(written["exact_cache"], decimals="string", timestamp_unit="ms"))
        )
        floats = _by_key(_merged(c.scan(written["exact_cache"], timestamp_unit="ms")))
    assert len(text["key"]) == len(written["exact"])
    for i, want in enumerate(written["exact"]):
        assert text["key"][i] == want["key"]
        # BigDecimal.toString(), byte for byte: "-12.3400", "1E+3", "0E-10", ...
        assert text["val.dec"][i].decode() == want["dec"]["text"]
        assert floats["val.dec"][i] == float(want["dec"]["double"])  # BigDecimal.doubleValue()
        got = [b.decode() for b in text["val.decs"][i]]
        assert got == [want["decs"][0]["text"], "", want["decs"][2]["text"]]
        assert floats["val.decs"][i].tolist() == [
            float(want["decs"][0]["double"]),
            0.0,
            float(want["decs"][2]["double"]),
        ]
        # The text is what Python's decimal prints too, so it restores value and scale.
        assert str(decimal.Decimal(want["dec"]["text"])) == want["dec"]["text"]
    texts = {w["dec"]["text"] for w in written["exact"]}
    assert {"-12.3400", "1E+3", "0.00", "1E-7", "0E-10"} <= texts


def test_decimals_written_through_put_keep_value_and_scale(client: Client, cache_name: str) -> None:
    values = [
        decimal.Decimal("-12.3400"),
        decimal.Decimal("1E+3"),
        decimal.Decimal("0.00"),
        decimal.Decimal("1E-7"),
        decimal.Decimal("-98765432109876543210.0123456789"),
        decimal.Decimal("0.1"),
    ]
    client.create_cache(cache_name)
    client.put_all(
        cache_name, {i: BinaryObject(TYPE_PUT_DECIMAL, {"d": v}) for i, v in enumerate(values)}
    )
    assert client.get(cache_name, 1)["d"].as_tuple() == decimal.Decimal("1E+3").as_tuple()
    rows = _by_key(_merged(client.scan(cache_name, decimals="string")))
    assert [decimal.Decimal(b.decode()).as_tuple() for b in rows["val.d"]] == [
        v.as_tuple() for v in values
    ]
    assert [b.decode() for b in rows["val.d"]] == [str(v) for v in values]
    floats = _by_key(_merged(client.scan(cache_name)))
    assert floats["val.d"] == [float(v) for v in values]  # exactly rounded, as Python's float()


def test_sql_decimal_columns_as_text(ignite_node, written) -> None:
    with Client(ignite_node.host, ignite_node.port) as c:
        (batch,) = list(
            c.sql_batches(
                f"SELECT ID, DE, TS FROM {written['table']} ORDER BY ID",
                decimals="string",
                timestamp_unit="us",
            )
        )
    assert batch["ID"].tolist() == [1, 2]
    assert [b.decode() for b in batch["DE"]] == [r["DE"]["text"] for r in written["sql"]]
    assert batch["TS"].tolist() == [_in_unit(r["TS"], "us") for r in written["sql"]]


def test_datasets_give_decimals_as_tf_strings(ignite_node, written) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset, SqlDataset

    ds = IgniteDataset(
        written["exact_cache"],
        host=ignite_node.host,
        port=ignite_node.port,
        decimals="string",
        timestamp_unit="us",
    )
    assert ds.element_spec["val"]["dec"] == tf.TensorSpec([], tf.string)
    assert ds.element_spec["val"]["decs"] == tf.TensorSpec([None], tf.string)
    got = {int(e["key"]): e["val"] for e in ds}
    for want in written["exact"]:
        val = got[want["key"]]
        assert val["dec"].numpy().decode() == want["dec"]["text"]
        assert int(val["ts"]) == _in_unit(want["ts"], "us")
    sql = SqlDataset(
        f"SELECT DE FROM {written['table']} ORDER BY ID",
        host=ignite_node.host,
        port=ignite_node.port,
        decimals="string",
        batch_size=8,
        batched=True,
    )
    assert sql.element_spec["DE"].dtype == tf.string
    (batch,) = list(sql)
    assert [b.decode() for b in batch["DE"].numpy()] == [r["DE"]["text"] for r in written["sql"]]


# Timestamps ------------------------------------------------------------------------------------


def test_java_timestamps_outside_int64_nanoseconds(ignite_node, written) -> None:
    cache = written["exact_cache"]
    with Client(ignite_node.host, ignite_node.port) as c:
        with pytest.raises(IgniteValueError) as error:
            list(c.scan(cache, fields=["ts"]))
        for unit in ("us", "ms"):
            rows = _by_key(_merged(c.scan(cache, timestamp_unit=unit)))
            for i, want in enumerate(written["exact"]):
                assert rows["val.ts"][i] == _in_unit(want["ts"], unit), (unit, want["ts"])
                assert rows["val.tss"][i].tolist() == [_in_unit(t, unit) for t in want["tss"]]
    message = str(error.value)
    assert "val.ts" in message and "row " in message and "(key " in message
    assert 'timestamp_unit="us"' in message
    assert any(
        t in message for t in ("0001-01-01T00:00:00.000000000Z", "9999-12-31T23:59:59.999999999Z")
    ), message


def test_far_timestamps_through_put(client: Client, cache_name: str) -> None:
    first = np.datetime64("0001-01-01T00:00:00", "us")
    last = np.datetime64("9999-12-31T23:59:59.999999", "us")
    pre_epoch = np.datetime64("1969-12-31T23:59:59.999999999", "ns")
    client.create_cache(cache_name)
    client.put_all(cache_name, {1: first, 2: last, 3: pre_epoch})
    with pytest.raises(IgniteValueError, match=r"row \d \(key 1\): val: timestamp 0001-01-01T00"):
        list(client.scan(cache_name))
    rows = _by_key(_merged(client.scan(cache_name, timestamp_unit="us")))
    assert rows["val"] == [
        first.astype("int64"),
        last.astype("int64"),
        pre_epoch.astype("datetime64[us]").astype("int64"),
    ]
    rows = _by_key(_merged(client.scan(cache_name, timestamp_unit="ms")))
    assert rows["val"] == [
        first.astype("datetime64[ms]").astype("int64"),
        last.astype("datetime64[ms]").astype("int64"),
        -1,
    ]
    assert client.get(cache_name, 2) == last  # get() falls back to microseconds
    assert client.get(cache_name, 3) == pre_epoch


def test_unknown_representations_are_value_errors(client: Client, cache_name: str) -> None:
    with pytest.raises(IgniteValueError, match="decimals must be"):
        client.scan(cache_name, decimals="exact")
    with pytest.raises(IgniteValueError, match="timestamp_unit must be"):
        client.sql_batches("SELECT 1", timestamp_unit="s")


# Raw data sections -----------------------------------------------------------------------------


def test_binarylizable_raw_sections_read_as_bytes(ignite_node, written) -> None:
    with Client(ignite_node.host, ignite_node.port) as c:
        rows = _by_key(_merged(c.scan(written["raw_cache"], masks=True)))
        packed = _by_key(_merged(c.scan(written["packed_cache"])))
        scan = c.scan(written["raw_cache"])
        key_tree, val_tree = scan.schema
        scan.close()
    assert val_tree["$raw"] == ("string", False, "val.$raw")
    for i, want in enumerate(written["raw"]):
        assert rows["val.id"][i] == want["id"]  # named fields read as before
        assert rows["val.name"][i].decode() == want["name"]
        assert rows["val.$raw"][i] == bytes.fromhex(want["raw"])
        assert rows["val.$raw#valid"][i]
        assert int.from_bytes(rows["val.$raw"][i][:8], "little", signed=True) == -(2**63) + i
    # An object of nothing but raw data: one column.
    assert set(packed) == {"key", "val.$raw"}
    assert packed["val.$raw"] == [bytes.fromhex(w["raw"]) for w in written["packed"]]


def test_raw_sections_in_tf_data_and_field_selection(ignite_node, written) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    ds = IgniteDataset(written["raw_cache"], host=ignite_node.host, port=ignite_node.port)
    assert ds.element_spec["val"]["$raw"] == tf.TensorSpec([], tf.string)
    got = {int(e["key"]): e["val"]["$raw"].numpy() for e in ds}
    assert got == {w["key"]: bytes.fromhex(w["raw"]) for w in written["raw"]}
    # tf.io.decode_raw reads the leading long straight from the tensor.
    first = next(iter(ds.filter(lambda e: e["key"] == 1)))
    counter = tf.io.decode_raw(tf.strings.substr(first["val"]["$raw"], 0, 8), tf.int64)
    assert int(counter[0]) == -(2**63) + 1
    with Client(ignite_node.host, ignite_node.port) as c:
        only = _merged(c.scan(written["raw_cache"], fields=["$raw"]))
    assert set(only) == {"key", "val.$raw"}


def test_objects_without_raw_data_gain_no_column(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    client.put(cache_name, 1, BinaryObject(TYPE_NO_RAW, {"x": 1}))
    (batch,) = list(client.scan(cache_name))
    assert set(batch) == {"key", "val.x"}
    assert isinstance(batch["val.x"], np.ndarray) and not isinstance(batch["val.x"], RaggedColumn)


def test_a_given_schema_names_the_raw_section(ignite_node, written) -> None:
    with Client(ignite_node.host, ignite_node.port) as c:
        rows = _by_key(
            _merged(
                c.scan(
                    written["raw_cache"],
                    schema={"key": "long", "val": {"id": "int", "$raw": "byte[]"}},
                )
            )
        )
    assert set(rows) == {"key", "val.id", "val.$raw"}
    assert rows["val.$raw"] == [bytes.fromhex(w["raw"]) for w in written["raw"]]
