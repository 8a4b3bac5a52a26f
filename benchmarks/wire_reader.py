"""The server's serving limit: how fast a node hands a workload to a client that does no work.

    python benchmarks/wire_reader.py --address 127.0.0.1:10800 --cache BENCH_W1 --page-size 16
    python benchmarks/wire_reader.py --address ... --sql "SELECT C0 FROM BENCH_W3" --page-size 1024

A minimal thin client in plain Python, independent of ignite_tf's client (only its handshake
comes from ignite_tf.node.protocol, the package's one Python encoder of it): it speaks protocol
1.7.0 with an empty feature mask, as ignite_tf does, over one socket (or one socket per thread
with --connections N, each scanning whole partitions taken from a shared counter, as
``num_parallel_reads`` does), sends the same scan (OP_QUERY_SCAN 2000, then
OP_QUERY_SCAN_CURSOR_GET_PAGE 2001) or SQL query (OP_QUERY_SQL_FIELDS 2004, then 2005) as the
other readers with the same page size, receives every reply with ``recv_into`` into one reused
buffer, and looks only at the row count and the trailing "more" flag of each page. It decodes
nothing. No client of the same node, page size and connection count can read faster than this,
so ignite_tf's rate divided by this one says how close it is to what the server serves.
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Sequence

from loopback import run_on_threads

from ignite_tf.node import protocol
from ignite_tf.node.protocol import TYPE_NULL, TYPE_UUID, string_object

OP_QUERY_SCAN = 2000
OP_QUERY_SCAN_CURSOR_GET_PAGE = 2001
OP_QUERY_SQL_FIELDS = 2004
OP_QUERY_SQL_FIELDS_CURSOR_GET_PAGE = 2005
OP_GET_BINARY_TYPE = 3002
OP_CACHE_PARTITIONS = 1101
OP_RESOURCE_CLOSE = 0


class WireConnection:
    """One socket with the handshake done; replies land in one growing, reused buffer.

    `version` 1.1.0 (the default: the oldest reply header, a 4-byte status) or 1.7.0 (an empty
    feature mask; replies carry 2-byte flags), enough for the tools that record reply frames
    byte for byte (tests/fuzz/capture_corpus.py)."""

    def __init__(
        self, host: str, port: int, timeout: float, version: tuple[int, int, int] = (1, 1, 0)
    ) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.buf = bytearray(1 << 20)
        self.version = version
        self.request_id = 0
        self.wire_bytes = 0
        # No user; from 1.7.0 an empty feature mask.
        self.sock.sendall(protocol.frame(protocol.handshake_request(version)))
        self.handshake = bytes(self._receive())  # the reply with its length prefix
        reply = protocol.parse_handshake_reply(self.handshake[4:], version)
        if not reply.accepted:
            raise RuntimeError(f"handshake refused: {self.handshake[:64]!r}")
        self.node_id = reply.node_id  # from 1.4.0: the node's UUID (16 bytes)

    def _exactly(self, view: memoryview) -> None:
        got = 0
        while got < len(view):
            n = self.sock.recv_into(view[got:])
            if n == 0:
                raise ConnectionError("the node closed the connection")
            got += n

    def _receive(self) -> memoryview:
        """The next reply frame, its 4-byte length prefix included (valid until the next one)."""
        self._exactly(memoryview(self.buf)[:4])
        (length,) = struct.unpack_from("<i", self.buf)
        if 4 + length > len(self.buf):
            self.buf = bytearray(self.buf[:4]) + bytearray(length)
        frame = memoryview(self.buf)[: 4 + length]
        self._exactly(frame[4:])
        self.wire_bytes += 4 + length
        return frame

    def call(self, op: int, body: bytes) -> tuple[memoryview, int]:
        """Sends a request; returns the whole reply frame and where its body starts."""
        self.request_id += 1
        self.sock.sendall(struct.pack("<ihq", 10 + len(body), op, self.request_id) + body)
        frame = self._receive()
        (request_id,) = struct.unpack_from("<q", frame, 4)
        if request_id != self.request_id:
            raise RuntimeError(f"reply to request {request_id}, expected {self.request_id}")
        if self.version >= (1, 4, 0):  # flags: 1 error, 2 the affinity topology changed
            (flags,) = struct.unpack_from("<h", frame, 12)
            pos = 14 + (12 if flags & 2 else 0)
            failed = flags & 1
        else:
            (status,) = struct.unpack_from("<i", frame, 12)
            pos, failed = 16, status != 0
        if failed:
            raise RuntimeError(f"op {op} failed: {bytes(frame[pos : pos + 200])!r}")
        return frame, pos

    def scan(self, cache: str, page_size: int, partition: int = -1) -> int:
        """Reads a whole scan; returns its row count."""
        body = struct.pack(
            "<ibbiib", protocol.java_string_hash(cache), 0, TYPE_NULL, page_size, partition, 0
        )
        frame, pos = self.call(OP_QUERY_SCAN, body)
        cursor, rows = struct.unpack_from("<qi", frame, pos)
        while frame[-1]:  # more
            frame, pos = self.call(OP_QUERY_SCAN_CURSOR_GET_PAGE, struct.pack("<q", cursor))
            rows += struct.unpack_from("<i", frame, pos)[0]
        return rows

    def primaries(self, cache: str) -> dict[bytes, list[int]]:
        """The partitions of a cache by the id of their primary node (OP_CACHE_PARTITIONS,
        protocol 1.4.0+): the map a partition-aware client routes its scans by."""
        wanted = protocol.java_string_hash(cache)
        frame, pos = self.call(OP_CACHE_PARTITIONS, struct.pack("<ii", 1, wanted))
        pos += 12  # the affinity topology version
        (groups,) = struct.unpack_from("<i", frame, pos)
        pos += 4
        found: dict[bytes, list[int]] = {}
        for _ in range(groups):
            applicable, caches = struct.unpack_from("<?i", frame, pos)
            pos += 5
            ours = False
            for _ in range(caches):
                (cache_id,) = struct.unpack_from("<i", frame, pos)
                pos += 4
                ours = ours or cache_id == wanted
                if applicable:  # key configurations: (type id, affinity key field id) pairs
                    pos += 4 + 8 * struct.unpack_from("<i", frame, pos)[0]
            if not applicable:
                continue
            (nodes,) = struct.unpack_from("<i", frame, pos)
            pos += 4
            for _ in range(nodes):
                node = None
                if frame[pos] == TYPE_UUID:
                    node = bytes(frame[pos + 1 : pos + 17])
                    pos += 16
                (count,) = struct.unpack_from("<i", frame, pos + 1)
                parts = struct.unpack_from(f"<{count}i", frame, pos + 5)
                pos += 5 + 4 * count
                if ours and node is not None:
                    found[node] = list(parts)
        return found

    def sql(self, query: str, page_size: int, lazy: bool = False) -> int:
        """Runs a SQL fields query in schema PUBLIC (in Ignite's lazy mode with `lazy`); returns
        its row count."""
        body = (
            struct.pack("<ib", 0, 0)
            + string_object("PUBLIC")
            + struct.pack("<ii", page_size, 0)
            + string_object(query)
            + struct.pack("<ib", 0, 1)  # no arguments; statement type SELECT
            # distributedJoins, local, replicatedOnly, enforceJoinOrder, collocated, lazy
            + bytes(5)
            + bytes([1 if lazy else 0])
            + struct.pack("<qb", 0, 0)  # no timeout; no field names
        )
        frame, pos = self.call(OP_QUERY_SQL_FIELDS, body)
        cursor, _columns, rows = struct.unpack_from("<qii", frame, pos)
        while frame[-1]:
            frame, pos = self.call(OP_QUERY_SQL_FIELDS_CURSOR_GET_PAGE, struct.pack("<q", cursor))
            rows += struct.unpack_from("<i", frame, pos)[0]
        return rows

    def close(self) -> None:
        self.sock.close()


def read_limit(
    host: str,
    port: int,
    page_size: int,
    cache: str | None = None,
    sql: str | None = None,
    connections: int = 1,
    partitions: int = 0,
    timeout: float = 600,
    endpoints: Sequence[tuple[str, int]] = (),
    by_primary: bool = False,
    lazy: bool = False,
) -> dict:
    """Reads a cache (or runs a query, lazily with `lazy`) once; returns rows, seconds and the
    bytes on the wire.

    With ``connections > 1`` (cache scans only) each connection scans whole partitions
    ``0..partitions-1`` taken from a shared counter, on its own thread; recv_into releases the
    GIL, and there is nothing else to do per page. ``endpoints`` (``(host, port)`` of several
    nodes of one cluster) spreads the connections over them: connection ``i`` goes to
    ``endpoints[i % len(endpoints)]``, instead of all to ``host:port``. ``by_primary`` then
    routes each partition to a connection of its primary node (the cache's partition map), as
    a partition-aware client does, so no node forwards another's rows."""
    if (cache is None) == (sql is None):
        raise ValueError("give exactly one of cache= and sql=")
    if connections > 1 and (sql is not None or partitions <= 0):
        raise ValueError("connections > 1 needs a cache scan and its partition count")
    targets = list(endpoints) or [(host, port)]
    links = [
        WireConnection(*targets[i % len(targets)], timeout, version=(1, 7, 0))
        for i in range(connections)
    ]
    counts = [0] * connections
    # The partitions each connection may take: all from one counter, or its node's primaries
    # (those of a node without a connection go to every connection).
    queues = {None: iter(range(partitions))}
    if by_primary and cache is not None and connections > 1:
        by_node = links[0].primaries(cache)
        linked = {link.node_id for link in links}
        rest = [p for node, parts in by_node.items() if node not in linked for p in parts]
        queues = {node: iter(parts) for node, parts in by_node.items() if node in linked}
        queues[None] = iter(rest)
    lock = threading.Lock()

    def worker(i: int) -> None:
        own = queues.get(links[i].node_id, queues[None])
        while True:
            with lock:
                p = next(own, None)
                if p is None:
                    p = next(queues[None], None)
            if p is None:
                return
            counts[i] += links[i].scan(cache, page_size, p)

    started = time.perf_counter()
    try:
        if connections == 1:
            counts[0] = (
                links[0].scan(cache, page_size) if cache else links[0].sql(sql, page_size, lazy)
            )
        else:
            run_on_threads(worker, connections)
        seconds = time.perf_counter() - started
    finally:
        for link in links:
            link.close()
    return {
        "rows": sum(counts),
        "seconds": seconds,
        "wire_bytes": sum(link.wire_bytes for link in links),
        "connections": connections,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", default="127.0.0.1:10800")
    parser.add_argument("--cache")
    parser.add_argument("--sql")
    parser.add_argument("--page-size", type=int, default=1024)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=0)
    args = parser.parse_args(argv)
    host, _, port = args.address.rpartition(":")
    result = read_limit(
        host, int(port), args.page_size, args.cache, args.sql, args.connections, args.partitions
    )
    print(json.dumps(result))
    print(
        f"{result['rows']:,} rows in {result['seconds']:.3f} s: "
        f"{result['rows'] / result['seconds']:,.0f} rows/s, "
        f"{result['wire_bytes'] / result['seconds'] / 1e6:,.0f} MB/s on the wire"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
