"""Several nodes that form one cluster: one shared discovery port range."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ignite_tf.node.errors import IgniteNodeError
from ignite_tf.node.ports import allocate_ports
from ignite_tf.node.process import IgniteNode, _StopsOnExit


class IgniteCluster(_StopsOnExit):
    """Several :class:`IgniteNode` s sharing one discovery range: one cluster.

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

    @property
    def addresses(self) -> list[str]:
        """``host:port`` of each node's thin-client endpoint."""
        return [n.address for n in self.nodes]

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[IgniteNode]:
        return iter(self.nodes)

    def __getitem__(self, index: int) -> IgniteNode:
        return self.nodes[index]

    def __enter__(self) -> IgniteCluster:
        return self.start()
