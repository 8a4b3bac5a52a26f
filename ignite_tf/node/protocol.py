"""The thin-client handshake (and the little else) that Python code writes by hand.

ignite_tf's client speaks Apache Ignite's thin-client protocol in C++ (``src/core/client``).
Some Python code must speak a little of it without the compiled core, or as no client would:
the launcher's readiness probe (:mod:`ignite_tf.node.probe`), the tests' fake servers and
relay, the benchmarks' server-limit reader and the fuzz corpus capture. They all build and
read the handshake here, so its layout is written once.

Every message travels behind a little-endian int32 length (:func:`frame`, :func:`recv_frame`);
the other functions build and parse messages without it.

Handshake request: op code 1, the version (three int16), client code 2 (thin client); from
1.7.0 the client's feature bitmask (a byte array); then the user name and password strings when
a user is given. Before 1.7.0 the two strings are always there, null without a user (what the
probe has always sent); from 1.7.0 they are left out, as ignite_tf's client does.

Handshake reply: byte 1 (accepted), from 1.7.0 the server's feature bitmask (a byte array or
null), from 1.4.0 perhaps the node's id (a UUID); or byte 0 (refused), the version the server
offers instead, a message string and a status code (2000: the credentials were refused).

Example::

    with socket.create_connection((host, port)) as sock:
        sock.sendall(frame(handshake_request((1, 7, 0), username="ignite", password="ignite")))
        reply = parse_handshake_reply(recv_frame(sock), (1, 7, 0))
        assert reply.accepted, reply.message
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

Version = tuple[int, int, int]

OP_HANDSHAKE = 1
OP_CACHE_GET_NAMES = 1050
THIN_CLIENT = 2  # the client code of a thin client in the handshake

TYPE_STRING = 9
TYPE_UUID = 10
TYPE_BYTE_ARRAY = 12
TYPE_NULL = 101

STATUS_FAILED = 1
STATUS_AUTH_FAILED = 2000

# From this version the handshake carries feature bitmasks.
FEATURES_SINCE: Version = (1, 7, 0)
# From this version a reply's header has int16 flags (bit 0: error) instead of an int32 status.
FLAGS_SINCE: Version = (1, 4, 0)

MAX_FRAME = 1 << 24


# --------------------------------------------------------------------------------------------
# Framing


def frame(message: bytes) -> bytes:
    """``message`` behind its int32 length, as it goes on the wire."""
    return struct.pack("<i", len(message)) + message


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Exactly ``n`` bytes from ``sock``; ConnectionError if the peer closes first."""
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return bytes(buf)


def recv_frame(sock: socket.socket, max_length: int = MAX_FRAME) -> bytes:
    """The next message from ``sock``, without its length.

    Raises:
        ConnectionError: the peer closed first, or the length is negative or over
            ``max_length``.
    """
    (length,) = struct.unpack("<i", recv_exact(sock, 4))
    if not 0 <= length <= max_length:
        raise ConnectionError(f"bad message length {length}")
    return recv_exact(sock, length)


# --------------------------------------------------------------------------------------------
# Values


def java_string_hash(text: str) -> int:
    """Java's String.hashCode() (over UTF-16 units, int32 wrap-around): a cache's id."""
    h = 0
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h = (31 * h + int.from_bytes(data[i : i + 2], "little")) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def string_object(text: str | None) -> bytes:
    """A String object (type code 9, int32 length, UTF-8), or null for ``None``."""
    if text is None:
        return bytes([TYPE_NULL])
    data = text.encode("utf-8")
    return struct.pack("<bi", TYPE_STRING, len(data)) + data


def byte_array_object(data: bytes | None) -> bytes:
    """A byte[] object (type code 12, int32 length, the bytes), or null for ``None``."""
    if data is None:
        return bytes([TYPE_NULL])
    return struct.pack("<bi", TYPE_BYTE_ARRAY, len(data)) + bytes(data)


# --------------------------------------------------------------------------------------------
# Handshake


def handshake_request(
    version: Version = (1, 1, 0),
    *,
    features: bytes | None = None,
    username: str | None = None,
    password: str | None = None,
) -> bytes:
    """The handshake a thin client sends first (without the length).

    Args:
        version: the protocol version asked for.
        features: the client's feature bitmask (1.7.0 and later; default empty).
        username: sent with ``password`` (``None``: ``""``) when given.
    """
    major, minor, patch = version
    message = struct.pack("<bhhhb", OP_HANDSHAKE, major, minor, patch, THIN_CLIENT)
    if version >= FEATURES_SINCE:
        message += byte_array_object(features or b"")
    elif features is not None:
        raise ValueError(f"protocol {major}.{minor}.{patch} has no feature bitmask")
    if username is not None:
        message += string_object(username) + string_object(password or "")
    elif version < FEATURES_SINCE:
        message += string_object(None) + string_object(None)
    return message


def handshake_version(message: bytes) -> Version:
    """The version a handshake request (without its length) asks for; also the version a
    refusal offers (both stand at bytes 1 to 6)."""
    major, minor, patch = struct.unpack_from("<hhh", message, 1)
    return (major, minor, patch)


def handshake_accepted(version: Version, *, features: bytes | None = None) -> bytes:
    """A server's reply accepting a handshake at ``version`` (without the length or a node id).

    From 1.7.0 it carries ``features`` as the server's feature bitmask (``None``: null).
    """
    if version >= FEATURES_SINCE:
        return b"\x01" + byte_array_object(features)
    if features is not None:
        raise ValueError(f"protocol {'.'.join(map(str, version))} has no feature bitmask")
    return b"\x01"


def handshake_rejection(offer: Version, message: str, status: int = STATUS_FAILED) -> bytes:
    """A server's reply refusing a handshake (without the length), as Ignite writes it for a
    client that asked for 1.1.0 or newer: the version it offers, why, and a status."""
    return (
        b"\x00" + struct.pack("<hhh", *offer) + string_object(message) + struct.pack("<i", status)
    )


@dataclass(frozen=True)
class HandshakeReply:
    """A parsed handshake reply."""

    accepted: bool
    features: bytes | None = None  # accepted, 1.7.0+: the server's bitmask (None: null)
    node_id: bytes | None = None  # accepted, 1.4.0+: the node's UUID, 16 bytes, if sent
    offer: Version | None = None  # refused: the version the server offers instead
    message: str = ""  # refused: the server's reason
    status: int = 0  # refused: STATUS_AUTH_FAILED for bad credentials, else STATUS_FAILED


def parse_handshake_reply(message: bytes, version: Version) -> HandshakeReply:
    """Parse the reply (without its length) to a handshake that asked for ``version``.

    Raises:
        ValueError: the message is truncated or is no handshake reply.
    """
    try:
        return _parse_handshake_reply(bytes(message), version)
    except (struct.error, IndexError) as exc:
        raise ValueError(f"truncated handshake reply: {exc}") from exc


def _parse_handshake_reply(message: bytes, version: Version) -> HandshakeReply:
    (success,) = struct.unpack_from("<B", message)
    pos = 1
    if success == 1:
        features = None
        if version >= FEATURES_SINCE:
            features, pos = _read_nullable(message, pos, TYPE_BYTE_ARRAY)
        node_id = None
        if version >= FLAGS_SINCE and pos < len(message) and message[pos] == TYPE_UUID:
            node_id = message[pos + 1 : pos + 17]
            if len(node_id) != 16:
                raise ValueError("truncated node id in the handshake reply")
        return HandshakeReply(True, features=features, node_id=node_id)
    if success != 0:
        raise ValueError(f"not a handshake reply: it starts with byte {success}")
    offer = handshake_version(message)
    pos += 6
    text, pos = _read_nullable(message, pos, TYPE_STRING)
    status = STATUS_FAILED
    if len(message) - pos >= 4:
        (status,) = struct.unpack_from("<i", message, pos)
    reason = text.decode("utf-8", errors="replace") if text is not None else ""
    return HandshakeReply(False, offer=offer, message=reason, status=status)


def _read_nullable(message: bytes, pos: int, type_code: int) -> tuple[bytes | None, int]:
    """A length-prefixed value of ``type_code`` (or null) at ``pos``; its bytes and the end."""
    code = message[pos]
    if code == TYPE_NULL:
        return None, pos + 1
    if code != type_code:
        raise ValueError(f"expected type code {type_code} or null at byte {pos}, got {code}")
    (length,) = struct.unpack_from("<i", message, pos + 1)
    start = pos + 5
    if length < 0 or start + length > len(message):
        raise ValueError(f"bad length {length} at byte {pos + 1} of the handshake reply")
    return message[start : start + length], start + length


# --------------------------------------------------------------------------------------------
# Requests after the handshake


def request(op: int, request_id: int, body: bytes = b"") -> bytes:
    """A request message (without the length): op code, request id, body."""
    return struct.pack("<hq", op, request_id) + body


def reply_status(message: bytes, version: Version) -> tuple[int, bool]:
    """``(request id, succeeded)`` of a reply (without its length) on a ``version`` connection.

    Raises:
        struct.error: the message is shorter than a reply header.
    """
    if version >= FLAGS_SINCE:
        request_id, flags = struct.unpack_from("<qh", message)
        return request_id, not flags & 1
    request_id, status = struct.unpack_from("<qi", message)
    return request_id, status == 0
