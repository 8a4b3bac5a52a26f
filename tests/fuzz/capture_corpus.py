"""Captures the fuzzers' seed corpus from a real Apache Ignite node.

Starts a node, writes rows of many types with ignite_tf.Client (binary objects with nested
objects, arrays, strings, UUIDs, timestamps, decimals, enums, collections, maps and nulls; SQL
tables), then speaks the thin-client protocol itself over a plain socket (handshake 1.7.0, no
features) and records the raw replies of OP_QUERY_SCAN (2000), OP_QUERY_SCAN_CURSOR_GET_PAGE
(2001) and OP_GET_BINARY_TYPE (3002):

  tests/fuzz/corpus/page_decoder_fuzzer/*   read options + a page (rowCount | rows | more)
  tests/fuzz/corpus/sql_reply_fuzzer/*      read options + an OP_QUERY_SQL_FIELDS reply body
  tests/fuzz/corpus/framing_fuzzer/*        2 options bytes + whole frames (length prefix kept)
  tests/fuzz/corpus/handshake_fuzzer/*      options byte + a handshake reply (length prefix kept)
  tests/fuzz/binary_types.bin               int32 n + n metadata blocks (3002 bodies)

The rows are homogeneous (every page reads to the end: schema, field selection, column
options); what cannot be read on purpose is in seeds named for it: mixed-container-* (FUZZ_MIXED:
an Object[] and a list of mixed types, an always-null object field) and null-first-row-* (a SQL
column NULL in the only row). .ci/fuzz.sh checks both.

    python tests/fuzz/capture_corpus.py            # rewrites the files above
    python tests/fuzz/capture_corpus.py --only FUZZ_NESTED   # adds that cache's seeds and
                                                             # rewrites binary_types.bin

With --bench it captures the fixed pages of the callgrind decode benchmark instead
(benchmarks/decode/, benchmarks/README.md): one 1024-row scan page per workload, the binary types
its rows use, and one OP_QUERY_SQL_FIELDS reply:

  benchmarks/decode/data/<name>.page        rowCount | rows | more (as the fuzzer's pages)
  benchmarks/decode/data/<name>.types       int32 n + n metadata blocks (as binary_types.bin)
  benchmarks/decode/data/<name>.sqlpage     columnCount | column names | rowCount | rows | more

    python tests/fuzz/capture_corpus.py --bench    # rewrites benchmarks/decode/data/
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import hashlib
import os
import socket
import struct
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ignite_tf import BinaryEnum, BinaryObject, Client
from ignite_tf.node import protocol
from ignite_tf.node.protocol import java_string_hash
from ignite_tf.testing import IgniteNode

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
TYPES_FILE = HERE / "binary_types.bin"
BENCH_DATA = HERE.parent.parent / "benchmarks" / "decode" / "data"

# The minimal thin client of the benchmarks' server-limit reader serves here too.
sys.path.insert(0, str(HERE.parent.parent / "benchmarks"))
from wire_reader import (  # noqa: E402
    OP_GET_BINARY_TYPE,
    OP_QUERY_SCAN,
    OP_QUERY_SCAN_CURSOR_GET_PAGE,
    OP_QUERY_SQL_FIELDS,
    OP_RESOURCE_CLOSE,
    WireConnection,
    string_object,
)


def type_id(name: str) -> int:
    return java_string_hash(name.lower())  # ASCII names: Java's toLowerCase agrees


# Rows ----------------------------------------------------------------------------------------


def nested(depth: int, i: int) -> BinaryObject:
    """Objects `depth` deep; the deepest has no `child` field (another schema of the type), never
    a null one: a null object field has no type to learn from metadata, and would end every read
    of a page whose first row holds it in schema inference."""
    fields = {"level": np.int32(depth), "name": f"level-{depth}-{i}"}
    if depth > 1:
        fields["child"] = nested(depth - 1, i)
    return BinaryObject("FuzzNested", fields)


def record(i: int) -> BinaryObject:
    fields = {
        "b": np.int8(-i),
        "s": np.int16(i * 300),
        "i": np.int32(-(2**31) if i == 0 else i),
        "l": 2**63 - 1 if i == 1 else i * 1_000_000_007,
        "f": np.float32(i / 3),
        "d": float("nan") if i == 2 else i * 1.5,
        "flag": i % 2 == 0,
        "text": ["", "kitten", "Grüße 😺 ✓", "x" * 300][i % 4],
        "raw": bytes(range(i % 7)),
        "u": uuid.UUID(int=(i * 0x1234567890ABCDEF) % (1 << 128)),
        "day": dt.datetime(2020, 1, 1 + i % 28, tzinfo=dt.timezone.utc),
        "ts": np.datetime64("1969-12-31T23:59:59.999999999", "ns") + np.timedelta64(i * 1001, "ns"),
        "t": dt.time(i % 24, 30, 15, 250000),
        "dec": decimal.Decimal(
            ["0", "-1.5", "123456789012345678901234567890.000001", "1E+5"][i % 4]
        ),
        "color": BinaryEnum("FuzzColor", i % 3, ["RED", "GREEN", "BLUE"][i % 3]),
        "tags": ["a", None, "ç"][: 1 + i % 3],
        "ints": np.arange(i % 5, dtype=np.int32),
        "doubles": np.linspace(0, 1, i % 3, dtype=np.float64),
        "uuids": [uuid.UUID(int=i), uuid.UUID(int=i + 1)][: 1 + i % 2],
        "objs": (i, -i, None),  # an Object[] of longs (and a null element)
        "set": {i, i + 1},
        "list": [np.int32(i), np.int32(2), np.int32(-7)],
        "map": {"k": float(i), "m": -1.0},
        "people": [
            BinaryObject("FuzzPerson", {"name": f"p{i}", "age": np.int32(i)}),
            BinaryObject("FuzzPerson", {"name": "ö", "age": np.int32(-1)}),
        ][: 1 + i % 2],
        "tree": nested(1 + i % 5, i),
    }
    if i % 3 == 0:  # a later version of the type: one more field, so another schema id
        fields["added"] = f"v2-{i}"
    if i % 4 == 3:  # nulls in fields that usually hold values (their types are in the metadata)
        for name in ("text", "u", "dec"):
            fields[name] = None
    return BinaryObject("FuzzRecord", fields)


def mixed_record(i: int) -> BinaryObject:
    """What no column can hold, on purpose: an Object[] and a list of mixed element types and an
    object field that is always null. A read of every field ends in schema inference; a read of
    the other fields skips them untyped."""
    return BinaryObject(
        "FuzzMixed",
        {
            "id": np.int32(i),
            "name": f"mixed {i}",
            "objs": (i, "two", None),
            "list": [np.int32(i), "mixed", 2.5],
            "missing": None,
        },
    )


def write_data(client: Client) -> list[str]:
    caches = []
    client.get_or_create_cache("FUZZ_RECORDS")
    client.put_all("FUZZ_RECORDS", [(i, record(i)) for i in range(12)])
    caches.append("FUZZ_RECORDS")

    client.get_or_create_cache("FUZZ_KEYS")
    client.put_all(
        "FUZZ_KEYS",
        [
            ("alpha", np.int32(1)),
            (uuid.UUID(int=77), "uuid key"),
            (BinaryObject("FuzzKey", {"k1": 5, "k2": "five"}), dt.time(1, 2, 3)),
            (np.int64(-5), decimal.Decimal("-0.001")),
        ],
    )
    caches.append("FUZZ_KEYS")

    client.get_or_create_cache("FUZZ_SCALARS")
    client.put_all(
        "FUZZ_SCALARS",
        [(i, v) for i, v in enumerate(["str", 1.25, uuid.UUID(int=9), {"a": 1.5}, [1, 2]])],
    )
    caches.append("FUZZ_SCALARS")

    client.get_or_create_cache("FUZZ_MIXED")
    client.put_all("FUZZ_MIXED", [(i, mixed_record(i)) for i in range(3)])
    caches.append("FUZZ_MIXED")

    # Lists of lists: arrays and maps in the objects of a collection, an Object[] of int[], a list
    # of Object[]s of strings; empty and null inner lists.
    client.get_or_create_cache("FUZZ_NESTED")
    client.put_all(
        "FUZZ_NESTED",
        [
            (
                i,
                BinaryObject(
                    "FuzzTeam",
                    {
                        # never empty: an empty list in a page's first row has no element
                        # type to learn, and the read would end in schema inference
                        "members": [
                            BinaryObject(
                                "FuzzMember",
                                {
                                    "scores": np.arange(j + i % 3, dtype=np.int32),
                                    "tags": ["t", None, "ü"][: (i + j) % 4],
                                    "attrs": {"a": float(j), "b": -1.0},
                                },
                            )
                            for j in range(1 + i % 3)
                        ]
                        + ([None] if i == 4 else []),
                        "grid": (np.array([i, 1], np.int32), None, np.array([], np.int32)),
                        # an empty inner list after one that shows the element type
                        "words": [("yz",), ("x", None), ()][: 1 + i % 3],
                    },
                ),
            )
            for i in range(1, 6)
        ],
    )
    caches.append("FUZZ_NESTED")

    client.sql(
        "CREATE TABLE IF NOT EXISTS FUZZ_SQL (ID BIGINT PRIMARY KEY, NAME VARCHAR, V DOUBLE,"
        " I INT, S SMALLINT, TI TINYINT, R REAL, B BOOLEAN, D DECIMAL(20, 5), TS TIMESTAMP,"
        " DT DATE, T TIME, U UUID, BIN BINARY)"
        ' WITH "VALUE_TYPE=FuzzSqlRow,CACHE_NAME=FUZZ_SQL"'
    )
    for i in range(6):
        if i == 5:
            client.sql("INSERT INTO FUZZ_SQL (ID) VALUES (?)", [i])  # NULL everywhere else
            continue
        client.sql(
            "INSERT INTO FUZZ_SQL (ID, NAME, V, I, S, TI, R, B, D, TS, DT, T, U, BIN) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP(), CURRENT_DATE(), CURRENT_TIME(),"
            " RANDOM_UUID(), X'0102FF')",
            [i, f"name {i} ü", i * 0.5, i, i, i, i * 0.25, i % 2 == 0, decimal.Decimal(f"{i}.125")],
        )
    caches.append("FUZZ_SQL")

    client.sql(
        "CREATE TABLE IF NOT EXISTS FUZZ_SQL_PAIR (A INT, B VARCHAR, VAL DOUBLE,"
        " PRIMARY KEY (A, B))"
        ' WITH "VALUE_TYPE=FuzzPairRow,KEY_TYPE=FuzzPairKey,CACHE_NAME=FUZZ_SQL_PAIR"'
    )
    for i in range(3):
        client.sql("INSERT INTO FUZZ_SQL_PAIR (A, B, VAL) VALUES (?, ?, ?)", [i, f"b{i}", i / 7])
    caches.append("FUZZ_SQL_PAIR")
    return caches


# Raw protocol ---------------------------------------------------------------------------------


class RawConnection(WireConnection):
    """A 1.7.0 connection whose replies are kept: each call returns a copy of the whole frame."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port, timeout=30, version=(1, 7, 0))

    def call(self, op: int, body: bytes) -> tuple[bytes, int]:
        frame, pos = super().call(op, body)
        return bytes(frame), pos


def scan_pages(conn: RawConnection, cache: str, page_size: int) -> list[tuple[bytes, int, int]]:
    """(frame, body offset, page offset) of every page of a whole-cache scan."""
    body = (
        struct.pack("<ib", java_string_hash(cache), 1)
        + b"\x65"
        + struct.pack("<ii?", page_size, -1, 0)
    )
    frame, pos = conn.call(OP_QUERY_SCAN, body)
    (cursor,) = struct.unpack_from("<q", frame, pos)
    pages = [(frame, pos, pos + 8)]
    while frame[-1] != 0:  # more
        frame, pos = conn.call(OP_QUERY_SCAN_CURSOR_GET_PAGE, struct.pack("<q", cursor))
        pages.append((frame, pos, pos))
    return pages


def candidate_type_ids(pages: list[bytes]) -> set[int]:
    """Type ids of every complex object (0x67, version 1) and enum (0x1c/0x26) in the bytes.

    Over-collects on purpose; ids the node does not know come back with exists = false.
    """
    ids = set()
    for data in pages:
        for at in range(len(data) - 8):
            if data[at] == 0x67 and data[at + 1] == 1:
                ids.add(struct.unpack_from("<i", data, at + 4)[0])
            elif data[at] in (0x1C, 0x26):
                ids.add(struct.unpack_from("<i", data, at + 1)[0])
    return ids


def fetch_types(
    conn: RawConnection,
    wanted: set[int],
    pages: list[bytes],
    on_frame: Callable[[bytes], None] | None = None,
) -> list[bytes]:
    """Metadata blocks (OP_GET_BINARY_TYPE bodies after `exists`) of the types the pages use."""
    blocks = []
    for tid in sorted(wanted | candidate_type_ids(pages)):
        frame, pos = conn.call(OP_GET_BINARY_TYPE, struct.pack("<i", tid))
        if frame[pos] == 0:
            continue
        blocks.append(frame[pos + 1 :])
        if on_frame is not None:
            on_frame(frame)
    return blocks


def types_file(blocks: list[bytes]) -> bytes:
    return struct.pack("<i", len(blocks)) + b"".join(blocks)


def sql_first_page(
    conn: RawConnection, sql: str, page_size: int, with_cursor: bool = False
) -> bytes:
    """The first reply of a SQL fields query from `columnCount` on (the cursor id dropped), or
    with `with_cursor` its whole body (the cursor id first)."""
    body = (
        struct.pack("<ib", 0, 0)  # no cache (the schema names the tables), flags
        + string_object("PUBLIC")
        + struct.pack("<ii", page_size, 0)  # page size, max rows
        + string_object(sql)
        + struct.pack("<i", 0)  # no arguments
        # statement type any; distributed joins, local, replicated only, enforce join order,
        # collocated, lazy: all false; timeout 0; include field names
        + struct.pack("<b??????q?", 0, False, False, False, False, False, False, 0, True)
    )
    frame, pos = conn.call(OP_QUERY_SQL_FIELDS, body)
    (cursor,) = struct.unpack_from("<q", frame, pos)
    if frame[-1] != 0:  # more pages: release the server's cursor
        conn.call(OP_RESOURCE_CLOSE, struct.pack("<q", cursor))
    return frame[pos:] if with_cursor else frame[pos + 8 :]


# Seed options (tests/fuzz/batch_checks.h) -----------------------------------------------------

CAP_ROWS, NO_METADATA, MASKS, SKIP, DECIMAL_TEXT = 0x01, 0x02, 0x04, 0x08, 0x10
MICROS, MILLIS, LISTS = 0x20, 0x40, 0x80


def read_options(flags: int = 0, fields: tuple = (), types: dict | None = None) -> bytes:
    """The options header the page and SQL fuzzers read first: flags, then (with fields or
    given column types) the fields to read and the given SQL column types."""
    if not fields and not types:
        return bytes([flags & ~LISTS])

    def name(n: str) -> bytes:
        data = n.encode()
        return bytes([len(data)]) + data

    out = bytes([flags | LISTS, len(fields)]) + b"".join(name(f) for f in fields)
    out += bytes([len(types or {})])
    for column, code in (types or {}).items():
        out += name(column) + bytes([code])
    return out


# Scan pages read with options (the first-page reads reach field selection and the column
# options): cache -> [(page size, options)]. Every page is also a seed with options 0, except
# the multi-row pages of caches whose rows differ in type, which are read with SKIP.
PAGE_OPTIONS = {
    "FUZZ_RECORDS": [
        (3, read_options(MASKS, ("i", "text", "tree.level", "people.name", "color", "ints"))),
        (3, read_options(DECIMAL_TEXT | MICROS, ("dec", "ts", "day", "t"))),
        (1024, read_options(MILLIS | MASKS | SKIP, ("tree", "objs", "map", "uuids", "set"))),
        (1024, read_options(CAP_ROWS | MASKS, ("tree.name", "added", "raw"))),
    ],
    "FUZZ_NESTED": [
        (3, read_options(MASKS, ("members.scores", "grid"))),
        (1024, read_options(SKIP, ("members", "words"))),
    ],
    "FUZZ_SQL": [
        (1024, read_options(DECIMAL_TEXT | MICROS | MASKS, ("NAME", "D", "TS", "U"))),
    ],
    "FUZZ_KEYS": [(1, read_options(DECIMAL_TEXT))],
}
MULTI_TYPE_CACHES = {"FUZZ_KEYS", "FUZZ_SCALARS"}
MIXED_CACHE = "FUZZ_MIXED"  # its seeds are named mixed-container-*

# Ignite type codes for given SQL column types.
SQL_TYPES = {
    "ID": 4,
    "NAME": 9,
    "V": 6,
    "I": 3,
    "S": 2,
    "TI": 1,
    "R": 5,
    "B": 8,
    "D": 30,
    "TS": 33,
    "DT": 11,
    "T": 36,
    "U": 10,
    "BIN": 12,
}
# SQL fields queries: (query, page size, options, seed name prefix).
SQL_SEEDS = [
    ("SELECT * FROM FUZZ_SQL ORDER BY ID", 1024, read_options(), ""),
    ("SELECT * FROM FUZZ_SQL ORDER BY ID", 3, read_options(MASKS), ""),
    (
        "SELECT ID, D, TS, DT, T FROM FUZZ_SQL ORDER BY ID",
        1024,
        read_options(DECIMAL_TEXT | MICROS),
        "",
    ),
    ("SELECT ID, TS, T FROM FUZZ_SQL ORDER BY ID", 1024, read_options(MILLIS | MASKS), ""),
    (
        "SELECT * FROM FUZZ_SQL ORDER BY ID",
        1024,
        read_options(MASKS, ("NAME", "V", "U", "BIN")),
        "",
    ),
    # The NULL row first: its types given, else (on purpose) the learner's NULL-column error.
    ("SELECT * FROM FUZZ_SQL ORDER BY ID DESC", 1, read_options(MASKS, (), SQL_TYPES), ""),
    ("SELECT * FROM FUZZ_SQL ORDER BY ID DESC", 1, read_options(), "null-first-row-"),
    (
        "SELECT NAME, NULL AS N, V FROM FUZZ_SQL ORDER BY ID",
        1024,
        read_options(0, (), {"N": 9, "V": 6}),
        "",
    ),
    ("SELECT A, B, VAL FROM FUZZ_SQL_PAIR ORDER BY A", 1024, read_options(), ""),
    ("SELECT _KEY, _VAL FROM FUZZ_SQL_PAIR ORDER BY A", 1024, read_options(MASKS), ""),
    ("SELECT COUNT(*), MAX(V), MIN(NAME) FROM FUZZ_SQL", 1024, read_options(), ""),
]


def handshake_reply(host: str, port: int, version: tuple, **credentials) -> bytes:
    """The bytes a node answers a handshake asking for `version` with: length prefix + reply."""
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(protocol.frame(protocol.handshake_request(version, **credentials)))
        head = protocol.recv_exact(sock, 4)
        (length,) = struct.unpack("<i", head)
        return head + protocol.recv_exact(sock, length)


# The handshake fuzzer's version table (handshake_fuzzer.cc), by the option bits 0-2.
HANDSHAKE_VERSIONS = [(1, 7, 0), (1, 6, 0), (1, 5, 0), (1, 4, 0), (1, 3, 0), (1, 2, 0), (1, 1, 0)]


def handshake_seeds(host: str, port: int) -> list[tuple[str, bytes]]:
    """(name prefix, seed) for the handshake fuzzer: replies of a real node to every version we
    speak and to versions it does not (refusals), read in chunks of several sizes; and, built
    from the protocol, the replies this node cannot give (an authentication failure, a TLS alert
    on a plain connection)."""
    seeds = []
    for index, version in enumerate(HANDSHAKE_VERSIONS):
        reply = handshake_reply(host, port, version)
        seeds.append(("", bytes([index | (index % 3) << 5]) + reply))
        seeds.append(("", bytes([index | 0x08]) + reply))  # as over TLS
    for version in ((1, 99, 0), (2, 0, 0), (1, 0, 0)):
        reply = handshake_reply(host, port, version)
        options = b"\x07" if version == (1, 0, 0) else b"\x00"  # the version asked, when known
        seeds.append(("refused-" if reply[4] == 0 else "", options + reply))
    seeds.append(("", b"\x30" + handshake_reply(host, port, (1, 7, 0), username="u", password="p")))
    message = b"The user name or password is incorrect [userName=u]"
    auth = b"\x00" + struct.pack("<hhh", 1, 7, 0) + b"\x09" + struct.pack("<i", len(message))
    auth += message + struct.pack("<i", 2000)
    seeds.append(("constructed-auth-failed-", b"\x00" + struct.pack("<i", len(auth)) + auth))
    # A TLS 1.2 alert record (level fatal, handshake failure) where the reply's length should be.
    seeds.append(("constructed-tls-alert-", b"\x00" + bytes.fromhex("15030300020228")))
    return seeds


# Decode benchmark pages (--bench) -------------------------------------------------------------

BENCH_ROWS = 1024  # rows of every benchmark page: one page of a scan with the default page size
NUMERIC_COLUMNS = ["L1", "L2", "L3", "I1", "I2", "I3", "D1", "D2", "D3", "F1"]


def write_bench_mnist(client: Client) -> str:
    """W2: key long, value MnistRow {label: int, pixels: byte[784]} (benchmarks/throughput.py)."""
    cache = "BENCH_W2_MNIST"
    client.get_or_create_cache(cache)
    pixels = np.random.default_rng(0).integers(0, 256, (BENCH_ROWS, 784), dtype=np.uint8)
    client.put_all(
        cache,
        [
            (i, BinaryObject("MnistRow", {"label": np.int32(i % 10), "pixels": pixels[i]}))
            for i in range(BENCH_ROWS)
        ],
    )
    return cache


def write_bench_numeric(client: Client) -> str:
    """W3: a SQL table, key long, value NumericRow of 3 BIGINT, 3 INT, 3 DOUBLE and 1 REAL."""
    cache = "BENCH_W3_NUMERIC"
    types = ["BIGINT"] * 3 + ["INT"] * 3 + ["DOUBLE"] * 3 + ["REAL"]
    columns = ", ".join(f"{n} {t}" for n, t in zip(NUMERIC_COLUMNS, types))
    client.sql(
        f"CREATE TABLE IF NOT EXISTS {cache} (ID BIGINT PRIMARY KEY, {columns})"
        f' WITH "VALUE_TYPE=NumericRow,CACHE_NAME={cache}"'
    )
    chunk = 64
    row = "(" + ", ".join(["?"] * (1 + len(NUMERIC_COLUMNS))) + ")"
    for start in range(0, BENCH_ROWS, chunk):
        args = []
        for i in range(start, start + chunk):
            args += [i, i * 1_000_003, -i, i << 33, i, i * 7, -i, i * 0.5, i / 3, i**0.5, i * 0.25]
        client.sql(
            f"INSERT INTO {cache} (ID, {', '.join(NUMERIC_COLUMNS)}) VALUES "
            + ", ".join([row] * chunk),
            args,
        )
    return cache


def write_bench_mixed(client: Client) -> str:
    """Strings, UUIDs, timestamps, dates, decimals, a double array and a nested object."""
    cache = "BENCH_MIXED"
    client.get_or_create_cache(cache)
    epoch = np.datetime64("2024-01-01T00:00:00", "ns")
    client.put_all(
        cache,
        [
            (
                i,
                BinaryObject(
                    "MixedRow",
                    {
                        "name": f"customer-{i:05d} " + "ü" * (i % 5),
                        "id": uuid.UUID(int=(i * 0x9E3779B97F4A7C15) % (1 << 128)),
                        "ts": epoch + np.timedelta64(i * 1_000_003, "ns"),
                        "day": dt.datetime(2024, 1 + i % 12, 1 + i % 28, tzinfo=dt.timezone.utc),
                        "amount": decimal.Decimal(i * 37) / 100,
                        "scores": np.linspace(0, 1, 4, dtype=np.float64) * i,
                        "address": BinaryObject(
                            "MixedAddress", {"zip": np.int32(10000 + i), "city": f"city {i % 17}"}
                        ),
                    },
                ),
            )
            for i in range(BENCH_ROWS)
        ],
    )
    return cache


def capture_bench() -> None:
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    with IgniteNode() as node:
        print(f"node at {node.host}:{node.port}", file=sys.stderr)
        with Client(node.host, node.port) as client:
            caches = {
                "w2_mnist": write_bench_mnist(client),
                "w3_numeric": write_bench_numeric(client),
                "mixed": write_bench_mixed(client),
            }
        conn = RawConnection(node.host, node.port)
        try:
            for name, cache in caches.items():
                frame, _, page_at = scan_pages(conn, cache, BENCH_ROWS)[0]
                page = frame[page_at:]
                (rows,) = struct.unpack_from("<i", page)
                if rows != BENCH_ROWS:
                    raise RuntimeError(f"{cache}: first page has {rows} rows, not {BENCH_ROWS}")
                (BENCH_DATA / f"{name}.page").write_bytes(page)
                (BENCH_DATA / f"{name}.types").write_bytes(
                    types_file(fetch_types(conn, set(), [page]))
                )
            sql = f"SELECT ID, {', '.join(NUMERIC_COLUMNS)} FROM {caches['w3_numeric']} ORDER BY ID"
            (BENCH_DATA / "w3_numeric.sqlpage").write_bytes(sql_first_page(conn, sql, BENCH_ROWS))
        finally:
            conn.close()
    for f in sorted(BENCH_DATA.iterdir()):
        print(f"{f.name}: {f.stat().st_size} bytes", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bench", action="store_true", help="capture the decode benchmark's pages instead"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="CACHE",
        help="add the seeds of these caches only, keeping the others (binary_types.bin is "
        "rewritten whole)",
    )
    args = parser.parse_args()
    if args.bench:
        capture_bench()
        return 0
    targets = ("page_decoder_fuzzer", "framing_fuzzer", "sql_reply_fuzzer", "handshake_fuzzer")
    for target in targets:
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
        for old in (CORPUS / target).iterdir():
            if not args.only:
                old.unlink()

    def save(target: str, data: bytes, prefix: str = "") -> None:
        name = prefix + hashlib.sha1(data).hexdigest()[:16]
        (CORPUS / target / name).write_bytes(data)

    with IgniteNode() as node:
        print(f"node at {node.host}:{node.port}", file=sys.stderr)
        with Client(node.host, node.port) as client:
            caches = write_data(client)
        conn = RawConnection(node.host, node.port)
        try:
            if not args.only:
                save("framing_fuzzer", b"\x00\x00" + conn.handshake)
                for prefix, seed in handshake_seeds(node.host, node.port):
                    save("handshake_fuzzer", seed, prefix)
                for sql, page_size, options, prefix in SQL_SEEDS:
                    body = sql_first_page(conn, sql, page_size, with_cursor=True)
                    save("sql_reply_fuzzer", options + body, prefix)
            all_pages = []
            for cache in caches:
                keep = not args.only or cache in args.only
                prefix = "mixed-container-" if cache == MIXED_CACHE else ""
                for page_size in (1, 3, 1024):
                    pages = scan_pages(conn, cache, page_size)
                    for number, (frame, _, page_at) in enumerate(pages):
                        page = frame[page_at:]
                        all_pages.append(page)
                        if not keep:
                            continue
                        (rows,) = struct.unpack_from("<i", page)
                        skip = cache in MULTI_TYPE_CACHES and rows > 1
                        save(
                            "page_decoder_fuzzer", read_options(SKIP if skip else 0) + page, prefix
                        )
                        for size, options in PAGE_OPTIONS.get(cache, []):
                            if size == page_size and number == 0:
                                save("page_decoder_fuzzer", options + page)
                        if cache == MIXED_CACHE and page_size == 1024 and number == 0:
                            # The fields no column can hold left out: read untyped, skipped.
                            selected = read_options(MASKS, ("id", "name"))
                            save(
                                "page_decoder_fuzzer", selected + page, "mixed-container-selected-"
                            )
                    if keep and page_size == 3:  # a whole exchange, in small chunks, new header
                        save("framing_fuzzer", b"\x07\x00" + b"".join(f for f, _, _ in pages))
                        # the same read as Connection::Call reads it, the old header's limit
                        save("framing_fuzzer", b"\x03\x06" + b"".join(f for f, _, _ in pages))
                    if keep and page_size == 1024:
                        save("framing_fuzzer", b"\x00\x00" + pages[0][0])
            wanted = {type_id(n) for n in ("FuzzRecord", "FuzzNested", "FuzzPerson", "FuzzColor")}
            wanted |= {type_id(n) for n in ("FuzzKey", "FuzzSqlRow", "FuzzPairRow", "FuzzPairKey")}
            wanted |= {type_id(n) for n in ("FuzzTeam", "FuzzMember", "FuzzMixed")}
            blocks = fetch_types(
                conn,
                wanted,
                all_pages,
                None if args.only else lambda f: save("framing_fuzzer", b"\x01\x00" + f),
            )
            TYPES_FILE.write_bytes(types_file(blocks))
        finally:
            conn.close()
    sizes = {t: sum(f.stat().st_size for f in (CORPUS / t).iterdir()) for t in os.listdir(CORPUS)}
    for target, total in sizes.items():
        count = len(list((CORPUS / target).iterdir()))
        print(f"{target}: {count} seeds, {total} bytes", file=sys.stderr)
    print(f"{TYPES_FILE.name}: {len(blocks)} types", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
