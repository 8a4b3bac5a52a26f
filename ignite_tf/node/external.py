"""A node started elsewhere: ``$IGNITE_TF_TEST_ADDRESS`` instead of a node of our own.

Environment: ``IGNITE_TF_TEST_ADDRESS`` (``host:port`` of a running node);
all of the launcher's variables are described in :mod:`ignite_tf.node`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_TEST_ADDRESS = "IGNITE_TF_TEST_ADDRESS"


def _parse_address(text: str) -> tuple[str, int]:
    host, sep, port_text = text.strip().rpartition(":")
    host = host.strip("[]")
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not sep or not host or not 0 < port < 65536:
        raise ValueError(f"expected host:port, got {text!r}")
    return host, port


def external_endpoint(value: str | None = None) -> tuple[str, int] | None:
    """Return the ``(host, port)`` of a node to use instead of starting one.

    Args:
        value: a ``host:port`` string to parse; by default the value of
            ``$IGNITE_TF_TEST_ADDRESS``.

    Returns:
        ``None`` when no external node is configured (unset or empty).

    Raises:
        ValueError: the value is not ``host:port``.
    """
    if value is None:
        value = os.environ.get(ENV_TEST_ADDRESS, "")
    if not value.strip():
        return None
    return _parse_address(value)


@dataclass(frozen=True)
class ExternalNode:
    """Stand-in for :class:`IgniteNode` describing a node started elsewhere."""

    host: str
    port: int

    @property
    def address(self) -> str:
        """``"host:port"``."""
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path | None:
        """Always ``None`` (the log of an external node is not known)."""
        return None

    def log_tail(self, lines: int = 60) -> str:
        """Always ``""``."""
        return ""
