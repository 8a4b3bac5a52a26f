"""The server's write limit: how fast a node takes a workload from a client that does no work.

    python benchmarks/wire_writer.py --address 127.0.0.1:10800 --workload W2 --rows 100000 \\
        --cache BENCH_W2 --rows-per-request 1024 [--connections 2]

A minimal thin client in plain Python, the write-side twin of ``wire_reader.py`` (its
``WireConnection`` gives the handshake, protocol 1.7.0 with an empty feature mask, and the
reply framing). Every OP_CACHE_PUT_ALL (1004) request frame of the workload is encoded ONCE,
before timing, with NumPy over whole columns: keys as long objects, W1 values as byte arrays,
W2/W3 values as complex binary objects (type code 103) laid out as Ignite's own writer lays
them out (24-byte header, the fields in order, a compact footer of one-byte offsets; the type,
field and schema ids and the header hash computed as in the protocol notes), and the object's
type and schema are registered with OP_PUT_BINARY_TYPE (3003) first, as a client does before
its first write of a type. The timed part only sends each frame with ``sendall`` and waits for
its reply (one request in flight per connection; with ``connections`` > 1 each connection, on
its own thread, takes the next unsent request from a shared counter). No client of the same node
with the same rows per request and connections can write faster than this.

The values are throughput.py's (``workload_data``): every writer of the benchmark writes
the same rows, and the same checks read them back.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import threading
import time

import numpy as np
from loopback import run_on_threads
from wire_reader import WireConnection

from ignite_tf.node.protocol import TYPE_NULL, java_string_hash, string_object

OP_CACHE_PUT_ALL = 1004
OP_PUT_BINARY_TYPE = 3003
KEEP_BINARY = 0x01  # the cache-request flag ignite_tf and the Java client's withKeepBinary send

TYPE_INT = 3
TYPE_LONG = 4
TYPE_FLOAT = 5
TYPE_DOUBLE = 6
TYPE_BYTE_ARRAY = 12
TYPE_OBJECT = 103

FLAG_USER_TYPE = 0x01
FLAG_HAS_SCHEMA = 0x02
FLAG_OFFSET_ONE_BYTE = 0x08
FLAG_OFFSET_TWO_BYTES = 0x10
FLAG_COMPACT_FOOTER = 0x20
HEADER = 24

# NumPy dtype -> (Ignite type code, little-endian dtype) of a fixed-width field.
_SCALARS = {
    np.dtype(np.int32): (TYPE_INT, "<i4"),
    np.dtype(np.int64): (TYPE_LONG, "<i8"),
    np.dtype(np.float32): (TYPE_FLOAT, "<f4"),
    np.dtype(np.float64): (TYPE_DOUBLE, "<f8"),
}


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def binary_id(name: str) -> int:
    """A type or field id: Java String.hashCode of the lower-cased name (ASCII names here)."""
    return java_string_hash(name.lower())


def schema_id(field_ids: list[int]) -> int:
    """FNV-1 over the field ids in write order, each id's bytes least significant first."""
    if not field_ids:
        return 0
    s = 0x811C9DC5
    for field_id in field_ids:
        for shift in (0, 8, 16, 24):
            s ^= (field_id >> shift) & 0xFF
            s = (s * 0x01000193) & 0xFFFFFFFF
    return _int32(s)


def _header_hash(data: np.ndarray) -> np.ndarray:
    """The objects' header hash codes (int32): h = 1, then h = 31 h + b over every signed data
    byte. Computed as 31^L + sum(b_k 31^(L-1-k)) mod 2^32, a matrix product per block of rows
    (with the powers taken mod 2^32 the int64 sums stay far from overflowing)."""
    n, length = data.shape
    powers = np.array([pow(31, length - 1 - k, 1 << 32) for k in range(length)], np.int64)
    lead = pow(31, length, 1 << 32)
    out = np.empty(n, np.int32)
    step = 4096
    for start in range(0, n, step):
        block = data[start : start + step].view(np.int8).astype(np.int64)
        sums = (block @ powers + lead) & 0xFFFFFFFF
        out[start : start + step] = sums.astype(np.uint32).view(np.int32)
    return out


class ObjectLayout:
    """The fixed layout of binary objects of one type whose fields all have a fixed width: each
    field as a full typed value, in the given order, then a compact footer of offsets."""

    def __init__(self, type_name: str, columns: dict[str, np.ndarray]) -> None:
        self.type_name = type_name
        self.type_id = binary_id(type_name)
        self.fields = []  # (name, type code, field id, offset, encoded width)
        offset = HEADER
        for name, column in columns.items():
            if column.ndim == 2 and column.dtype == np.uint8:
                code, width = TYPE_BYTE_ARRAY, 1 + 4 + column.shape[1]
            elif column.ndim == 1 and column.dtype in _SCALARS:
                code = _SCALARS[column.dtype][0]
                width = 1 + column.dtype.itemsize
            else:
                raise ValueError(f"field {name}: no fixed-width encoding for {column.dtype}")
            self.fields.append((name, code, binary_id(name), offset, width))
            offset += width
        self.schema_offset = offset
        last = self.fields[-1][3]
        self.offset_width = 1 if last < 1 << 8 else 2 if last < 1 << 16 else 4
        self.flags = FLAG_USER_TYPE | FLAG_HAS_SCHEMA | FLAG_COMPACT_FOOTER
        self.flags |= {1: FLAG_OFFSET_ONE_BYTE, 2: FLAG_OFFSET_TWO_BYTES, 4: 0}[self.offset_width]
        self.length = offset + self.offset_width * len(self.fields)
        self.schema_id = schema_id([f[2] for f in self.fields])

    def encode(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """The objects of every row, one row of bytes each: an (n, length) uint8 array."""
        n = len(next(iter(columns.values())))
        out = np.empty((n, self.length), np.uint8)
        for (_, code, _, offset, width), column in zip(self.fields, columns.values()):
            out[:, offset] = code
            if code == TYPE_BYTE_ARRAY:
                out[:, offset + 1 : offset + 5] = np.frombuffer(
                    struct.pack("<i", column.shape[1]), np.uint8
                )
                out[:, offset + 5 : offset + width] = column
            else:
                raw = np.ascontiguousarray(column, dtype=_SCALARS[column.dtype][1])
                out[:, offset + 1 : offset + width] = raw.view(np.uint8).reshape(n, width - 1)
        footer = self.schema_offset
        offset_dtype = {1: "<u1", 2: "<u2", 4: "<u4"}[self.offset_width]
        offsets = np.array([f[3] for f in self.fields], offset_dtype).view(np.uint8)
        out[:, footer:] = offsets
        head = struct.pack(
            "<BBhiiiii",
            TYPE_OBJECT,
            1,
            self.flags,
            self.type_id,
            0,  # the hash, below
            self.length,
            self.schema_id,
            self.schema_offset,
        )
        out[:, :HEADER] = np.frombuffer(head, np.uint8)
        hashes = _header_hash(out[:, HEADER : self.schema_offset])
        out[:, 8:12] = hashes.astype("<i4").view(np.uint8).reshape(n, 4)
        return out

    def put_binary_type(self) -> bytes:
        """The body of OP_PUT_BINARY_TYPE registering this type with its one schema."""
        body = struct.pack("<i", self.type_id) + string_object(self.type_name)
        body += bytes([TYPE_NULL])  # no affinity key field
        body += struct.pack("<i", len(self.fields))
        for name, code, field_id, _, _ in self.fields:
            body += string_object(name) + struct.pack("<ii", code, field_id)
        body += struct.pack("<?i", False, 1)  # not an enum; one schema
        body += struct.pack("<ii", self.schema_id, len(self.fields))
        body += struct.pack(f"<{len(self.fields)}i", *(f[2] for f in self.fields))
        return body


def _long_keys(keys: np.ndarray) -> np.ndarray:
    out = np.empty((len(keys), 9), np.uint8)
    out[:, 0] = TYPE_LONG
    out[:, 1:] = np.ascontiguousarray(keys, dtype="<i8").view(np.uint8).reshape(len(keys), 8)
    return out


def _frame(request_id: int, cache: str, rows: int, entries: list) -> bytes:
    """A whole OP_CACHE_PUT_ALL request, its length prefix included."""
    body_length = 4 + 1 + 4 + sum(len(e) if isinstance(e, bytes) else e.nbytes for e in entries)
    head = struct.pack(
        "<ihqibi",
        10 + body_length,
        OP_CACHE_PUT_ALL,
        request_id,
        java_string_hash(cache),
        KEEP_BINARY,
        rows,
    )
    return b"".join([head, *entries])


def encode_requests(
    workload: str, data: dict[str, np.ndarray], cache: str, rows_per_request: int
) -> tuple[list[bytes], ObjectLayout | None]:
    """Every put-all request of `data` (write_throughput.workload_data's columns) and the layout
    of its values (None for W1's byte arrays). Request ids are 1, 2, ... in order."""
    keys = data["key"]
    n = len(keys)
    key_bytes = _long_keys(keys)
    layout = None
    if workload == "W1":
        values = data["value"]
        prefix = struct.pack("<bi", TYPE_BYTE_ARRAY, values.shape[1])
    else:
        columns = {k: v for k, v in data.items() if k not in ("key", "ID")}
        layout = ObjectLayout(data_type_name(workload), columns)
        records = np.concatenate([key_bytes, layout.encode(columns)], axis=1)
    frames = []
    for number, start in enumerate(range(0, n, rows_per_request), 1):
        end = min(n, start + rows_per_request)
        if workload == "W1":
            entries = []
            for i in range(start, end):
                entries += [key_bytes[i].tobytes(), prefix, values[i]]
        else:
            entries = [records[start:end]]
        frames.append(_frame(number, cache, end - start, entries))
    return frames, layout


def data_type_name(workload: str) -> str:
    return {"W2": "MnistRow", "W3": "BenchW3Row"}[workload]


class WireWriter:
    """Connections to one node that send pre-encoded requests."""

    def __init__(self, host: str, port: int, connections: int = 1, timeout: float = 600) -> None:
        self.links = [
            WireConnection(host, port, timeout, version=(1, 7, 0)) for _ in range(connections)
        ]

    def register(self, layout: ObjectLayout) -> None:
        self.links[0].call(OP_PUT_BINARY_TYPE, layout.put_binary_type())

    def send_all(self, frames: list[bytes]) -> int:
        """Sends every frame, each waiting for its reply; returns the bytes sent."""
        counter = iter(range(len(frames)))
        lock = threading.Lock()
        sent = [0] * len(self.links)

        def work(i: int) -> None:
            link = self.links[i]
            while True:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                message = frames[number]
                link.sock.sendall(message)
                reply = link._receive()
                request_id, flags = struct.unpack_from("<qh", reply, 4)
                if request_id != number + 1:
                    raise RuntimeError(f"reply to request {request_id}, expected {number + 1}")
                if flags & 1:
                    raise RuntimeError(f"put-all failed: {bytes(reply[14:300])!r}")
                sent[i] += len(message)

        if len(self.links) == 1:
            work(0)
        else:
            run_on_threads(work, len(self.links))
        return sum(sent)

    def close(self) -> None:
        for link in self.links:
            link.close()


def main(argv: list[str] | None = None) -> int:
    from write_throughput import WORKLOADS, workload_data

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", default="127.0.0.1:10800")
    parser.add_argument("--workload", required=True, choices=["W1", "W2", "W3"], type=str.upper)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--rows-per-request", type=int, default=1024)
    parser.add_argument("--connections", type=int, default=1)
    args = parser.parse_args(argv)
    host, _, port = args.address.rpartition(":")
    data = workload_data(args.workload, args.rows)
    frames, layout = encode_requests(args.workload, data, args.cache, args.rows_per_request)
    writer = WireWriter(host, int(port), args.connections)
    try:
        if layout is not None:
            writer.register(layout)
        started = time.perf_counter()
        sent = writer.send_all(frames)
        seconds = time.perf_counter() - started
    finally:
        writer.close()
    row_bytes = WORKLOADS[args.workload]["row_bytes"]
    result = {"rows": args.rows, "seconds": seconds, "wire_bytes": sent}
    print(json.dumps(result))
    print(
        f"{args.rows:,} rows in {seconds:.3f} s: {args.rows / seconds:,.0f} rows/s, "
        f"{args.rows * row_bytes / seconds / 1e6:,.1f} MB/s of payload"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
