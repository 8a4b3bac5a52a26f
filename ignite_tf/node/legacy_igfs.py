"""Ignite 2.8.1 nodes serving IGFS, the in-memory file system that left Ignite in 2.9.

The legacy ``igfs://`` backend speaks IGFS's own protocol (the original's port 10500) to such
nodes. :class:`LegacyIgfsNode` runs one: the jars of ``ignite_tf/server/pom-2.8.1.xml``, the
template ``ignite_tf/server/ignite-2.8.1-igfs.xml`` with IGFS on TCP 127.0.0.1 at a port of its
own (:attr:`LegacyIgfsNode.igfs_port`), ready once both the thin-client port and the IGFS
endpoint answer. ``$IGNITE_TF_TEST_IGFS_ADDRESS`` (``host:port`` of an IGFS endpoint) names a
node started elsewhere instead (:func:`external_igfs_endpoint`).

Example::

    with LegacyIgfsNode() as node:
        print(node.igfs_address)  # "127.0.0.1:<port>": IGFS's native protocol
"""

from __future__ import annotations

import os
import socket
import struct
from typing import Any

from ignite_tf.node.config import LEGACY_IGFS_CONFIG_TEMPLATE
from ignite_tf.node.external import ExternalNode, external_endpoint
from ignite_tf.node.ports import allocate_ports
from ignite_tf.node.probe import probe_thin_client
from ignite_tf.node.process import IgniteNode

ENV_TEST_IGFS_ADDRESS = "IGNITE_TF_TEST_IGFS_ADDRESS"
LEGACY_IGFS_VERSION = "2.8.1"

# IGFS frames (java.io.DataOutput, big-endian): a 24-byte header reqId:i64 cmd:i32 then 12 zero
# bytes; a reply adds a 9-byte result header resType:i32 hasErr:u8 len:i32.
_HEADER = struct.Struct(">qi12x")
_RESULT_HEADER = struct.Struct(">iBi")
_CMD_HANDSHAKE = 0
_CMD_CONTROL_RESPONSE = 19


def probe_igfs(host: str, port: int, timeout: float = 2.0) -> bool:
    """Tell whether an IGFS endpoint at ``host:port`` accepts a handshake.

    Sends HANDSHAKE (request id 0) for any filesystem (a null name) and no log directory, and
    checks that the reply is a control response without an error. Never raises for network
    errors; returns ``False`` instead.
    """
    null_string = b"\x01"  # IgniteUtils.writeString: an is-null flag, true
    hello = _HEADER.pack(0, _CMD_HANDSHAKE) + null_string + null_string
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(hello)
            reply = b""
            wanted = _HEADER.size + _RESULT_HEADER.size
            while len(reply) < wanted:
                chunk = sock.recv(wanted - len(reply))
                if not chunk:
                    return False
                reply += chunk
    except OSError:
        return False
    request_id, command = _HEADER.unpack_from(reply)
    _, has_error, _ = _RESULT_HEADER.unpack_from(reply, _HEADER.size)
    return request_id == 0 and command == _CMD_CONTROL_RESPONSE and has_error == 0


class LegacyIgfsNode(IgniteNode):
    """An Apache Ignite 2.8.1 node serving IGFS (named ``igfs``) over TCP on 127.0.0.1.

    ``region_max_size`` sizes the system data region too: IGFS keeps its file blocks there.
    Takes :class:`IgniteNode`'s options, except ``ignite_version`` (2.8.1) and, unless given,
    ``config_template`` (``ignite_tf/server/ignite-2.8.1-igfs.xml``) and ``ready_probe`` (the
    thin-client probe, then an IGFS handshake on :attr:`igfs_port`).

    Args:
        igfs_port: the IGFS endpoint's port; ``None`` picks a free one (kept across restarts).
    """

    def __init__(self, *, igfs_port: int | None = None, **options: Any) -> None:
        options.setdefault("config_template", LEGACY_IGFS_CONFIG_TEMPLATE)
        options.setdefault("ready_probe", self._ready)
        super().__init__(ignite_version=LEGACY_IGFS_VERSION, **options)
        self._igfs_port = igfs_port

    @property
    def igfs_port(self) -> int:
        """The IGFS endpoint's port (allocated at :meth:`~.IgniteNode.start` if not given)."""
        if self._igfs_port is None:
            raise RuntimeError("the node has no IGFS port yet; call start() first")
        return self._igfs_port

    @property
    def igfs_address(self) -> str:
        """``"127.0.0.1:<igfs port>"``."""
        return f"{self.host}:{self.igfs_port}"

    def _allocate(self) -> None:
        super()._allocate()
        if self._igfs_port is None:
            self._igfs_port = allocate_ports(1)[0]
        self._substitutions["@IGFS_PORT@"] = str(self._igfs_port)

    def _ready(self, host: str, port: int, timeout: float) -> bool:
        return probe_thin_client(host, port, timeout) and probe_igfs(host, self.igfs_port, timeout)


class ExternalIgfsNode(ExternalNode):
    """Stand-in for :class:`LegacyIgfsNode` naming an IGFS endpoint started elsewhere (its
    ``port`` is the IGFS port)."""

    @property
    def igfs_port(self) -> int:
        """The IGFS endpoint's port."""
        return self.port

    @property
    def igfs_address(self) -> str:
        """``"host:port"`` of the IGFS endpoint."""
        return self.address


def external_igfs_endpoint() -> tuple[str, int] | None:
    """``(host, port)`` of the IGFS endpoint named by ``$IGNITE_TF_TEST_IGFS_ADDRESS``, or
    ``None`` when unset or empty.

    Raises:
        ValueError: the value is not ``host:port``.
    """
    return external_endpoint(os.environ.get(ENV_TEST_IGFS_ADDRESS, ""))


__all__ = [
    "ENV_TEST_IGFS_ADDRESS",
    "LEGACY_IGFS_VERSION",
    "ExternalIgfsNode",
    "LegacyIgfsNode",
    "external_igfs_endpoint",
    "probe_igfs",
]
