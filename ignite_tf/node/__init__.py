"""Start local Apache Ignite server nodes for tests, benchmarks and tools.

A node is an ordinary ``java`` process running Ignite's
``CommandLineStartup`` on a Spring XML configuration rendered from a template
(by default the packaged ``ignite_tf/server/ignite-node.xml``).  The server
jars are resolved once with Maven from ``ignite_tf/server/pom.xml``, the only
place where the Ignite version is pinned, and cached.

Typical use::

    from ignite_tf.node import IgniteNode   # also importable from ignite_tf.testing

    with IgniteNode() as node:
        print(node.address)  # "127.0.0.1:<port>"; talk to it with any thin client

One module per job:

===============  ============================================================================
``maven``        the pinned Ignite version and its jars, resolved with Maven
``java``         finding ``java``; a node's command line and every JVM flag in it
``ports``        free local ports
``config``       Spring XML templates and their ``@NAME@`` placeholders
``protocol``     the thin-client handshake, written once for all Python code
``probe``        is a node serving thin clients yet?
``process``      one node as a child process (:class:`~ignite_tf.testing.IgniteNode`)
``cluster``      several nodes in one cluster (:class:`~ignite_tf.testing.IgniteCluster`)
``external``     a node started elsewhere (``$IGNITE_TF_TEST_ADDRESS``)
``legacy_igfs``  Ignite 2.8.1 nodes serving IGFS (:class:`~ignite_tf.testing.LegacyIgfsNode`)
===============  ============================================================================

Where things go:

- A JVM flag every node gets: ``DEFAULT_JVM_OPTIONS`` in ``java.py`` (the
  order of the whole command line is ``node_command()`` there).  For one
  node: ``IgniteNode(jvm_options=[...])``; for one run: ``$IGNITE_TF_JVM_OPTS``.
- An Ignite setting every node gets: the packaged template
  ``ignite_tf/server/ignite-node.xml`` (a fixed value), or a placeholder
  (a value that varies per node).
- A built-in ``@NAME@`` placeholder: one line in ``node_placeholders()`` in
  ``config.py``, and its line in the template's header comment.  A value
  only some templates need: ``IgniteNode(substitutions={"NAME": value})``.
- A new node configuration: a Spring XML template using the built-in
  placeholders (start from ``ignite-node.xml``), passed as
  ``IgniteNode(config_template=...)``.  Tests keep theirs in ``tests/server/``
  (``conftest.start_node``); a packaged one goes beside ``ignite-node.xml``
  in ``ignite_tf/server/`` (shipped with the wheel) with its path constant
  beside ``DEFAULT_CONFIG_TEMPLATE`` in ``config.py``.

Environment variables:

``IGNITE_TF_TEST_ADDRESS``
    ``host:port`` of an already running node; tests and tools that honour
    :func:`~ignite_tf.testing.external_endpoint` use it instead of starting one.
``IGNITE_TF_TEST_IGFS_ADDRESS``
    ``host:port`` of a running IGFS endpoint (Ignite 2.8.x) for the
    ``legacy_igfs_node`` fixture, instead of a :class:`~ignite_tf.testing.LegacyIgfsNode`.
``IGNITE_TF_IGNITE_LIBS``
    a directory of Ignite server jars to use as is (no Maven, no cache).
``IGNITE_TF_CACHE_DIR``
    where resolved jars are cached (default ``~/.cache/ignite-tf``, or
    ``$XDG_CACHE_HOME/ignite-tf``); jars go to ``ignite-<version>/libs``.
``IGNITE_TF_JVM_OPTS``
    extra JVM options appended to every node's command line, split like a
    shell would, e.g. ``"-DIGNITE_QUIET=false -Xmx2g"``.
``JAVA_HOME``
    the JDK whose ``bin/java`` runs the nodes (else ``java`` on ``PATH``).
"""

from __future__ import annotations

from ignite_tf.node.cluster import IgniteCluster
from ignite_tf.node.config import DEFAULT_CONFIG_TEMPLATE
from ignite_tf.node.errors import IgniteNodeError
from ignite_tf.node.external import ENV_TEST_ADDRESS, ExternalNode, external_endpoint
from ignite_tf.node.java import DEFAULT_HEAP_OPTIONS, ENV_JVM_OPTS, find_java, jvm_add_opens
from ignite_tf.node.legacy_igfs import ENV_TEST_IGFS_ADDRESS, LegacyIgfsNode, probe_igfs
from ignite_tf.node.maven import (
    ENV_CACHE_DIR,
    ENV_IGNITE_LIBS,
    LEGACY_IGFS_POM_PATH,
    POM_PATH,
    ignite_libs_dir,
    ignite_version,
    resolve_ignite_classpath,
)
from ignite_tf.node.ports import allocate_ports
from ignite_tf.node.probe import probe_thin_client
from ignite_tf.node.process import IgniteNode

__all__ = [
    "DEFAULT_CONFIG_TEMPLATE",
    "DEFAULT_HEAP_OPTIONS",
    "ENV_CACHE_DIR",
    "ENV_IGNITE_LIBS",
    "ENV_JVM_OPTS",
    "ENV_TEST_ADDRESS",
    "ENV_TEST_IGFS_ADDRESS",
    "LEGACY_IGFS_POM_PATH",
    "POM_PATH",
    "ExternalNode",
    "IgniteCluster",
    "IgniteNode",
    "IgniteNodeError",
    "LegacyIgfsNode",
    "allocate_ports",
    "external_endpoint",
    "find_java",
    "ignite_libs_dir",
    "ignite_version",
    "jvm_add_opens",
    "probe_igfs",
    "probe_thin_client",
    "resolve_ignite_classpath",
]
