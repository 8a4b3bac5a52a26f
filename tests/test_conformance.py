"""Conformance with Java: Apache Ignite's own Java thin client writes objects holding every type
(edge values, non-ASCII text, nulls, nesting 5 deep, a field a later version adds) and a SQL table
of every column type with a row of NULLs, and prints what it wrote as JSON; ignite_tf must read
exactly that."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import run_java_writer, unique_name

from ignite_tf import Client, IgniteUnsupportedTypeError, RaggedColumn

JAVA_SOURCE = Path(__file__).resolve().parent / "java" / "ConformanceWriter.java"


@pytest.fixture(scope="module")
def written(ignite_node, tmp_path_factory):
    cache, table = unique_name("CONFORMANCE"), unique_name("CONF_SQL")
    expected = run_java_writer(
        JAVA_SOURCE, tmp_path_factory.mktemp("conformance"), ignite_node, cache, table
    )
    yield cache, f"SQL_PUBLIC_{table}", table, expected
    with Client(ignite_node.host, ignite_node.port) as c:
        c.destroy_cache(cache)
        c.sql(f"DROP TABLE IF EXISTS {table}")


def _rows(batches):
    """Per-row dicts of one batch list, ordered by key (or ID)."""
    merged: dict = {}
    for batch in batches:
        for path, column in batch.items():
            merged.setdefault(path, []).extend(list(column))
    return merged


def _check(path, got, want):
    if isinstance(want, list):
        got = [g.decode() if isinstance(g, bytes) else g for g in np.asarray(got).tolist()]
        want = ["" if w is None else w for w in want]
        assert got == want, path
    elif isinstance(want, str) and isinstance(got, (bytes, np.bytes_)):
        assert got.decode() == want, path
    else:
        assert got == want, (path, got, want)


def test_objects_written_by_java_read_back_exactly(ignite_node, written):
    cache, _, _, expected = written
    with Client(ignite_node.host, ignite_node.port) as c:
        rows = _rows(c.scan(cache, masks=True))
    order = np.argsort(rows["key"])
    for j, want in enumerate(expected["objects"]):
        i = int(order[j])
        assert rows["key"][i] == want["key"]

        def got(path, i=i):
            value = rows[f"val.{path}"][i]
            return value

        for name in ("b", "s", "n", "c", "dt", "tm"):
            assert got(name) == want[name], name
        assert got("l") == int(want["l"])
        assert np.float32(got("f")) == np.float32(want["f"])
        assert got("d") == float(want["d"])
        assert bool(got("z")) == want["z"]
        assert got("str").decode() == (want["str"] or "")
        assert bool(rows["val.str#valid"][i]) == (want["str"] is not None)
        assert got("u").decode() == want["u"]
        assert got("ts") == int(want["ts"])
        assert got("dec") == float(want["dec"])
        assert got("e.name").decode() == want["e"]["name"]
        assert got("e.ordinal") == want["e"]["ordinal"]
        for name in ("ba", "ia", "da", "sa", "ua", "coll"):
            assert isinstance(rows[f"val.{name}"], list)
            _check(name, got(name), want[name])
        _check("map.keys", got("map.keys"), want["map"]["keys"])
        _check("map.values", got("map.values"), want["map"]["values"])
        _check("items.name", got("items.name"), want["items"]["name"])
        _check("items.qty", got("items.qty"), want["items"]["qty"])
        # Lists of lists: a row of each is a RaggedColumn of its inner lists.
        for name, wanted in (
            ("items.scores", want["items"]["scores"]),
            ("items.tags", want["items"]["tags"]),
            ("grid", want["grid"]),
            ("mats", want["mats"]),
        ):
            row = got(name)
            assert isinstance(row, RaggedColumn) and len(row) == len(wanted), name
            for k, inner in enumerate(wanted):
                _check(f"{name}[{k}]", row[k], inner)
        assert got("nested.next.next.next.next.v") == want["nested_v"]
        assert got("extra").decode() == (want["extra"] or "")
        assert bool(rows["val.extra#valid"][i]) == (want["extra"] is not None)


SQL_COLUMNS = (
    "BO",
    "TI",
    "SI",
    "I",
    "BI",
    "DE",
    "DO",
    "RE",
    "TM",
    "DA",
    "TS",
    "VC",
    "CH",
    "UU",
    "BY",
)


def _check_sql_row(values, valid, want):
    for name in SQL_COLUMNS:
        present = name in want
        assert bool(valid[name]) == present, name
        value = values[name]
        if not present:
            if isinstance(value, np.ndarray):
                assert value.size == 0, name
            else:
                assert value in (0, b"", False), (name, value)
            continue
        expected = want[name]
        if name == "DE":
            assert value == float(expected)
        elif name == "TS":
            assert value == int(expected)
        elif name == "BY":
            assert list(value) == expected
        elif isinstance(expected, str):
            assert value.decode() == expected, name
        else:
            assert value == expected, name


def test_sql_table_written_by_java_scans_exactly(ignite_node, written):
    _, sql_cache, _, expected = written
    with Client(ignite_node.host, ignite_node.port) as c:
        rows = _rows(c.scan(sql_cache, masks=True))
    for j, key in enumerate(rows["key"]):
        want = next(r for r in expected["sql"] if r["ID"] == key)
        values = {name: rows[f"val.{name}"][j] for name in SQL_COLUMNS}
        valid = {name: rows[f"val.{name}#valid"][j] for name in SQL_COLUMNS}
        _check_sql_row(values, valid, want)
    assert sorted(rows["key"]) == [1, 2]


def test_sql_query_of_the_java_table_reads_exactly(ignite_node, written):
    _, _, table, expected = written
    with Client(ignite_node.host, ignite_node.port) as c:
        (batch,) = list(c.sql_batches(f"SELECT * FROM {table} ORDER BY ID", masks=True))
    assert batch["ID"].tolist() == [1, 2]
    for j, want in enumerate(expected["sql"]):
        values = {name: batch[name][j] for name in SQL_COLUMNS}
        valid = {name: batch[f"{name}#valid"][j] for name in SQL_COLUMNS}
        _check_sql_row(values, valid, want)
    assert isinstance(batch["BY"], RaggedColumn)


def test_java_objects_through_tf_data(ignite_node, written):
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    cache, _, _, expected = written
    ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port)
    got = {int(e["key"]): e["val"] for e in ds}
    for want in expected["objects"]:
        val = got[want["key"]]
        assert val["u"].numpy().decode() == want["u"]
        assert int(val["ts"]) == int(want["ts"])
        assert val["items"]["qty"].numpy().tolist() == want["items"]["qty"]
        assert val["items"]["scores"].to_list() == want["items"]["scores"]
        assert val["mats"].to_list() == want["mats"]
        grid = [[w.decode() for w in inner] for inner in val["grid"].to_list()]
        assert grid == want["grid"]
        assert int(val["nested"]["next"]["next"]["next"]["next"]["v"]) == want["nested_v"]
    assert ds.element_spec["val"]["e"]["name"] == tf.TensorSpec([], tf.string)
    assert ds.element_spec["val"]["mats"] == tf.RaggedTensorSpec([None, None], tf.int32, 1)


LAYOUT_SOURCE = Path(__file__).resolve().parent / "java" / "LayoutWriter.java"


def _field_type_codes(obj: bytes) -> list[int]:
    """The type code at each field offset of a full-footer binary object (header 24 bytes:
    code, version, flags, type id, hash, length, schema id, schema offset)."""
    (flags,) = struct.unpack_from("<h", obj, 2)
    (length,) = struct.unpack_from("<i", obj, 12)
    (schema_offset,) = struct.unpack_from("<i", obj, 20)
    assert flags & 0x20 == 0, "not a full footer"
    size = 1 if flags & 0x08 else 2 if flags & 0x10 else 4
    entry = 4 + size
    codes = []
    for at in range(schema_offset, length, entry):
        (offset,) = struct.unpack_from({1: "<B", 2: "<H", 4: "<i"}[size], obj, at + 4)
        codes.append(obj[offset])
    return codes


def test_full_footers_handles_and_an_unsupported_type_written_by_java(ignite_node, relay, tmp_path):
    """Java with compactFooter=false writes field ids in each object's footer, and an object
    referenced twice in one value as a handle: ignite_tf locates fields through that footer and
    follows the handles (here in a field and inside an Object[])."""
    cache, unsupported = unique_name("LAYOUT"), unique_name("UNSUPPORTED")
    expected = run_java_writer(LAYOUT_SOURCE, tmp_path, ignite_node, cache, unsupported)["rows"]
    try:
        pages = []
        r = relay(on_reply=lambda op, frame: pages.append(frame) if op == 2000 else None)
        with Client(r.host, r.port) as c:
            batches = list(c.scan(cache, page_size=1024))
        # The bytes really are what this test is about: the first row's value is a wrapped
        # object (27) whose footer is full, with a handle (102) among its fields.
        page = pages[-1]
        value_at = page.index(b"\x67\x01") - 5  # the first object, inside its 27 wrapper
        assert page[value_at] == 27, page[:120].hex()
        (payload_length,) = struct.unpack_from("<i", page, value_at + 1)
        obj = page[value_at + 5 : value_at + 5 + payload_length]
        assert obj[0] == 103
        codes = _field_type_codes(obj)
        assert sorted(codes) == sorted([3, 103, 102, 23]), codes  # id, a, b (handle), both
        # And the values.
        rows = {}
        for b in batches:
            for i, key in enumerate(b["key"].tolist()):
                rows[key] = (
                    b["val.id"][i],
                    (b["val.a.x"][i], b["val.a.y"][i]),
                    (b["val.b.x"][i], b["val.b.y"][i]),
                    b["val.both.x"][i].tolist(),
                    b["val.both.y"][i].tolist(),
                )
        assert len(rows) == len(expected) == 20
        for want in expected:
            k, x, y = want["key"], want["x"], want["y"]
            assert rows[k] == (k, (x, y), (x, y), [x, x], [y, y])
        # A type ignite_tf does not read is an error naming the field path and the type code.
        with Client(ignite_node.host, ignite_node.port) as c:
            with pytest.raises(
                IgniteUnsupportedTypeError, match=r"val\.kind has type class \(32\)"
            ):
                list(c.scan(unsupported))
            assert c.size(unsupported) == 1  # the connection goes on
    finally:
        with Client(ignite_node.host, ignite_node.port) as c:
            c.destroy_cache(cache)
            c.destroy_cache(unsupported)
