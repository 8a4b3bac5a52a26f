"""Start local Apache Ignite server nodes for tests, benchmarks and tools.

The launcher lives in the package :mod:`ignite_tf.node` (one module per job:
Maven jars, Java, ports, configs, the handshake probe, node processes); this
module is its public face and keeps every name it has always offered.

Typical use::

    from ignite_tf.testing import IgniteNode

    with IgniteNode() as node:
        print(node.address)  # "127.0.0.1:<port>"; talk to it with any thin client

The environment variables it honours are listed in :mod:`ignite_tf.node`.
"""

from __future__ import annotations

from ignite_tf.node import *  # noqa: F403 - the package's public names, listed in its __all__
from ignite_tf.node import __all__ as _node_all

# Names beyond __all__ that callers use (benchmarks/java_reader.py: _java_major_version).
from ignite_tf.node.config import DEFAULT_REGION_MAX_SIZE  # noqa: F401
from ignite_tf.node.java import MAIN_CLASS, _java_major_version  # noqa: F401
from ignite_tf.node.maven import SERVER_DIR  # noqa: F401
from ignite_tf.node.ports import LOCALHOST  # noqa: F401
from ignite_tf.node.process import DEFAULT_STARTUP_TIMEOUT, DEFAULT_STOP_TIMEOUT  # noqa: F401

__all__ = list(_node_all)
