"""Distributed training from an Ignite cluster: shards, per-worker partitions and ``TF_CONFIG``.

The article's idea in today's TensorFlow: Ignite already knows where the data lives, so it can
say where the workers should run and which rows each one reads.

- :func:`shard_partitions`: a deterministic split of a partition list into disjoint shards.
- :func:`worker_partitions`: the partitions one worker reads, preferring those whose primary copy
  lives on the worker's own node or host (so training data does not cross the network); together
  the workers' sets are disjoint and cover every partition once.
- :func:`dataset_fn`: a function for ``tf.distribute.Strategy.distribute_datasets_from_function``
  that maps the ``InputContext`` to :func:`worker_partitions`.
- :func:`tf_config`: the ``TF_CONFIG`` of a ``MultiWorkerMirroredStrategy`` cluster built from the
  Ignite cluster's server nodes: one worker per Ignite host, or one per node when all nodes share
  one host (a laptop, a test).

Every worker must compute its set from the same partition map: the map is the cluster's
(primary partitions of the current affinity topology), so it is the same for all workers unless a
node joins or leaves between their calls. Pass ``partition_map=`` (e.g. computed once and
shipped to the workers) when the topology may change during startup.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ignite_tf.errors import IgniteValueError

__all__ = [
    "dataset_fn",
    "shard_partitions",
    "tf_config",
    "worker_partitions",
]


def shard_partitions(partitions: Sequence[int], num_shards: int, shard_index: int) -> list[int]:
    """Shard ``shard_index`` of ``num_shards``: every ``num_shards``-th partition in index order.

    Strided rather than in blocks, so that each shard takes partitions from the whole key space
    (and from every node). The shards are disjoint and together hold every partition once.
    """
    _check_index("shard_index", shard_index, "num_shards", num_shards)
    return sorted(int(p) for p in partitions)[shard_index::num_shards]


def _check_index(name: str, index: Any, count_name: str, count: Any) -> None:
    for n, v in ((count_name, count), (name, index)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise IgniteValueError(f"{n} must be an int, got {type(v).__name__}")
    if count < 1:
        raise IgniteValueError(f"{count_name} must be at least 1, got {count}")
    if not 0 <= index < count:
        raise IgniteValueError(f"{name} must be in [0, {count}), got {index}")


def _host_key(host: str) -> str:
    """A host name compared by address: "localhost" and "127.0.0.1" are the same host."""
    try:
        return socket.gethostbyname(host)
    except OSError:
        return host.lower()


def _workers_by_node(
    nodes: Sequence[Mapping[str, Any]], worker_hosts: Sequence[str]
) -> dict[str, list[int]]:
    """Node id -> the workers that read its primary partitions (empty: none on its host).

    On each host the workers (in index order) are paired with the nodes (in port order): with
    fewer workers than nodes, node j goes to worker j mod m; with more, worker i reads node
    i mod k's partitions together with the other workers paired with it.
    """
    nodes_on: dict[str, list[Mapping[str, Any]]] = {}
    for node in sorted(nodes, key=lambda n: (_host_key(str(n["host"])), int(n["port"]))):
        nodes_on.setdefault(_host_key(str(node["host"])), []).append(node)
    workers_on: dict[str, list[int]] = {}
    for index, host in enumerate(worker_hosts):
        workers_on.setdefault(_host_key(host), []).append(index)
    out: dict[str, list[int]] = {str(n["node_id"]): [] for n in nodes}
    for host, host_nodes in nodes_on.items():
        workers = workers_on.get(host, [])
        if not workers:
            continue
        k, m = len(host_nodes), len(workers)
        for j, node in enumerate(host_nodes):
            if m <= k:
                out[str(node["node_id"])] = [workers[j % m]]
            else:
                out[str(node["node_id"])] = [w for i, w in enumerate(workers) if i % k == j]
    return out


def assign_partitions(
    partition_map: Mapping[int, str],
    nodes: Sequence[Mapping[str, Any]],
    worker_hosts: Sequence[str],
) -> list[list[int]]:
    """Every worker's partitions: disjoint, covering ``partition_map``, local where possible.

    A partition goes to a worker paired with its primary node (see :func:`_workers_by_node`;
    several such workers take turns); a partition whose primary has no worker on its host goes
    to the worker with the fewest partitions so far (lowest index on a tie). Deterministic:
    every worker that calls this with the same arguments gets the same answer.
    """
    if not worker_hosts:
        raise IgniteValueError("at least one worker is needed")
    paired = _workers_by_node(nodes, worker_hosts)
    out: list[list[int]] = [[] for _ in worker_hosts]
    turn: dict[str, int] = {}
    remote: list[int] = []
    for partition in sorted(partition_map):
        node = str(partition_map[partition])
        workers = paired.get(node, [])
        if workers:
            i = turn.get(node, 0)
            turn[node] = i + 1
            out[workers[i % len(workers)]].append(partition)
        else:
            remote.append(partition)
    for partition in remote:
        fewest = min(range(len(out)), key=lambda w: (len(out[w]), w))
        out[fewest].append(partition)
    return [sorted(p) for p in out]


def _tf_config_workers() -> list[str] | None:
    """The worker hosts listed in ``$TF_CONFIG`` (None when it is not set)."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        return None
    try:
        workers = json.loads(text)["cluster"]["worker"]
    except (ValueError, KeyError, TypeError) as e:
        raise IgniteValueError(f"TF_CONFIG has no cluster.worker list: {e}") from None
    return [str(w).rsplit(":", 1)[0].strip("[]") for w in workers]


def worker_partitions(
    client: Any,
    cache_name: str,
    num_workers: int,
    worker_index: int,
    *,
    prefer_local: bool = True,
    worker_hosts: Sequence[str] | None = None,
    partition_map: Mapping[int, str] | None = None,
) -> list[int]:
    """The partitions of ``cache_name`` that worker ``worker_index`` of ``num_workers`` reads.

    Args:
        client: an :class:`ignite_tf.Client` connected to the cluster.
        cache_name: the cache (a partitioned cache with a partition map).
        num_workers, worker_index: the worker's place, e.g. an ``InputContext``'s
            ``num_input_pipelines`` and ``input_pipeline_id``.
        prefer_local: give each worker the partitions whose primary copy lives on its own node
            or host. The worker hosts come from ``worker_hosts`` or else ``$TF_CONFIG``'s
            ``cluster.worker`` list; without either (or with ``prefer_local=False``) the
            partitions are shared out by index (:func:`shard_partitions`).
        worker_hosts: the host of each worker, in worker-index order.
        partition_map: partition -> primary node id, as :meth:`.Client.partition_map` returns
            it; by default asked from the cluster now.

    Returns:
        Sorted partition indices; the workers' lists are disjoint and cover every partition.
    """
    _check_index("worker_index", worker_index, "num_workers", num_workers)
    if partition_map is None:
        partition_map = client.partition_map(cache_name)
    hosts = list(worker_hosts) if worker_hosts is not None else None
    if prefer_local and hosts is None:
        hosts = _tf_config_workers()
    if not prefer_local or hosts is None:
        return shard_partitions(list(partition_map), num_workers, worker_index)
    if len(hosts) != num_workers:
        raise IgniteValueError(
            f"{len(hosts)} worker hosts are listed (worker_hosts or TF_CONFIG) for "
            f"num_workers={num_workers}"
        )
    return assign_partitions(partition_map, client.nodes(), hosts)[worker_index]


def dataset_fn(
    cache_name: str,
    host: Any = "localhost",
    port: int = 10800,
    *,
    prefer_local: bool = True,
    worker_hosts: Sequence[str] | None = None,
    client_options: Mapping[str, Any] | None = None,
    **dataset_options: Any,
) -> Callable[[Any], Any]:
    """A function for ``strategy.distribute_datasets_from_function``: each input pipeline reads
    its own partitions of ``cache_name`` (:func:`worker_partitions` of its ``InputContext``).

    >>> strategy = tf.distribute.MultiWorkerMirroredStrategy()
    >>> fn = ignite_tf.distribute.dataset_fn("MNIST", host="n1:10800,n2:10800", batched=True)
    >>> ds = strategy.distribute_datasets_from_function(fn)

    ``dataset_options`` go to :func:`ignite_tf.IgniteDataset` (``batched``, ``batch_size``,
    ``fields``, ...), ``client_options`` to the :class:`ignite_tf.Client` that fetches the
    partition map (credentials, TLS); connection options given in ``dataset_options`` are used
    for both.
    """
    from ignite_tf._options import KEYWORDS
    from ignite_tf.client import Client
    from ignite_tf.dataset import IgniteDataset

    shared = {k: v for k, v in dataset_options.items() if k in KEYWORDS}
    for banned in ("part", "partitions", "num_shards", "shard_index"):
        if banned in dataset_options:
            raise IgniteValueError(
                f"dataset_fn chooses the partitions itself; do not pass {banned}"
            )

    def make(input_context: Any) -> Any:
        with Client(host, port, **{**shared, **(client_options or {})}) as client:
            partitions = worker_partitions(
                client,
                cache_name,
                input_context.num_input_pipelines,
                input_context.input_pipeline_id,
                prefer_local=prefer_local,
                worker_hosts=worker_hosts,
            )
        return IgniteDataset(cache_name, host, port, partitions=partitions, **dataset_options)

    return make


def tf_config(
    client: Any,
    worker_index: int | None = None,
    *,
    base_port: int = 12345,
) -> dict[str, Any]:
    """``TF_CONFIG`` for ``MultiWorkerMirroredStrategy`` from the Ignite cluster's server nodes.

    One worker per Ignite host, or one per node when every node runs on one host; worker ``i``
    listens on ``host:base_port + (its number on that host)``. Worker ``i`` then reads the
    partitions whose primary lives on its node or host (:func:`worker_partitions` with
    ``prefer_local=True`` reads the worker list back from ``$TF_CONFIG``).

    Args:
        client: an :class:`ignite_tf.Client` connected to the cluster (it knows every node it was
            given or discovered; see :meth:`.Client.nodes`).
        worker_index: this process's worker index; None picks the one worker on this machine's
            host (an error when there are several: then pass it).
        base_port: the first port of the workers' gRPC servers.

    Returns:
        ``{"cluster": {"worker": [...]}, "task": {"type": "worker", "index": i}}``; set it with
        ``os.environ["TF_CONFIG"] = json.dumps(config)`` before creating the strategy.
    """
    nodes = sorted(client.nodes(), key=lambda n: (_host_key(str(n["host"])), int(n["port"])))
    if not nodes:
        raise IgniteValueError("the client knows no server nodes")
    hosts = [str(n["host"]) for n in nodes]
    if len({_host_key(h) for h in hosts}) > 1:
        seen: dict[str, str] = {}
        for h in hosts:
            seen.setdefault(_host_key(h), h)
        hosts = list(seen.values())
    used: dict[str, int] = {}
    workers = []
    for h in hosts:
        k = used.get(h, 0)
        used[h] = k + 1
        workers.append(f"{h}:{base_port + k}")
    if worker_index is None:
        here = {_host_key(socket.gethostname()), _host_key("localhost")}
        mine = [i for i, h in enumerate(hosts) if _host_key(h) in here]
        if len(mine) != 1:
            raise IgniteValueError(
                f"{len(mine)} of the workers {workers} run on this host: pass worker_index"
            )
        worker_index = mine[0]
    _check_index("worker_index", worker_index, "workers", len(workers))
    return {"cluster": {"worker": workers}, "task": {"type": "worker", "index": worker_index}}
