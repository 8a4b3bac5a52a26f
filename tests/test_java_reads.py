"""Conformance the other way round: what ignite_tf writes, Apache Ignite's own Java thin client
reads (tests/java/ConformanceReader.java, keep-binary field access and SqlFieldsQuery) and prints
with each value's exact Java type; it must be exactly what was written. The round-trip tests
check our encoder only with our decoder; here a second implementation decides.

Covered: values written by put/put_all (every Python and NumPy kind the API takes: timestamps
with their nanoseconds, decimals with their scale, UUIDs, dates, times, maps, collections,
Object[], enums, typed arrays, nested objects, object keys), objects put into a SQL table and
read with SQL, and the columnar writer (Client.write, Client.write_table): every dtype, every
datetime64 unit, arrays fixed and ragged, nulls, dotted names as nested objects, tables created
from the data, a DATE column and a composite primary key looked up from Java.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import struct
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import run_java_writer, unique_name

from ignite_tf import BinaryEnum, BinaryObject, RaggedColumn

pytestmark = pytest.mark.usefixtures("hang_guard")

JAVA_SOURCE = Path(__file__).resolve().parent / "java" / "ConformanceReader.java"


def _java_arg(text: str) -> str:
    """ASCII, other characters as \\uXXXX escapes of their UTF-16 units (ConformanceReader
    decodes them; the JVM's argument encoding need not be UTF-8)."""
    out = []
    for c in text:
        if ord(c) < 128:
            out.append(c)
        else:
            units = c.encode("utf-16-be")
            out += [f"\\u{units[k]:02x}{units[k + 1]:02x}" for k in range(0, len(units), 2)]
    return "".join(out)


def read_with_java(node: Any, classes: Path, *commands: str) -> list[Any]:
    """Runs ConformanceReader's commands (``"scan", CACHE``, ``"sql", QUERY``, ``"get", CACHE,
    KEY``) in one JVM; the answer of each, in order."""
    args = [_java_arg(c) for c in commands]
    return run_java_writer(JAVA_SOURCE, classes, node, *args)["results"]


# What Java prints for a value ignite_tf wrote ------------------------------------------------


def _int(java_type: str, v: Any) -> dict:
    return {"t": java_type, "v": str(int(v))}


def _float_bits(v: Any) -> dict:
    return {"t": "Float", "bits": struct.pack(">f", v).hex()}


def _double_bits(v: Any) -> dict:
    return {"t": "Double", "bits": struct.pack(">d", v).hex()}


def _timestamp(v: np.datetime64) -> dict:
    """java.sql.Timestamp of a datetime64 of any unit: getTime() (ms, floored) and getNanos()
    (the nanoseconds within the second), computed with Python ints (no int64 wrap)."""
    unit, count = np.datetime_data(v.dtype)
    unit_ns = {"D": 86_400 * 10**9, "h": 3600 * 10**9, "m": 60 * 10**9, "s": 10**9}.get(
        unit, {"ms": 10**6, "us": 10**3, "ns": 1}.get(unit)
    )
    ns = int(v.astype(np.int64)) * unit_ns * count
    return {"t": "Timestamp", "ms": ns // 10**6, "nanos": ns % 10**9}


def _date_ms(v: dt.datetime) -> int:
    if v.tzinfo is None:
        v = v.replace(tzinfo=dt.timezone.utc)
    return (v - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(milliseconds=1)


def _decimal(v: decimal.Decimal) -> dict:
    sign, digits, exponent = v.as_tuple()
    unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    out = {"t": "BigDecimal", "unscaled": str(unscaled), "scale": -exponent}
    if unscaled != 0 or not sign:  # Java has no -0; otherwise both print the same text
        out["text"] = str(v)
    return out


_ARRAY_TYPES = {
    np.dtype(np.int8): ("byte[]", "Byte"),
    np.dtype(np.uint8): ("byte[]", "Byte"),
    np.dtype(np.int16): ("short[]", "Short"),
    np.dtype(np.uint16): ("char[]", "Character"),
    np.dtype(np.int32): ("int[]", "Integer"),
    np.dtype(np.int64): ("long[]", "Long"),
    np.dtype(np.float32): ("float[]", "Float"),
    np.dtype(np.float64): ("double[]", "Double"),
    np.dtype(np.bool_): ("boolean[]", "Boolean"),
}


def _scalar(java_type: str, v: Any) -> dict:
    if java_type == "Float":
        return _float_bits(v)
    if java_type == "Double":
        return _double_bits(v)
    if java_type == "Boolean":
        return {"t": "Boolean", "v": bool(v)}
    if java_type == "Character":
        return {"t": "Character", "v": int(v)}
    if java_type == "Byte":
        return _int("Byte", np.int64(v).astype(np.uint8).astype(np.int8))  # Java bytes: signed
    return _int(java_type, v)


def java_view(v: Any) -> Any:
    """What ConformanceReader prints for a value written by ignite_tf's put, following the
    documented mapping (README, "Writing values")."""
    if v is None:
        return None
    if isinstance(v, BinaryObject):
        return {
            "t": "object",
            "type": v.type_name,
            "fields": {name: java_view(x) for name, x in v.fields.items()},
        }
    if isinstance(v, BinaryEnum):
        return {"t": "enum", "type": v.type_name, "ordinal": v.ordinal, "name": v.name}
    if isinstance(v, (bool, np.bool_)):
        return {"t": "Boolean", "v": bool(v)}
    if isinstance(v, int):
        return _int("Long", v)
    if isinstance(v, np.integer):
        java_type = {1: "Byte", 2: "Short", 4: "Integer", 8: "Long"}[v.dtype.itemsize]
        if v.dtype == np.uint16:
            java_type = "Character"
        return _scalar(java_type, v)
    if isinstance(v, np.float32):
        return _float_bits(v)
    if isinstance(v, float):
        return _double_bits(v)
    if isinstance(v, str):
        return {"t": "String", "v": v}
    if isinstance(v, bytes):
        return {"t": "byte[]", "v": [_scalar("Byte", b) for b in v]}
    if isinstance(v, dt.datetime):
        return {"t": "Date", "ms": _date_ms(v)}
    if isinstance(v, dt.time):
        ms = ((v.hour * 60 + v.minute) * 60 + v.second) * 1000 + v.microsecond // 1000
        return {"t": "Time", "ms": ms}
    if isinstance(v, uuid.UUID):
        return {"t": "UUID", "v": str(v)}
    if isinstance(v, decimal.Decimal):
        return _decimal(v)
    if isinstance(v, np.datetime64):
        return _timestamp(v)
    if isinstance(v, dict):
        return {"t": "HashMap", "v": [[java_view(k), java_view(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        return {"t": "HashSet", "v": [java_view(x) for x in v]}
    if isinstance(v, list) and all(x is None or isinstance(x, str) for x in v):
        return {"t": "String[]", "v": [java_view(x) for x in v]}
    if isinstance(v, list):
        return {"t": "ArrayList", "v": [java_view(x) for x in v]}
    if isinstance(v, tuple):
        return {"t": "Object[]", "v": [java_view(x) for x in v]}
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "UO":
            return {"t": "String[]", "v": [java_view(x) for x in v.tolist()]}
        array_type, element = _ARRAY_TYPES[v.dtype]
        return {"t": array_type, "v": [_scalar(element, x) for x in v.tolist()]}
    raise TypeError(f"no Java view for {v!r}")


def canonical(x: Any) -> Any:
    """A Java description without the metadata, HashMap and HashSet contents in one order (their
    iteration order is the hash table's, not the writer's)."""
    if isinstance(x, list):
        return [canonical(i) for i in x]
    if not isinstance(x, dict):
        return x
    out = {k: canonical(v) for k, v in x.items() if not (k == "meta" and x.get("t") == "object")}
    if out.get("t") in ("HashMap", "HashSet"):
        out["v"] = sorted(out["v"], key=lambda item: json.dumps(item, sort_keys=True))
    return out


def by_key(scan: dict) -> dict[str, Any]:
    """A scan's entries keyed by the canonical JSON of their key."""
    return {json.dumps(canonical(e["key"]), sort_keys=True): e["val"] for e in scan["entries"]}


def key_of(key: Any) -> str:
    return json.dumps(canonical(java_view(key)), sort_keys=True)


def assert_same(got: Any, want: Any, where: str = "") -> None:
    """Equality with the path of the first difference in the message."""
    got, want = canonical(got), canonical(want)
    if isinstance(got, dict) and isinstance(want, dict) and got.keys() == want.keys():
        for k in want:
            assert_same(got[k], want[k], f"{where}.{k}")
        return
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{where}[{i}]")
        return
    assert got == want, f"at {where or 'the top'}: Java read {got!r}, ignite_tf wrote {want!r}"


# The Java type names of field types in the cluster's binary metadata, by the Java class the
# field's bytes decode to: what ignite_tf registered for a field must name the type it wrote.
META_NAMES = {
    "Byte": "byte",
    "Short": "short",
    "Integer": "int",
    "Long": "long",
    "Float": "float",
    "Double": "double",
    "Character": "char",
    "Boolean": "boolean",
    "String": "String",
    "UUID": "UUID",
    "Date": "Date",
    "Timestamp": "Timestamp",
    "Time": "Time",
    "BigDecimal": "decimal",
    "byte[]": "byte[]",
    "short[]": "short[]",
    "int[]": "int[]",
    "long[]": "long[]",
    "float[]": "float[]",
    "double[]": "double[]",
    "char[]": "char[]",
    "boolean[]": "boolean[]",
    "String[]": "String[]",
    "Object[]": "Object[]",
    "ArrayList": "Collection",
    "HashSet": "Collection",
    "HashMap": "Map",
    "object": "Object",
}


def assert_meta_names_the_types(obj: dict, where: str) -> None:
    for name, value in obj["fields"].items():
        if value is None or value["t"] == "enum":
            continue
        assert obj["meta"][name] == META_NAMES[value["t"]], (where, name, obj["meta"][name])
        if value["t"] == "object":
            assert_meta_names_the_types(value, f"{where}.{name}")


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    return tmp_path


# Values written by put / put_all ---------------------------------------------------------------

U1 = uuid.UUID("12345678-1234-5678-9abc-def012345678")

DECIMALS = [
    decimal.Decimal("-12.3400"),
    decimal.Decimal("1E+3"),
    decimal.Decimal("0.00"),
    decimal.Decimal("1E-7"),
    decimal.Decimal("-98765432109876543210.0123456789"),
    decimal.Decimal("127"),
    decimal.Decimal("128"),  # the magnitude's top bit set: Java's sign bit needs a zero byte
    decimal.Decimal("-128"),
    decimal.Decimal("255"),
    decimal.Decimal("-32768"),
    decimal.Decimal(2**63),
    decimal.Decimal(-(2**64) + 1),
    decimal.Decimal("123456789012345678901234567890.000001"),
    decimal.Decimal("-0.5"),
]


def every_kind(type_name: str) -> BinaryObject:
    inner = BinaryObject(
        f"{type_name}Inner",
        {
            "x": np.int32(-7),
            "deeper": BinaryObject(
                f"{type_name}Deeper",
                {"ts": np.datetime64("2001-02-03T04:05:06.000000007", "ns"), "s": "ü"},
            ),
        },
    )
    return BinaryObject(
        type_name,
        {
            "l": 2**62 + 1,
            "l_min": -(2**63),
            "d": 0.1,
            "d_negzero": -0.0,
            "d_inf": float("-inf"),
            "z": True,
            "s": "h\u00e9llo \u4e16\u754c \U0001d11e \U0001f600",
            "s_empty": "",
            "s_nul": "a\x00b",
            "b": np.int8(-128),
            "ub": np.uint8(255),
            "sh": np.int16(-32768),
            "c": np.uint16(0xFFFF),
            "i": np.int32(-(2**31)),
            "i64": np.int64(2**63 - 1),
            "f": np.float32(1.1),
            "f_max": np.float32(np.finfo(np.float32).max),
            "nz": np.bool_(False),
            "raw": b"\x00\xff\x80\x7f",
            "u": U1,
            "u_max": uuid.UUID(int=2**128 - 1),
            "ts": np.datetime64("2024-01-02T03:04:05.123456789", "ns"),
            "ts_pre_epoch": np.datetime64("1969-12-31T23:59:59.999999999", "ns"),
            "ts_us": np.datetime64("2024-02-29T12:00:00.000001", "us"),
            "ts_first": np.datetime64("0001-01-01T00:00:00", "us"),
            "ts_last": np.datetime64("9999-12-31T23:59:59.999999", "us"),
            "date": dt.datetime(2021, 3, 4, 5, 6, 7, 891234),
            "date_tz": dt.datetime(2021, 3, 4, 12, tzinfo=dt.timezone(dt.timedelta(hours=5.5))),
            "date_pre_epoch": dt.datetime(1969, 12, 31, 23, 59, 59, 999500),
            "time": dt.time(23, 59, 59, 999999),
            "time_midnight": dt.time(0, 0),
            "dec": decimal.Decimal("-12.3400"),
            "decs": list(DECIMALS),
            "e": BinaryEnum(f"{type_name}Color", 2, "BLUE"),
            "map": {"a": 1.5, "b": [1, 2], "c": None, "\u00e4": "x"},
            "int_map": {1: U1, -2: decimal.Decimal("2.50")},
            "set": {1, 2, 3},
            "strs": ["x", None, "\u00fc\U0001d11e"],
            "no_strs": [],
            "list": [1, "two", 3.5, None, U1, np.datetime64("2020-01-01T00:00:00.5", "ns")],
            "tuple": (1, None, "mixed", (2, 3)),
            "bytes_a": np.array([0, 255, 128], np.uint8),
            "int8_a": np.array([-128, 127], np.int8),
            "shorts": np.array([-32768, 32767], np.int16),
            "chars": np.array([0, 0xD834, 0xFFFF], np.uint16),
            "ints": np.array([-(2**31), 0, 2**31 - 1], np.int32),
            "longs": np.array([-(2**63), 2**63 - 1], np.int64),
            "floats": np.array([1.5, -0.0, np.inf], np.float32),
            "doubles": np.array([np.pi, -1e-300, np.nan]),
            "bools": np.array([True, False, True]),
            "np_strs": np.array(["a", "\u00e9\U0001f600"]),
            "empty_ints": np.array([], np.int32),
            "inner": inner,
            "people": [
                BinaryObject(f"{type_name}Person", {"name": "p", "age": np.int32(30)}),
                BinaryObject(f"{type_name}Person", {"name": "q", "age": np.int32(-1)}),
            ],
            "none": None,
        },
    )


def test_values_put_by_ignite_tf_read_by_java_exactly(client, ignite_node, classes, cache_name):
    cache = cache_name
    type_name = unique_name("EveryKind")
    key_type = unique_name("ObjKey")
    object_key = BinaryObject(key_type, {"region": np.int32(3), "name": "caf\u00e9"})
    entries = [
        (1, every_kind(type_name)),
        (-(2**63), np.datetime64("1677-09-21T00:12:43.145224193", "ns")),  # NaT + 1 ns
        ("text key \u4e16", decimal.Decimal("-0.000100")),
        (U1, {"nested": {"k": (1, 2)}, "when": dt.datetime(2000, 1, 1)}),
        (object_key, [np.float32(0.25), np.int8(-1), "s", None]),
        (2, BinaryObject(f"{type_name}Sparse", {"only": np.int16(5)})),
        (3, {U1, uuid.UUID(int=0)}),
        (4, (dt.time(1, 2, 3), b"", "")),
    ]
    client.create_cache(cache)
    client.put_all(cache, entries[:4])
    for key, value in entries[4:]:
        client.put(cache, key, value)
    scan, found = read_with_java(
        ignite_node,
        classes,
        "scan",
        cache,
        "get",
        cache,
        f"object:{key_type}|region=int:3|name=string:caf\u00e9",
    )

    got = by_key(scan)
    assert sorted(got) == sorted(key_of(k) for k, _ in entries)
    for key, value in entries:
        assert_same(got[key_of(key)], java_view(value), f"[key {key!r}]")
    # The registered field types name what the bytes hold (a Java writer of the same type would
    # otherwise meet a conflict), and the object key is found by a key Java builds itself: the
    # same bytes and the same hash code.
    assert_meta_names_the_types(got[key_of(1)], "val")
    assert found["found"], "Java's get() did not find the object key ignite_tf wrote"
    assert_same(found["val"], java_view(entries[4][1]), "get")


def test_objects_put_into_a_sql_table_read_by_java_sql(client, ignite_node, classes, table_name):
    table = table_name
    value_type = unique_name("SqlRow")
    client.sql(
        f"CREATE TABLE {table} (ID BIGINT PRIMARY KEY, TS TIMESTAMP, DE DECIMAL, U UUID, "
        "TM TIME, S VARCHAR, B BOOLEAN, TI TINYINT, SI SMALLINT, I INT, L BIGINT, DO DOUBLE, "
        f'R REAL, BY VARBINARY) WITH "VALUE_TYPE={value_type}"'
    )
    columns = ["TS", "DE", "U", "TM", "S", "B", "TI", "SI", "I", "L", "DO", "R", "BY"]
    rows = {
        1: {
            "TS": np.datetime64("2024-02-29T12:34:56.123456789", "ns"),
            "DE": decimal.Decimal("-1234.56789"),
            "U": U1,
            "TM": dt.time(23, 59, 58),
            "S": "v\u00e4rchar \U0001d11e",
            "B": True,
            "TI": np.int8(-7),
            "SI": np.int16(300),
            "I": np.int32(-70000),
            "L": 9_000_000_000,
            "DO": 2.5,
            "R": np.float32(0.1),
            "BY": b"\x01\x02\xff",
        },
        2: {name: None for name in columns},
        3: {
            "TS": np.datetime64("1969-07-20T20:17:40.000000001", "ns"),
            "DE": decimal.Decimal("1E+5"),
            "U": uuid.UUID(int=1),
            "TM": dt.time(0, 0, 0, 1000),
            "S": "",
            "B": False,
            "TI": np.int8(127),
            "SI": np.int16(-32768),
            "I": np.int32(2**31 - 1),
            "L": -(2**63),
            "DO": -0.0,
            "R": np.float32(-np.inf),
            "BY": b"",
        },
    }
    client.put_all(
        f"SQL_PUBLIC_{table}",
        {k: BinaryObject(value_type, fields) for k, fields in rows.items()},
    )
    (sql,) = read_with_java(
        ignite_node,
        classes,
        "sql",
        f"SELECT ID, {', '.join(columns)} FROM {table} ORDER BY ID",
    )
    assert sql["columns"] == ["ID", *columns]
    assert [r[0] for r in sql["rows"]] == [_int("Long", k) for k in rows]
    for got, (key, fields) in zip(sql["rows"], rows.items()):
        for name, value in zip(columns, got[1:]):
            if name == "TM" and value is not None:
                # A TIME is a time of day: SQL gives it back on 1970-01-01 in the JVMs' zone.
                value = {**value, "ms": value["ms"] % 86_400_000}
            assert_same(value, sql_reads(java_view(fields[name])), f"[ID {key}].{name}")


# The columnar writer ---------------------------------------------------------------------------


def _masked(values: np.ndarray, nulls: list[int]) -> np.ma.MaskedArray:
    mask = np.zeros(len(values), bool)
    mask[nulls] = True
    return np.ma.MaskedArray(values, mask=mask)


def columnar_data(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(11)

    def ints(dtype: Any) -> np.ndarray:
        info = np.iinfo(dtype)
        v = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
        v[:2] = [info.min, info.max]
        return v

    ns = np.datetime64("2020-01-01T00:00:00.123456789", "ns") + np.arange(n) * np.int64(
        86_399_999_999_997
    )
    ns[1] = np.datetime64("1969-12-31T23:59:59.999999999", "ns")
    ns[2] = np.datetime64("NaT")
    us = ns.astype("datetime64[us]")
    us[0] = np.datetime64("0001-01-01T00:00:00", "us")
    us[3] = np.datetime64("9999-12-31T23:59:59.999999", "us")
    offsets = np.concatenate([[0], np.cumsum(rng.integers(0, 4, n))]).astype(np.int64)
    f64 = rng.standard_normal(n)
    f64[:3] = [-0.0, np.inf, np.nan]
    f32 = rng.standard_normal(n).astype(np.float32)
    f32[:2] = [np.finfo(np.float32).tiny, -np.float32(np.inf)]
    return {
        "i8": ints(np.int8),
        "u8": ints(np.uint8),
        "i16": ints(np.int16),
        "u16": ints(np.uint16),
        "i32": _masked(ints(np.int32), [5]),
        "u32": ints(np.uint32),
        "i64": ints(np.int64),
        "u64": rng.integers(0, 2**63 - 1, n, dtype=np.uint64),
        "f32": f32,
        "f64": f64,
        "flag": _masked(rng.integers(0, 2, n).astype(bool), [4]),
        "text": [
            None if i == 3 else f"r{i} \u00fc\u20ac\U0001d11e\U0001f600" + "\x00" * (i % 2)
            for i in range(n)
        ],
        "blob": [
            None if i == 6 else bytes(rng.integers(0, 256, i % 5, dtype=np.uint8)) for i in range(n)
        ],
        "at_ns": ns,
        "at_us": us,
        "at_ms": ns.astype("datetime64[ms]"),
        "at_s": ns.astype("datetime64[s]"),
        "day": ns.astype("datetime64[D]"),
        "pixels": rng.integers(0, 256, (n, 2, 3)).astype(np.uint8),
        "vec": rng.standard_normal((n, 3)).astype(np.float32),
        "ids": RaggedColumn(rng.integers(-(2**31), 2**31, offsets[-1]).astype(np.int32), offsets),
        "weights": RaggedColumn(rng.standard_normal(offsets[-1]), offsets),
        "meta.source": [f"s{i % 3}" for i in range(n)],
        "meta.pos.x": np.arange(n, dtype=np.int16),
        "meta.pos.y": _masked(np.arange(n, dtype=np.float64) / 3, [0]),
    }


def _column_view(name: str, column: Any, i: int) -> Any:
    """What Java reads for row i of a column written by Client.write (the documented types)."""
    if isinstance(column, np.ma.MaskedArray):
        if column.mask[i]:
            return None
        column = column.data
    if isinstance(column, RaggedColumn):
        array_type, element = _ARRAY_TYPES[column.values.dtype]
        return {"t": array_type, "v": [_scalar(element, x) for x in column[i].tolist()]}
    if isinstance(column, list):
        return java_view(column[i])
    if column.dtype.kind == "M":
        return None if np.isnat(column[i]) else _timestamp(column[i])
    if column.ndim > 1:
        array_type, element = _ARRAY_TYPES[column.dtype]
        return {"t": array_type, "v": [_scalar(element, x) for x in column[i].ravel().tolist()]}
    java_type = {
        "int8": "Byte",
        "uint8": "Byte",
        "int16": "Short",
        "uint16": "Character",
        "int32": "Integer",
        "uint32": "Long",
        "int64": "Long",
        "uint64": "Long",
        "float32": "Float",
        "float64": "Double",
        "bool": "Boolean",
    }[column.dtype.name]
    return _scalar(java_type, column[i])


def test_columnar_writes_read_by_java_exactly(client, ignite_node, classes, cache_name):
    n = 40
    data = columnar_data(n)
    cache = cache_name
    type_name = unique_name("Columns")
    assert client.write(cache, data, type_name=type_name, progress=False) == n
    (scan,) = read_with_java(ignite_node, classes, "scan", cache)
    got = by_key(scan)
    assert sorted(got) == sorted(key_of(k) for k in range(n))
    for i in range(n):
        row = got[key_of(i)]
        where = f"[row {i}]"
        assert row["t"] == "object" and row["type"] == type_name, where
        meta = row["fields"]["meta"]
        assert meta["type"] == f"{type_name}.meta", where
        pos = meta["fields"]["pos"]
        assert pos["type"] == f"{type_name}.meta.pos", where
        flat = {name: row["fields"][name] for name in row["fields"] if name != "meta"}
        flat["meta.source"] = meta["fields"]["source"]
        for leaf in ("x", "y"):
            flat[f"meta.pos.{leaf}"] = pos["fields"][leaf]
        # Every column is a field, a null one too (present, null), and nothing else.
        assert sorted(flat) == sorted(data), where
        for name, column in data.items():
            assert_same(flat[name], _column_view(name, column, i), f"{where}.{name}")
        assert_meta_names_the_types(row, where)
        assert set(row["meta"]) == {name for name in data if "." not in name} | {"meta"}


def sql_reads(view: Any) -> Any:
    """A Java view as SQL returns it: H2 reads -0.0 as 0.0 (ValueDouble/ValueFloat.get), whoever
    wrote it; the scans check the sign bit."""
    zero = {"8000000000000000": "0000000000000000", "80000000": "00000000"}
    if isinstance(view, dict) and view.get("t") in ("Float", "Double"):
        return {**view, "bits": zero.get(view["bits"], view["bits"])}
    return view


def _sql_view(sql_type: str, value: Any) -> Any:
    """What SqlFieldsQuery returns for a value of a column of `sql_type`."""
    if value is None or (isinstance(value, np.datetime64) and np.isnat(value)):
        return None
    if sql_type == "TIMESTAMP":
        return _timestamp(value)
    if sql_type == "VARBINARY":
        return java_view(bytes(value))
    if sql_type == "VARCHAR":
        return java_view(value)
    java_type = {
        "TINYINT": "Byte",
        "SMALLINT": "Short",
        "INT": "Integer",
        "BIGINT": "Long",
        "REAL": "Float",
        "DOUBLE": "Double",
        "BOOLEAN": "Boolean",
    }[sql_type]
    return _scalar(java_type, value)


def _row_value(column: Any, i: int) -> Any:
    if isinstance(column, np.ma.MaskedArray):
        return None if column.mask[i] else column.data[i]
    return column[i]


def test_write_table_rows_read_by_java_sql_and_java_scan(client, ignite_node, classes, table_name):
    n = 30
    full = columnar_data(n)
    # A table from the data: each column's SQL type comes from its dtype (write_table's table).
    sql_types = {
        "i8": "TINYINT",
        "u8": "SMALLINT",
        "i16": "SMALLINT",
        "u16": "INT",
        "i32": "INT",
        "u32": "BIGINT",
        "i64": "BIGINT",
        "f32": "REAL",
        "f64": "DOUBLE",
        "flag": "BOOLEAN",
        "text": "VARCHAR",
        "blob": "VARBINARY",
        "at_ns": "TIMESTAMP",
        "at_us": "TIMESTAMP",
    }
    data = {"ID": np.arange(n, dtype=np.int64) * 7 - 100}
    data.update({name.upper(): full[name] for name in sql_types})
    table = table_name
    columns = list(sql_types)
    upper = [c.upper() for c in columns]
    assert client.write_table(table, data, primary_key="ID", create=True, progress=False) == n
    sql, scan = read_with_java(
        ignite_node,
        classes,
        "sql",
        f"SELECT ID, {', '.join(upper)} FROM {table} ORDER BY ID",
        "scan",
        f"SQL_PUBLIC_{table}",
    )
    assert sql["columns"] == ["ID", *upper]
    assert len(sql["rows"]) == n
    for i, got in enumerate(sql["rows"]):
        assert got[0] == _int("Long", data["ID"][i])
        for name, col, value in zip(columns, upper, got[1:]):
            want = sql_reads(_sql_view(sql_types[name], _row_value(data[col], i)))
            assert_same(value, want, f"[ID {data['ID'][i]}].{col}")
    # The cache under the table holds the same values, keyed by the ID (a Long), without it.
    entries = by_key(scan)
    assert sorted(entries) == sorted(key_of(int(k)) for k in data["ID"])
    for i, k in enumerate(data["ID"]):
        row = entries[key_of(int(k))]
        assert set(row["fields"]) <= set(upper), row["fields"].keys()
        for name, col in zip(columns, upper):
            want = _sql_view(sql_types[name], _row_value(data[col], i))
            assert_same(row["fields"].get(col), want, f"[_key {k}].{col}")


def test_write_table_into_date_and_typed_columns_read_by_java_sql(
    client, ignite_node, classes, table_name
):
    table = table_name
    client.sql(
        f"CREATE TABLE {table} (ID INT PRIMARY KEY, D DATE, TS TIMESTAMP, TI TINYINT, "
        "SI SMALLINT, R REAL, V DOUBLE)"
    )
    days = np.array(["2021-03-04", "1969-12-31", "2000-02-29", "NaT"], "datetime64[D]")
    at = np.array(
        ["2021-03-04T05:06:07.000000891", "1960-01-01T00:00:00.5", "NaT", "2000-01-01"],
        "datetime64[ns]",
    )
    data = {
        "id": np.arange(4, dtype=np.int64),  # int64 into INT: converted to the table's types
        "d": days,
        "ts": at,
        "ti": np.array([-128, 0, 127, 5]),
        "si": np.array([-32768, 1, 32767, 200]),
        "r": np.array([1, -2, 3, 2**24 + 1]),  # int64 into REAL: rounded as Java's (float)
        "v": np.array([0.5, -1.25, 0.1, np.inf], np.float32),  # float32 into DOUBLE: widened
    }
    client.write_table(table, data, progress=False)
    (sql,) = read_with_java(
        ignite_node,
        classes,
        "sql",
        f"SELECT ID, D, TS, TI, SI, R, V, CAST(D AS VARCHAR) FROM {table} ORDER BY ID",
    )
    assert "error" not in sql, f"SQL cannot read what write_table wrote: {sql['error']}"
    for i, got in enumerate(sql["rows"]):
        where = f"[ID {i}]"
        assert got[0] == _int("Integer", i), where
        if np.isnat(days[i]):
            assert got[1] is None and got[7] is None, where
        else:
            # SQL reads the written instant (midnight UTC) as the day it falls on in the JVMs'
            # zone, as it does a java.util.Date a Java program puts: that day, in UTC.
            ms = int(days[i].astype("datetime64[ms]").astype(np.int64))
            day = dt.datetime.fromtimestamp(ms / 1000).date()
            midnight = int(dt.datetime.combine(day, dt.time()).timestamp()) * 1000
            assert got[1] == {"t": "java.sql.Date", "ms": midnight}, where
            assert got[7] == {"t": "String", "v": day.isoformat()}, where
        assert_same(got[2], None if np.isnat(at[i]) else _timestamp(at[i]), f"{where}.TS")
        assert_same(got[3], _int("Byte", data["ti"][i]), f"{where}.TI")
        assert_same(got[4], _int("Short", data["si"][i]), f"{where}.SI")
        assert_same(got[5], _float_bits(np.float32(data["r"][i])), f"{where}.R")
        assert_same(got[6], _double_bits(float(data["v"][i])), f"{where}.V")


def test_composite_key_rows_found_by_java_get_and_sql(client, ignite_node, classes, table_name):
    table = table_name
    client.sql(f"CREATE TABLE {table} (X INT, Y VARCHAR, Z DOUBLE, PRIMARY KEY (X, Y))")
    key_type = next(
        iter(client.sql("SELECT KEY_TYPE_NAME FROM SYS.TABLES WHERE TABLE_NAME = ?", [table]))
    )[0]
    n = 50
    data = {
        "X": np.arange(n) % 7 - 3,
        "Y": [f"y{i} \u00e9\U0001d11e" for i in range(n)],
        "Z": np.arange(n) / 4,
    }
    cache = f"SQL_PUBLIC_{table}"
    lookups = [3, 10, 49]
    commands: list[str] = []
    for i in lookups:
        commands += [
            "get",
            cache,
            f"object:{key_type}|X=int:{data['X'][i]}|Y=string:{data['Y'][i]}",
        ]
    assert client.write_table(table, data, progress=False) == n
    *found, sql = read_with_java(
        ignite_node,
        classes,
        *commands,
        "sql",
        f"SELECT X, Y, Z FROM {table} WHERE X = {data['X'][10]} AND Y = '{data['Y'][10]}'",
    )
    # Java builds the key itself: found only if ignite_tf wrote the same bytes and hash code.
    for i, answer in zip(lookups, found):
        assert answer["found"], f"Java's get() did not find row {i}'s key"
        assert answer["val"]["fields"] == {"Z": _double_bits(data["Z"][i])}
    assert sql["rows"] == [
        [_int("Integer", data["X"][10]), java_view(data["Y"][10]), _double_bits(data["Z"][10])]
    ]
