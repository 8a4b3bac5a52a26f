"""Failures surface as ignite_tf.errors exceptions within a bounded time: never a crash, a hang or
a silently short result.

Unreachable and hostile endpoints are small socket servers on 127.0.0.1 (``fake_server``); a
reply broken in the middle of a scan comes from a real node through a ``relay`` that cuts, stalls
or replaces that one reply; everything else runs against real Apache Ignite nodes.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest
from conftest import Relay, unique_name

import ignite_tf
from ignite_tf import (
    BinaryObject,
    CacheNotFoundError,
    Client,
    IgniteAuthenticationError,
    IgniteConnectionError,
    IgniteError,
    IgniteProtocolError,
    IgniteSchemaError,
    IgniteServerError,
    IgniteTimeoutError,
    IgniteValueError,
)
from ignite_tf.node.protocol import (
    OP_CACHE_GET_NAMES,
    STATUS_AUTH_FAILED,
    handshake_accepted,
    handshake_rejection,
    handshake_version,
)

# Type names unique to this run: a type left on a shared node by another run (with other
# field types) cannot decide a result.
TYPE_SQL_ARG = unique_name("SqlArg")


pytestmark = pytest.mark.usefixtures("hang_guard")

# Seconds within which a failure against a local endpoint must be reported.
FAST = 10.0

# What the fake servers answer a good 1.7.0 handshake: success, null feature bitmask, no node id.
HANDSHAKE_OK_1_7 = handshake_accepted((1, 7, 0))


def hierarchy_names(exc: BaseException) -> list[str]:
    return [cls.__name__ for cls in type(exc).__mro__]


# --------------------------------------------------------------------------------------------
# The exception family


def test_every_error_is_an_ignite_error_with_the_builtin_it_refines() -> None:
    assert issubclass(IgniteTimeoutError, IgniteConnectionError)
    assert issubclass(IgniteTimeoutError, TimeoutError)
    assert issubclass(IgniteConnectionError, ConnectionError)
    assert issubclass(CacheNotFoundError, LookupError)
    assert issubclass(IgniteValueError, ValueError)
    for name in ignite_tf.errors.__all__:
        cls = getattr(ignite_tf.errors, name)
        if issubclass(cls, Warning):  # IgniteInsecureTLSWarning: a warning, not an error
            continue
        assert issubclass(cls, IgniteError), name


# --------------------------------------------------------------------------------------------
# Nothing (useful) at the address


def test_no_server_at_the_port(closed_port: int, expect_error) -> None:
    err = expect_error(
        IgniteConnectionError,
        lambda: Client("127.0.0.1", closed_port, connect_timeout=5, timeout=5),
        FAST,
    )
    assert not isinstance(err, IgniteTimeoutError)  # refused, not slow
    assert f"127.0.0.1:{closed_port}" in str(err)


def test_unresolvable_host_name(expect_error) -> None:
    host = "no-such-host.ignite-tf.invalid"  # .invalid never resolves (RFC 2606)
    err = expect_error(
        IgniteConnectionError, lambda: Client(host, 10800, connect_timeout=5, timeout=5), 30
    )
    assert host in str(err)
    assert "10800" in str(err)


@pytest.mark.parametrize("port", [0, 70000, -1])
def test_port_out_of_range(port: int, expect_error) -> None:
    err = expect_error(IgniteError, lambda: Client("127.0.0.1", port), FAST)
    assert str(port) in str(err)


# --------------------------------------------------------------------------------------------
# Hostile endpoints during the handshake


def test_server_that_accepts_and_never_answers(fake_server, expect_error) -> None:
    def silent(conn: socket.socket) -> None:
        while conn.recv(4096):
            pass

    server = fake_server(silent)
    err = expect_error(
        IgniteTimeoutError, lambda: Client(server.host, server.port, timeout=1), FAST
    )
    assert isinstance(err, IgniteConnectionError)  # an `except IgniteConnectionError` catches it
    assert server.address in str(err)


def test_timeout_is_honoured_not_just_bounded(fake_server, bounded) -> None:
    def silent(conn: socket.socket) -> None:
        while conn.recv(4096):
            pass

    server = fake_server(silent)
    outcome = bounded(lambda: Client(server.host, server.port, timeout=2), FAST)
    assert isinstance(outcome.error, IgniteTimeoutError)
    assert 1.5 <= outcome.elapsed < 6, outcome.elapsed


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", id="http"),
        pytest.param(struct.pack("<i", 5) + b"\x07abcd", id="bad-success-byte"),
        pytest.param(struct.pack("<i", -12) + b"\x00" * 12, id="negative-length"),
    ],
)
def test_server_that_answers_the_handshake_with_garbage(
    fake_server, expect_error, wire, reply: bytes
) -> None:
    def garbage(conn: socket.socket) -> None:
        wire.recv_frame(conn)
        conn.sendall(reply)
        while conn.recv(4096):
            pass

    server = fake_server(garbage)
    err = expect_error(
        IgniteProtocolError, lambda: Client(server.host, server.port, timeout=5), FAST
    )
    assert server.address in str(err)


def test_truncated_handshake_reply(fake_server, expect_error, wire) -> None:
    def truncated(conn: socket.socket) -> None:
        wire.recv_frame(conn)
        wire.send_frame(conn, b"\x01")  # success, but 1.7.0 needs the feature bitmask too
        while conn.recv(4096):
            pass

    server = fake_server(truncated)
    expect_error(IgniteProtocolError, lambda: Client(server.host, server.port, timeout=5), FAST)


def test_server_that_closes_mid_handshake_reply(fake_server, expect_error, wire) -> None:
    def half_reply(conn: socket.socket) -> None:
        wire.recv_frame(conn)
        conn.sendall(struct.pack("<i", 100) + b"\x01\x00")  # promises 100 bytes, sends 2
        conn.close()

    server = fake_server(half_reply)
    err = expect_error(
        IgniteConnectionError, lambda: Client(server.host, server.port, timeout=5), FAST
    )
    assert not isinstance(err, IgniteTimeoutError)
    assert server.address in str(err)


def test_server_that_closes_right_after_accepting(fake_server, expect_error) -> None:
    server = fake_server(lambda conn: conn.close())
    expect_error(IgniteConnectionError, lambda: Client(server.host, server.port, timeout=5), FAST)


def test_server_that_refuses_the_credentials(fake_server, expect_error, wire) -> None:
    def refuse(conn: socket.socket) -> None:
        wire.recv_frame(conn)
        wire.send_frame(
            conn,
            handshake_rejection(
                (1, 7, 0), "The user name or password is incorrect", STATUS_AUTH_FAILED
            ),
        )

    server = fake_server(refuse)
    err = expect_error(
        IgniteAuthenticationError,
        lambda: Client(server.host, server.port, username="ann", password="x", timeout=5),
        FAST,
    )
    assert "incorrect" in str(err)
    assert "ann" in str(err)


def test_server_that_offers_only_an_unsupported_version(fake_server, expect_error, wire) -> None:
    def too_old(conn: socket.socket) -> None:
        wire.recv_frame(conn)
        wire.send_frame(conn, handshake_rejection((1, 0, 0), "Unsupported version"))

    server = fake_server(too_old)
    err = expect_error(IgniteProtocolError, lambda: Client(server.host, server.port), FAST)
    assert "1.0.0" in str(err)
    assert "Unsupported version" in str(err)


def test_older_server_version_is_negotiated(fake_server, wire) -> None:
    """Not an error: a server that offers 1.6.0 instead of 1.7.0 gets a second handshake."""
    offered: list[tuple[int, int, int]] = []

    def speaks_1_6(conn: socket.socket) -> None:
        frame = wire.recv_frame(conn)
        version = handshake_version(frame)
        offered.append(version)
        if version == (1, 7, 0):
            wire.send_frame(conn, handshake_rejection((1, 6, 0), "try 1.6.0"))
            return
        wire.send_frame(conn, handshake_accepted((1, 6, 0)))
        while conn.recv(4096):
            pass

    server = fake_server(speaks_1_6)
    with Client(server.host, server.port, timeout=5) as c:
        assert c.protocol_version == (1, 6, 0)
    assert offered == [(1, 7, 0), (1, 6, 0)]


# --------------------------------------------------------------------------------------------
# Hostile endpoints after a good handshake


def _after_handshake(wire, on_request):
    """A handler that completes a 1.7.0 handshake, then gives each request to ``on_request``."""

    def handler(conn: socket.socket) -> None:
        wire.recv_frame(conn)
        wire.send_frame(conn, HANDSHAKE_OK_1_7)
        while True:
            frame = wire.recv_frame(conn)
            if frame is None:
                return
            op, request_id = struct.unpack_from("<hq", frame)
            if on_request(conn, op, request_id) is False:
                return

    return handler


def test_server_that_stops_answering_requests(fake_server, expect_error, wire, bounded) -> None:
    def silent(conn, op, request_id):
        while conn.recv(4096):
            pass
        return False

    server = fake_server(_after_handshake(wire, silent))
    c = Client(server.host, server.port, timeout=3)
    err = expect_error(IgniteTimeoutError, c.cache_names, FAST)
    assert server.address in str(err)
    # The connection is now unusable; the next call says so at once instead of waiting again.
    outcome = bounded(lambda: c.size("X"), FAST)
    assert isinstance(outcome.error, IgniteConnectionError)
    # A second wait would take the whole 3 s timeout; a loaded 2-core machine answers in far less.
    assert outcome.elapsed < 1.5, outcome.elapsed
    c.close()


def test_server_that_closes_mid_reply(fake_server, expect_error, wire) -> None:
    def half_reply(conn, op, request_id):
        conn.sendall(struct.pack("<iq", 200, request_id))  # 200 bytes promised, 8 sent
        conn.close()
        return False

    server = fake_server(_after_handshake(wire, half_reply))
    c = Client(server.host, server.port, timeout=5)
    err = expect_error(IgniteConnectionError, c.cache_names, FAST)
    assert not isinstance(err, IgniteTimeoutError)
    assert server.address in str(err)
    c.close()


def test_reply_to_another_request(fake_server, expect_error, wire) -> None:
    def wrong_id(conn, op, request_id):
        wire.send_frame(conn, struct.pack("<qhi", request_id + 1000, 0, 0))

    server = fake_server(_after_handshake(wire, wrong_id))
    c = Client(server.host, server.port, timeout=5)
    err = expect_error(IgniteProtocolError, c.cache_names, FAST)
    assert "request id" in str(err)
    c.close()


def test_reply_with_a_negative_length(fake_server, expect_error, wire) -> None:
    def negative(conn, op, request_id):
        conn.sendall(struct.pack("<i", -5))

    server = fake_server(_after_handshake(wire, negative))
    c = Client(server.host, server.port, timeout=5)
    expect_error(IgniteProtocolError, c.cache_names, FAST)
    c.close()


def test_reply_with_a_truncated_body(fake_server, expect_error, wire) -> None:
    def short_names(conn, op, request_id):
        assert op == OP_CACHE_GET_NAMES
        # Claims 3 cache names, then the message ends.
        wire.send_frame(conn, struct.pack("<qhi", request_id, 0, 3))

    server = fake_server(_after_handshake(wire, short_names))
    c = Client(server.host, server.port, timeout=5)
    expect_error(IgniteProtocolError, c.cache_names, FAST)
    c.close()


@pytest.mark.parametrize("call", ["handshake", "cache_names", "size"])
def test_malformed_replies_name_the_server(fake_server, expect_error, wire, call: str) -> None:
    def truncated(conn: socket.socket) -> None:
        wire.recv_frame(conn)
        if call == "handshake":
            wire.send_frame(conn, b"\x01")
        else:
            wire.send_frame(conn, HANDSHAKE_OK_1_7)
            frame = wire.recv_frame(conn)
            _, request_id = struct.unpack_from("<hq", frame)
            wire.send_frame(conn, struct.pack("<qhi", request_id, 0, 3))  # body cut short
        while conn.recv(4096):
            pass

    server = fake_server(truncated)

    def run() -> None:
        c = Client(server.host, server.port, timeout=5)
        if call == "cache_names":
            c.cache_names()
        elif call == "size":
            c.size("SOME_CACHE")

    err = expect_error(IgniteProtocolError, run, FAST)
    assert server.address in str(err)
    if call == "size":
        assert "SOME_CACHE" in str(err)


# --------------------------------------------------------------------------------------------
# Caches that do not exist


@pytest.mark.parametrize(
    "operation",
    [
        lambda c, name: c.size(name),
        lambda c, name: c.get(name, 1),
        lambda c, name: c.put(name, 1, 1),
        lambda c, name: c.put_all(name, [(1, 1)]),
        lambda c, name: c.clear(name),
        lambda c, name: c.destroy_cache(name),
        lambda c, name: c.partitions(name),
        lambda c, name: c.scan(name),
    ],
    ids=["size", "get", "put", "put_all", "clear", "destroy", "partitions", "scan"],
)
def test_missing_cache(client: Client, cache_name: str, expect_error, operation) -> None:
    err = expect_error(CacheNotFoundError, lambda: operation(client, cache_name), FAST)
    assert cache_name in str(err)
    assert client.cache_names() is not None  # still connected


def test_missing_cache_hint_for_a_case_mismatch(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    wrong = cache_name.lower()
    with pytest.raises(CacheNotFoundError, match=f"did you mean '{cache_name}'"):
        client.scan(wrong)


# --------------------------------------------------------------------------------------------
# Errors without a kind of their own are generic, never an OSError


def test_partitions_of_a_replicated_cache_is_a_plain_ignite_error(
    client: Client, table_name: str
) -> None:
    # A replicated cache has no partition map: the error says so and is no filesystem error.
    client.sql(f'CREATE TABLE {table_name} (ID LONG PRIMARY KEY, V INT) WITH "template=replicated"')
    with pytest.raises(IgniteError) as caught:
        client.partitions(f"SQL_PUBLIC_{table_name}")
    assert type(caught.value) is IgniteError
    assert not isinstance(caught.value, OSError)
    assert f"SQL_PUBLIC_{table_name}" in str(caught.value)
    assert "is replicated" in str(caught.value)
    assert "without naming a partition" in str(caught.value)


def test_missing_cache_hint_for_a_sql_table_name(client: Client, table_name: str) -> None:
    client.sql(f"CREATE TABLE {table_name} (ID LONG PRIMARY KEY, V INT)")
    with pytest.raises(CacheNotFoundError, match="SQL_<SCHEMA>_<TABLE>"):
        client.scan(table_name)


# --------------------------------------------------------------------------------------------
# A node that dies or freezes in the middle of a scan


def _fill(node, rows: int = 20_000) -> Client:
    c = Client(node.host, node.port, timeout=3)
    c.create_cache("DOOMED")
    for start in range(0, rows, 5000):
        c.put_all(
            "DOOMED",
            [
                (k, BinaryObject("Doomed", {"v": k, "s": "x" * 32}))
                for k in range(start, start + 5000)
            ],
        )
    return c


def _drain(scan) -> int:
    rows = 0
    for batch in scan:
        rows += len(batch["key"])
    return rows


@pytest.mark.parametrize("readers", [1, 4])
def test_node_killed_mid_scan(ignite_node_factory, bounded, readers: int) -> None:
    node = ignite_node_factory()
    c = _fill(node)
    scan = c.scan("DOOMED", page_size=16, batch_size=16, num_parallel_reads=readers)
    first = next(scan)
    assert len(first["key"]) == 16

    node.kill()
    outcome = bounded(lambda: _drain(scan), 20)
    assert outcome.error is not None, f"the scan ended silently after {outcome.value} more rows"
    assert isinstance(outcome.error, IgniteConnectionError), repr(outcome.error)
    assert outcome.elapsed < 3 + 2  # the client timeout, with a margin
    assert node.address in str(outcome.error)

    # Later calls fail at once, and closing does not hang.
    later = bounded(lambda: c.size("DOOMED"), FAST)
    assert isinstance(later.error, IgniteConnectionError)
    assert bounded(scan.close, FAST).error is None
    assert bounded(c.close, FAST).error is None


@pytest.mark.parametrize("readers", [1, 4])
def test_node_frozen_mid_scan_times_out(ignite_node_factory, bounded, readers: int) -> None:
    node = ignite_node_factory()
    c = _fill(node)
    scan = c.scan("DOOMED", page_size=16, batch_size=16, num_parallel_reads=readers)
    next(scan)
    os.kill(node.pid, signal.SIGSTOP)  # the socket stays open; nothing answers
    try:
        outcome = bounded(lambda: _drain(scan), 20)
    finally:
        node.kill()
    assert isinstance(outcome.error, IgniteTimeoutError), repr(outcome.error)
    assert 2 <= outcome.elapsed < 3 + 3, outcome.elapsed
    assert bounded(scan.close, FAST).error is None
    c.close()


def test_a_failed_scan_keeps_raising_the_same_error(client: Client, make_cache) -> None:
    cache = make_cache([(1, 1), (2, "two")])  # two structures: the scan must fail
    scan = client.scan(cache)
    with pytest.raises(IgniteSchemaError):
        list(scan)
    with pytest.raises(IgniteSchemaError):
        next(scan)


def test_rows_of_different_structure_are_a_schema_error(client: Client, make_cache) -> None:
    cache = make_cache([(1, 1), (2, "two")])
    with pytest.raises(IgniteSchemaError, match="every row of the cache must share one structure"):
        list(client.scan(cache))
    assert client.size(cache) == 2  # still connected


def test_scan_of_a_partition_that_does_not_exist(client: Client, make_cache) -> None:
    cache = make_cache([(1, 1)])
    n = len(client.partitions(cache))
    with pytest.raises(IgniteServerError, match=f"Invalid partition number: {n}"):
        client.scan(cache, partition=n)


@pytest.mark.parametrize("page_size", [0, -1])
def test_scan_page_size_must_be_positive(client: Client, make_cache, page_size: int) -> None:
    cache = make_cache([(1, 1)])
    with pytest.raises(IgniteValueError, match="page_size"):
        client.scan(cache, page_size=page_size)


@pytest.mark.parametrize("readers", [1, 4])
def test_closing_the_client_under_a_running_scan(
    connect, make_cache, bounded, readers: int
) -> None:
    cache = make_cache((k, k) for k in range(5000))
    c = connect()
    scan = c.scan(cache, page_size=10, batch_size=10, num_parallel_reads=readers)
    next(scan)
    closer = threading.Thread(target=c.close)
    closer.start()
    closer.join(FAST)
    assert not closer.is_alive()
    outcome = bounded(lambda: _drain(scan), FAST)
    assert isinstance(outcome.error, IgniteConnectionError), repr(outcome.error)


# --------------------------------------------------------------------------------------------
# Values that cannot be written


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (object(), "Python type object"),
        (np.zeros((2, 2)), "only 1-D arrays"),
        (np.zeros(3, np.complex64), "complex64"),
        (np.complex128(1j), "NumPy scalar"),
        (2**63, "does not fit in a Java long"),
        (-(2**63) - 1, "does not fit in a Java long"),
        (np.array([1, "a"], dtype=object), "strings"),
    ],
    ids=[
        "object",
        "2-D array",
        "complex array",
        "complex scalar",
        "int too big",
        "int too small",
        "object array of mixed",
    ],
)
def test_unsupported_value(client: Client, cache_name: str, value: object, message: str) -> None:
    client.create_cache(cache_name)
    with pytest.raises(IgniteValueError, match="cannot write value") as info:
        client.put(cache_name, 1, value)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)
    assert client.size(cache_name) == 0
    client.put(cache_name, 1, "fine")  # the connection is unaffected
    assert client.get(cache_name, 1) == "fine"


def test_unsupported_key_names_the_key(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    with pytest.raises(IgniteValueError, match="cannot write key: .*object"):
        client.put(cache_name, object(), 1)
    with pytest.raises(IgniteValueError, match="cannot write key"):
        client.get(cache_name, np.zeros((1, 1)))


def test_unsupported_nested_field_names_its_path(client: Client, cache_name: str, unique) -> None:
    client.create_cache(cache_name)
    value = BinaryObject(
        unique("Outer"),
        {"ok": 1, "meta": BinaryObject(unique("Inner"), {"good": "x", "bad": np.ones((3, 3))})},
    )
    with pytest.raises(IgniteValueError, match=r"value\.meta\.bad: only 1-D arrays"):
        client.put(cache_name, 1, value)
    with pytest.raises(IgniteValueError, match=r"value\.tags: object arrays must hold strings"):
        client.put(
            cache_name, 1, BinaryObject(unique("T"), {"tags": np.array(["a", 1.5], dtype=object)})
        )


def test_put_all_with_one_bad_entry_writes_nothing(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    with pytest.raises(IgniteValueError, match="object"):
        client.put_all(cache_name, [(1, "a"), (2, object()), (3, "c")])
    assert client.size(cache_name) == 0
    with pytest.raises(IgniteValueError, match="pairs"):
        client.put_all(cache_name, [(1, "a", "extra")])


def test_none_as_a_value_is_refused(client: Client, cache_name: str) -> None:
    client.create_cache(cache_name)
    with pytest.raises(IgniteError, match="null"):
        client.put(cache_name, 1, None)
    assert client.size(cache_name) == 0
    assert client.get(cache_name, 1) is None


def test_unsupported_sql_argument(client: Client) -> None:
    with pytest.raises(IgniteValueError, match="SQL argument"):
        client.sql("SELECT ?", [object()])
    with pytest.raises(IgniteValueError, match="SQL arguments must be"):
        client.sql("SELECT ?", [BinaryObject(TYPE_SQL_ARG, {"a": 1})])
    assert client.sql("SELECT ?", [3]).rows == [(3,)]


# --------------------------------------------------------------------------------------------
# A real node whose reply breaks in the middle of a scan page: a relay in front of the session
# node passes every message on and breaks only the third page of the scan.

OP_QUERY_SCAN_CURSOR_GET_PAGE = 2001
PAGE_ROWS = 3000


def _on_third_page(action):
    """An on_reply hook that answers the scan's third page (its second next-page reply) with
    ``action(frame)`` and passes every other reply on."""
    pages: list[int] = []
    lock = threading.Lock()

    def on_reply(op, frame):
        if op != OP_QUERY_SCAN_CURSOR_GET_PAGE:
            return None
        with lock:
            pages.append(len(frame))
            return action(frame) if len(pages) == 2 else None

    return on_reply


@pytest.fixture
def page_cache(make_cache, unique) -> str:
    """PAGE_ROWS objects: 30 pages at page_size=100, so a scan has pages after the third."""
    type_name = unique("PageRow")
    return make_cache(
        (k, BinaryObject(type_name, {"v": k, "s": f"row {k} " * 4})) for k in range(PAGE_ROWS)
    )


def _drain_rows(scan, seen: list[int]) -> int:
    for batch in scan:
        seen.append(len(batch["key"]))
    return sum(seen)


# page_size=2 with 4 readers: each reader scans partitions of ~3 rows, so next-page requests
# happen on every reader's connection.
@pytest.mark.parametrize(("readers", "page_size"), [(1, 100), (4, 2)])
def test_node_closing_the_socket_mid_page(
    relay, page_cache, bounded, readers: int, page_size: int
) -> None:
    r = relay(on_reply=_on_third_page(lambda frame: Relay.cut(len(frame) // 2)))
    c = Client(r.host, r.port, timeout=30)
    scan = c.scan(page_cache, page_size=page_size, batch_size=page_size, num_parallel_reads=readers)
    seen: list[int] = []
    outcome = bounded(lambda: _drain_rows(scan, seen), 20)
    assert r.acted.is_set()
    assert outcome.error is not None, f"the scan ended silently after {outcome.value} rows"
    assert isinstance(outcome.error, IgniteConnectionError), repr(outcome.error)
    assert not isinstance(outcome.error, IgniteTimeoutError)  # closed: no wait for the timeout
    assert outcome.elapsed < FAST
    assert r.address in str(outcome.error)
    assert sum(seen) < PAGE_ROWS
    assert bounded(scan.close, FAST).error is None
    assert bounded(c.close, FAST).error is None


def test_node_stalling_mid_page_times_out(relay, page_cache, bounded) -> None:
    r = relay(on_reply=_on_third_page(lambda frame: Relay.stall(len(frame) // 2)))
    c = Client(r.host, r.port, timeout=2)
    scan = c.scan(page_cache, page_size=100, batch_size=100)
    outcome = bounded(lambda: _drain_rows(scan, []), 20)
    assert r.acted.is_set()
    assert isinstance(outcome.error, IgniteTimeoutError), repr(outcome.error)
    assert 1.5 <= outcome.elapsed < 2 + 4, outcome.elapsed
    assert r.address in str(outcome.error)
    assert bounded(scan.close, FAST).error is None
    c.close()


REPLY_HEADER = 8 + 2  # request id, flags (protocol 1.4.0 and later)


@pytest.mark.parametrize(
    "garbage",
    [
        # The page's body overwritten with 0xFF bytes: a row count of -1, then junk.
        pytest.param(
            lambda f: (
                struct.pack("<i", len(f)) + f[:REPLY_HEADER] + b"\xff" * (len(f) - REPLY_HEADER)
            ),
            id="ff-body",
        ),
        # The page's row count doubled: the rows run out before the count does.
        pytest.param(
            lambda f: (
                struct.pack("<i", len(f))
                + f[:REPLY_HEADER]
                + struct.pack("<i", 2 * struct.unpack_from("<i", f, REPLY_HEADER)[0])
                + f[REPLY_HEADER + 4 :]
            ),
            id="row-count",
        ),
        # Not the thin-client protocol at all.
        pytest.param(lambda f: b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", id="http"),
    ],
)
def test_garbage_in_a_scan_page_is_a_protocol_error(relay, page_cache, bounded, garbage) -> None:
    r = relay(on_reply=_on_third_page(lambda frame: Relay.replace(garbage(frame))))
    c = Client(r.host, r.port, timeout=5)
    scan = c.scan(page_cache, page_size=100, batch_size=100)
    outcome = bounded(lambda: _drain_rows(scan, []), 20)
    assert r.acted.is_set()
    assert isinstance(outcome.error, IgniteProtocolError), repr(outcome.error)
    assert outcome.elapsed < FAST
    assert r.address in str(outcome.error) or page_cache in str(outcome.error)
    assert bounded(scan.close, FAST).error is None
    c.close()


# --------------------------------------------------------------------------------------------
# A program that exits while a thread waits inside a read

_EXIT_WHILE_READING = """
import os, sys, threading, time
import ignite_tf

client = ignite_tf.Client(sys.argv[1], int(sys.argv[2]), timeout=60)

def read():
    try:
        for _ in client.scan(sys.argv[3]):
            pass
    except Exception as error:  # the relay closes: an error, unless the interpreter is gone
        print("reader:", type(error).__name__, flush=True)

threading.Thread(target=read, daemon=True).start()
time.sleep(1.0)  # the reader waits in the core for a reply that does not come


# sys.stdout whose flush, once the interpreter is finalizing, says so and waits 3 s with the
# GIL released: the test ends the reader's wait then.
class SlowFinalFlush:

    def __init__(self, fd, is_finalizing=sys.is_finalizing, sleep=time.sleep, write=os.write):
        self.fd, self.is_finalizing, self.sleep, self.os_write = fd, is_finalizing, sleep, write

    def write(self, text):
        self.os_write(self.fd, text.encode())
        return len(text)

    def flush(self):
        if self.is_finalizing():
            self.os_write(self.fd, b"finalizing\\n")
            self.sleep(3.0)


sys.stdout = SlowFinalFlush(sys.__stdout__.fileno())
print("exiting")
"""


def test_exit_while_a_thread_waits_in_a_read_does_not_abort(relay, make_cache, tmp_path):
    """A thread inside a read when the program exits (a tf.data iterator left alive) comes back
    while the interpreter finalizes: it must not take the GIL (Python would end it with a
    forced unwind that aborts the process); the program exits normally."""
    cache = make_cache(entries=[(i, i) for i in range(10)])
    stalled = threading.Event()

    def stall_scans(op: int | None, frame: bytes) -> Any:
        if op == 2000:  # the scan's reply: hold it
            stalled.set()
            return ("stall", 0)
        return None

    relay_ = relay(on_reply=stall_scans)
    script = tmp_path / "exit_while_reading.py"
    script.write_text(_EXIT_WHILE_READING)
    proc = subprocess.Popen(
        [sys.executable, str(script), relay_.host, str(relay_.port), cache],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout.readline() == b"exiting\n"
        assert stalled.wait(10)
        assert proc.stdout.readline() == b"finalizing\n"
        relay_.close()  # the reader's wait ends in the middle of finalization
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    err = err.decode(errors="replace")
    assert b"reader:" not in out  # the reader never ran Python code again
    assert proc.returncode == 0, (proc.returncode, err)
    assert "terminate called" not in err
