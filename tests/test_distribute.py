"""ignite_tf.distribute: how partitions are shared out among training workers.

The assignment itself is a pure function of the partition map, the nodes and the worker hosts, so
most of it is checked here on maps shaped like real ones; tests/test_cluster_training.py checks
it against a real 3-node cluster and two TensorFlow workers.
"""

from __future__ import annotations

import pytest

from ignite_tf.distribute import assign_partitions, shard_partitions
from ignite_tf.errors import IgniteValueError

NODES = [
    {"node_id": "n-a", "host": "127.0.0.1", "port": 10800},
    {"node_id": "n-b", "host": "127.0.0.1", "port": 10801},
    {"node_id": "n-c", "host": "127.0.0.1", "port": 10802},
]
# 1024 partitions spread unevenly over three nodes, as a rendezvous map is.
MAP = {p: ("n-a", "n-b", "n-c")[(p * 7 + p // 5) % 3] for p in range(1024)}


def _check_cover(parts: list[list[int]], everything) -> None:
    flat = [p for ps in parts for p in ps]
    assert sorted(flat) == sorted(everything), "every partition exactly once"


@pytest.mark.parametrize("num_shards", [1, 2, 3, 7, 1024, 2000])
def test_shards_are_disjoint_and_cover_every_partition(num_shards: int) -> None:
    partitions = list(range(1024))
    shards = [shard_partitions(partitions, num_shards, i) for i in range(num_shards)]
    _check_cover(shards, partitions)
    sizes = [len(s) for s in shards]
    assert max(sizes) - min(sizes) <= 1


def test_shard_arguments_are_checked() -> None:
    with pytest.raises(IgniteValueError, match=r"shard_index must be in \[0, 2\), got 2"):
        shard_partitions(range(8), 2, 2)
    with pytest.raises(IgniteValueError, match="num_shards must be at least 1"):
        shard_partitions(range(8), 0, 0)
    with pytest.raises(IgniteValueError, match="shard_index must be an int"):
        shard_partitions(range(8), 2, 1.0)


def test_one_worker_per_node_on_one_host_reads_its_nodes_primaries() -> None:
    hosts = ["localhost"] * 3  # "localhost" and "127.0.0.1" are one host
    parts = assign_partitions(MAP, NODES, hosts)
    _check_cover(parts, MAP)
    for worker, node in enumerate(("n-a", "n-b", "n-c")):  # paired in port order
        assert parts[worker] == sorted(p for p, n in MAP.items() if n == node)


def test_two_workers_for_three_nodes_split_the_third_nodes_partitions() -> None:
    parts = assign_partitions(MAP, NODES, ["127.0.0.1", "127.0.0.1"])
    _check_cover(parts, MAP)
    # Node j goes to worker j mod 2: worker 0 reads n-a and n-c, worker 1 n-b.
    assert parts[1] == sorted(p for p, n in MAP.items() if n == "n-b")


def test_more_workers_than_nodes_take_turns_on_a_node() -> None:
    one_node = {p: "n-a" for p in MAP}
    parts = assign_partitions(one_node, NODES[:1], ["127.0.0.1"] * 2)
    _check_cover(parts, one_node)
    assert abs(len(parts[0]) - len(parts[1])) <= 1


def test_workers_on_hosts_without_nodes_share_out_the_rest() -> None:
    # Two workers on machines with no Ignite node: balanced shares, still disjoint.
    parts = assign_partitions(MAP, NODES, ["192.0.2.1", "192.0.2.2"])
    _check_cover(parts, MAP)
    assert abs(len(parts[0]) - len(parts[1])) <= 1
