"""pytest fixtures providing Apache Ignite server nodes (see :mod:`ignite_tf.testing`).

Registered through the ``pytest11`` entry point ``ignite_tf``; without the
installed entry point, load it with ``pytest -p ignite_tf.pytest_plugin``.

Fixtures:

``ignite_node`` (session)
    One node shared by the whole session, with ``.host``, ``.port`` and
    ``.address``.  It is an :class:`~ignite_tf.testing.IgniteNode` started
    for the session, or, when ``--ignite-address HOST:PORT`` or
    ``$IGNITE_TF_TEST_ADDRESS`` is given, an
    :class:`~ignite_tf.testing.ExternalNode` naming that node.
``ignite_node_factory`` (function)
    Starts extra local nodes: ``ignite_node_factory(**IgniteNode options)``
    returns a started node; ``ignite_node_factory.cluster(size, **options)``
    a started :class:`~ignite_tf.testing.IgniteCluster`.  All of them are
    stopped when the test ends.
``legacy_igfs_node`` (session)
    An Apache Ignite 2.8.1 node serving IGFS over its native protocol (the
    legacy ``igfs://`` backend), with ``.host``, ``.igfs_port`` and
    ``.igfs_address``: a :class:`~ignite_tf.node.legacy_igfs.LegacyIgfsNode`
    started on first use, or, when ``$IGNITE_TF_TEST_IGFS_ADDRESS`` gives the
    ``HOST:PORT`` of an IGFS endpoint, an
    :class:`~ignite_tf.node.legacy_igfs.ExternalIgfsNode` naming it.
``ignite_node_options`` (session)
    Keyword options for the nodes the two fixtures above start; ``{}`` by
    default.  Override it in a ``conftest.py`` to change them, e.g. to use
    another template::

        @pytest.fixture(scope="session")
        def ignite_node_options():
            return {"config_template": Path(__file__).parent / "server" / "sql.xml"}

When a test fails during setup, the tail of the log of each node it uses is
added to its report.  Importing this module is cheap: :mod:`ignite_tf.testing`
is imported only when a fixture is used.
"""

from __future__ import annotations

import socket
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ignite_tf.node.legacy_igfs import ExternalIgfsNode, LegacyIgfsNode
    from ignite_tf.testing import ExternalNode, IgniteCluster, IgniteNode

__all__ = [
    "IgniteNodeFactory",
    "ignite_node",
    "ignite_node_factory",
    "ignite_node_options",
    "legacy_igfs_node",
]

_LOG_TAIL_LINES = 40


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--ignite-address``."""
    group = parser.getgroup("ignite-tf", "ignite-tf Apache Ignite test node")
    group.addoption(
        "--ignite-address",
        dest="ignite_address",
        default=None,
        metavar="HOST:PORT",
        help=(
            "use the Apache Ignite node at HOST:PORT (thin-client port) for the "
            "ignite_node fixture instead of starting one; same as the "
            "IGNITE_TF_TEST_ADDRESS environment variable, which it overrides"
        ),
    )


def _external_endpoint(config: pytest.Config) -> tuple[str, int] | None:
    from ignite_tf.testing import ENV_TEST_ADDRESS, external_endpoint

    option = config.getoption("ignite_address", default=None)
    source = "--ignite-address" if option is not None else ENV_TEST_ADDRESS
    try:
        return external_endpoint(option)
    except ValueError as exc:
        raise pytest.UsageError(f"{source}: {exc}") from None


@pytest.fixture(scope="session")
def ignite_node_options() -> dict[str, Any]:
    """Keyword options for :class:`~ignite_tf.testing.IgniteNode` (override me)."""
    return {}


@pytest.fixture(scope="session")
def ignite_node(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    ignite_node_options: Mapping[str, Any],
) -> Iterator[IgniteNode | ExternalNode]:
    """The session's Ignite node: started here, or the external one if given.

    A started node's work directory (with ``node.log``) is under pytest's
    base temporary directory and is kept like other ``tmp_path`` data.
    """
    from ignite_tf.testing import ExternalNode, IgniteNode

    endpoint = _external_endpoint(request.config)
    if endpoint is not None:
        host, port = endpoint
        try:
            socket.create_connection((host, port), timeout=5.0).close()
        except OSError as exc:
            pytest.fail(
                f"no Ignite node reachable at {host}:{port} (given by "
                f"--ignite-address or IGNITE_TF_TEST_ADDRESS): {exc}",
                pytrace=False,
            )
        yield ExternalNode(host, port)
        return

    options = dict(ignite_node_options)
    options.setdefault("work_dir", tmp_path_factory.mktemp("ignite-node"))
    options.setdefault("print_log_on_failure", False)  # the error message has it
    yield from _running(IgniteNode(**options), "the session's Ignite node")


def _running(node: Any, what: str) -> Iterator[Any]:
    """Starts ``node``, yields it and stops it; a failed start fails the test with the log tail."""
    from ignite_tf.testing import IgniteNodeError

    try:
        error = None
        try:
            node.start()
        except IgniteNodeError as exc:
            error = str(exc)
        if error is not None:
            # The message already holds the node log tail; skip the traceback.
            pytest.fail(f"could not start {what}: {error}", pytrace=False)
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def legacy_igfs_node(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LegacyIgfsNode | ExternalIgfsNode]:
    """An Ignite 2.8.1 node serving IGFS: started here, or the external one if given.

    The node is small (512 MiB heap at most, a 128 MiB data region) and starts on first use;
    its work directory (with ``node.log``) is under pytest's base temporary directory.
    """
    from ignite_tf.node.legacy_igfs import (
        ENV_TEST_IGFS_ADDRESS,
        ExternalIgfsNode,
        LegacyIgfsNode,
        external_igfs_endpoint,
        probe_igfs,
    )

    try:
        endpoint = external_igfs_endpoint()
    except ValueError as exc:
        raise pytest.UsageError(f"{ENV_TEST_IGFS_ADDRESS}: {exc}") from None
    if endpoint is not None:
        host, port = endpoint
        if not probe_igfs(host, port, 5.0):
            pytest.fail(
                f"no IGFS endpoint answers a handshake at {host}:{port} "
                f"(given by {ENV_TEST_IGFS_ADDRESS})",
                pytrace=False,
            )
        yield ExternalIgfsNode(host, port)
        return

    node = LegacyIgfsNode(
        work_dir=tmp_path_factory.mktemp("legacy-igfs-node"),
        print_log_on_failure=False,
        heap_options=("-Xms128m", "-Xmx512m"),
        region_max_size=128 << 20,
    )
    yield from _running(node, "the Ignite 2.8.1 IGFS node")


class IgniteNodeFactory:
    """Starts local nodes for one test and stops them all afterwards.

    Work directories go under ``base_dir`` (the test's ``tmp_path``).
    """

    def __init__(self, base_dir: Path, defaults: Mapping[str, Any] | None = None) -> None:
        self.base_dir = base_dir
        self.defaults: dict[str, Any] = dict(defaults or {})
        self.nodes: list[IgniteNode] = []
        self.clusters: list[IgniteCluster] = []

    def _work_dir(self, kind: str) -> Path:
        return self.base_dir / f"{kind}-{len(self.nodes) + len(self.clusters)}"

    def __call__(self, **options: Any) -> IgniteNode:
        """Start a node with ``options`` (over the defaults) and return it."""
        from ignite_tf.testing import IgniteNode

        merged = {"print_log_on_failure": False, **self.defaults, **options}
        merged.setdefault("work_dir", self._work_dir("node"))
        node = IgniteNode(**merged)
        self.nodes.append(node)
        node.start()
        return node

    def cluster(self, size: int = 2, **options: Any) -> IgniteCluster:
        """Start ``size`` nodes forming one cluster and return them."""
        from ignite_tf.testing import IgniteCluster

        merged = {"print_log_on_failure": False, **self.defaults, **options}
        merged.pop("work_dir", None)
        merged.setdefault("work_root", self._work_dir("cluster"))
        cluster = IgniteCluster(size, **merged)
        self.clusters.append(cluster)
        cluster.start()
        return cluster

    def all_nodes(self) -> list[IgniteNode]:
        """Every node started so far, cluster members included."""
        return [*self.nodes, *(n for c in self.clusters for n in c.nodes)]

    def stop_all(self) -> None:
        """Stop every node; errors are collected and the first re-raised."""
        errors: list[BaseException] = []
        for node in reversed(self.all_nodes()):
            try:
                node.stop()
            except Exception as exc:  # noqa: BLE001 - stop the rest first
                errors.append(exc)
        if errors:
            raise errors[0]


@pytest.fixture
def ignite_node_factory(
    tmp_path: Path, ignite_node_options: Mapping[str, Any]
) -> Iterator[IgniteNodeFactory]:
    """Start extra local Ignite nodes for this test; stopped at teardown."""
    factory = IgniteNodeFactory(tmp_path, ignite_node_options)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """On a setup failure, attach the node log tails to the report."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when != "setup" or not report.failed:
        return
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    nodes: list[Any] = []
    for name in ("ignite_node", "legacy_igfs_node"):
        if name in funcargs:
            nodes.append(funcargs[name])
    factory = funcargs.get("ignite_node_factory")
    if isinstance(factory, IgniteNodeFactory):
        nodes.extend(factory.all_nodes())
    for node in nodes:
        log_path = node.log_path  # None: external, or never launched
        tail = node.log_tail(_LOG_TAIL_LINES) if log_path is not None else ""
        if tail:
            report.sections.append((f"ignite node {node.address}: {log_path}", tail))
