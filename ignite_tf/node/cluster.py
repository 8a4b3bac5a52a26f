"""Several nodes that form one cluster: one shared discovery port range."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from ignite_tf.node.errors import IgniteNodeError
from ignite_tf.node.ports import allocate_ports
from ignite_tf.node.process import IgniteNode, _StopsOnExit


class IgniteCluster(_StopsOnExit):
    """Several :class:`IgniteNode` instances sharing one discovery range: one cluster.

    Nodes start one after the other; each :meth:`IgniteNode.start` returns
    after the node joined, so when :meth:`start` returns all ``size`` nodes
    are in the topology.

    Args:
        size: number of server nodes.
        discovery_range: size of the shared discovery port range (default
            ``size``; larger leaves room for :meth:`add_node`).
        **node_options: passed to every :class:`IgniteNode` (except
            ``client_port``, ``communication_port``, ``discovery_ports`` and
            ``work_dir``, which are per node; use ``work_root`` instead of
            ``work_dir`` to put the nodes' work directories under one folder).
    """

    def __init__(
        self,
        size: int = 2,
        *,
        discovery_range: int | None = None,
        work_root: str | os.PathLike[str] | None = None,
        **node_options: object,
    ) -> None:
        if size < 1:
            raise ValueError("size must be >= 1")
        for key in ("client_port", "communication_port", "discovery_ports", "work_dir"):
            if key in node_options:
                raise TypeError(f"{key} is chosen per node by IgniteCluster")
        span = discovery_range if discovery_range is not None else size
        if span < size:
            raise ValueError("discovery_range must be >= size")
        first = allocate_ports(span, contiguous=True)[0]
        self.discovery_ports: tuple[int, int] = (first, first + span - 1)
        self._size = size
        self._work_root = Path(work_root) if work_root is not None else None
        self._node_options = node_options
        self.nodes: list[IgniteNode] = []

    def _new_node(self) -> IgniteNode:
        work_dir = None
        if self._work_root is not None:
            work_dir = self._work_root / f"node-{len(self.nodes)}"
        node = IgniteNode(
            discovery_ports=self.discovery_ports,
            work_dir=work_dir,
            **self._node_options,  # type: ignore[arg-type]
        )
        self.nodes.append(node)
        return node

    def start(self) -> IgniteCluster:
        """Start all nodes; on failure stop those already started and re-raise."""
        try:
            while len(self.nodes) < self._size:
                self._new_node().start()
        except BaseException:
            self.stop()
            raise
        return self

    def add_node(self) -> IgniteNode:
        """Start one more node in this cluster (needs room in the discovery range)."""
        first, last = self.discovery_ports
        if len(self.nodes) >= last - first + 1:
            raise IgniteNodeError("the discovery range is full; pass a larger discovery_range")
        return self._new_node().start()

    def stop(self) -> None:
        """Stop every node (in reverse order); safe to call twice."""
        for node in reversed(self.nodes):
            node.stop()

    def kill(self, index: int) -> IgniteNode:
        """SIGKILL node ``index`` (a crash) and return once its JVM is gone.

        Its thin-client port then refuses connections; the other nodes drop it from the
        topology by themselves (:meth:`wait_for_topology` waits for that).  Its address and
        work directory stay, for :meth:`restart`.
        """
        node = self.nodes[index]
        node.kill()
        return node

    def restart(self, index: int) -> IgniteNode:
        """Start node ``index`` again (stopping it first if it runs): the same client and
        communication ports and work directory, into this cluster's discovery range, so it
        rejoins under the address clients already know.  Returns once it serves clients."""
        return self.nodes[index].restart()

    def wait_for_topology(self, servers: int, timeout: float = 60.0) -> int:
        """Wait until every running node has logged a topology of ``servers`` server nodes
        (after a kill, the survivors notice the loss within a second or two; after a start or
        restart, every node sees the newcomer).  Returns the topology version.

        Raises:
            IgniteNodeError: not within ``timeout`` seconds (the message says what each
                running node last logged).
        """
        deadline = time.monotonic() + timeout
        while True:
            running = [n for n in self.nodes if n.is_running()]
            seen = {n.address: n.topology() for n in running}
            if running and all(t is not None and t[1] == servers for t in seen.values()):
                return max(t[0] for t in seen.values() if t is not None)
            if time.monotonic() > deadline:
                raise IgniteNodeError(
                    f"the cluster did not reach {servers} server nodes within {timeout:g} s; "
                    f"last topology (version, servers) logged by each running node: {seen}"
                )
            time.sleep(0.1)

    @property
    def addresses(self) -> list[str]:
        """``host:port`` of each node's thin-client endpoint (killed nodes included; a
        restarted node comes back at the same address)."""
        return [n.address for n in self.nodes]

    @property
    def address(self) -> str:
        """The nodes' thin-client addresses as one string for clients,
        ``"h1:p1,h2:p2,h3:p3"`` (the many-addresses form of ``host``)."""
        return ",".join(self.addresses)

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[IgniteNode]:
        return iter(self.nodes)

    def __getitem__(self, index: int) -> IgniteNode:
        return self.nodes[index]

    def __enter__(self) -> IgniteCluster:
        return self.start()
