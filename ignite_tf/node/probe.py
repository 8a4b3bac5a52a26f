"""Is a node ready? A thin-client handshake and one request that needs the caches up."""

from __future__ import annotations

import socket
import ssl
import struct

from ignite_tf.node.protocol import (
    OP_CACHE_GET_NAMES,
    frame,
    handshake_request,
    parse_handshake_reply,
    recv_frame,
    reply_status,
    request,
)

# The oldest version a 2.x node speaks: its replies have the plain int32 status.
PROBE_VERSION = (1, 1, 0)


def probe_thin_client(
    host: str,
    port: int,
    timeout: float = 2.0,
    *,
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> bool:
    """Tell whether a node at ``host:port`` serves thin clients.

    Sends a protocol 1.1.0 handshake and, once accepted, a ``CACHE_GET_NAMES``
    request, which succeeds only when the node's cache processor is up.
    Never raises for network errors; returns ``False`` instead.

    Args:
        ssl_context: wrap the connection in TLS with this context (for nodes
            whose thin-client port has ``sslEnabled``).
        server_hostname: the name to verify and send as SNI (default ``host``).
        username, password: credentials, for nodes with authentication on.
    """
    hello = handshake_request(PROBE_VERSION, username=username, password=password)
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            sock = raw
            if ssl_context is not None:
                sock = ssl_context.wrap_socket(raw, server_hostname=server_hostname or host)
            try:
                sock.sendall(frame(hello))
                if not parse_handshake_reply(recv_frame(sock), PROBE_VERSION).accepted:
                    return False
                sock.sendall(frame(request(OP_CACHE_GET_NAMES, 1)))
                request_id, succeeded = reply_status(recv_frame(sock), PROBE_VERSION)
                return request_id == 1 and succeeded
            finally:
                if sock is not raw:
                    sock.close()
    except (OSError, ConnectionError, struct.error, ValueError):
        return False
