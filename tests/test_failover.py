"""Reads that go on through node failures, on the session's three-node ``ignite_cluster``: a node
SIGKILLed in the middle of ``Client.scan`` and ``IgniteDataset`` (batched and element-wise, one
reader and one per node; the node the client first reached, and another one), a node joining in
the middle of a read, a cache without backups losing partitions, and a client given one address.

Each test that kills a node gets it restarted afterwards (only that one), and waits until the
cluster has rebalanced, so the next test starts from three nodes again. The readers are paced by
their consumer (a bounded number of pages ahead), so a node killed after a sixth of the rows still
holds partitions that are being read or not read yet.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from conftest import unique_name
from test_cluster import long_key_partitions

from ignite_tf import Client, IgniteDataset, IgnitePartitionLostError, IgniteServerError
from ignite_tf.node.cluster import IgniteCluster

ROWS = 30_000
PAD = "x" * 200
# Pages of 8 rows: a partition (about 30 rows) takes several, so a node dies mid-partition.
PAGE = 8
BATCH = 256
KILL_AFTER = ROWS // 6


@pytest.fixture(scope="module")
def cluster(ignite_cluster: SimpleNamespace) -> IgniteCluster:
    if ignite_cluster.cluster is None:
        pytest.skip(
            "the failover tests kill and restart nodes: they need the cluster this run starts "
            "(unset IGNITE_TF_TEST_CLUSTER)"
        )
    return ignite_cluster.cluster


def fill(addresses: list[str], name: str, backups: int) -> None:
    with Client(addresses, timeout=60) as client:
        client.create_cache(name, backups=backups, write_synchronization="full_sync")
        for start in range(0, ROWS, 5000):
            client.put_all(name, [(i, f"{PAD}{i}") for i in range(start, start + 5000)])


def wait_until_balanced(addresses: list[str], cache: str, nodes: int, timeout: float = 90) -> None:
    """Until the cache's partition map names `nodes` primaries: a node that joined owns its
    partitions only once rebalancing moved them to it."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        with Client(addresses, timeout=60) as client:
            seen = set(client.partition_map(cache).values())
        if len(seen) == nodes:
            return
        time.sleep(0.2)
    raise AssertionError(f"the partition map of {cache} still names {len(seen)} nodes")


@pytest.fixture(scope="module")
def backed_up(cluster: IgniteCluster) -> Iterator[str]:
    """A cache of ROWS rows {long: string} with one backup: every row survives one node."""
    name = unique_name("FAILOVER")
    fill(cluster.addresses, name, backups=1)
    yield name
    with Client(cluster.addresses, timeout=60) as client:
        client.destroy_cache(name)


@pytest.fixture
def healed(cluster: IgniteCluster, backed_up: str) -> Iterator[None]:
    """Restarts the node a test killed (only that one) and waits for the rebalanced cluster."""
    yield
    for index, node in enumerate(cluster.nodes):
        if not node.is_running():
            cluster.restart(index)
    cluster.wait_for_topology(3)
    wait_until_balanced(cluster.addresses, backed_up, 3)


def read_through(
    batches: Iterable[Any],
    keys_of: Callable[[Any], np.ndarray],
    event: Callable[[], None],
    ready: Callable[[], bool] = lambda: True,
) -> tuple[np.ndarray, int, BaseException | None]:
    """The keys of every batch, with `event()` run once KILL_AFTER rows have arrived (and
    `ready()` says so); also how many rows had arrived then, and the error that ended the read
    (None: it ended normally)."""
    keys: list[np.ndarray] = []
    seen = 0
    at_event = -1
    error = None
    try:
        for batch in batches:
            keys.append(np.array(keys_of(batch), dtype=np.int64))
            seen += len(keys[-1])
            if at_event < 0 and seen >= KILL_AFTER and ready():
                at_event = seen
                event()
            time.sleep(0.002)  # a consumer doing some work per batch
    except Exception as exc:  # noqa: BLE001 - returned for the test to check
        error = exc
    assert at_event >= 0, f"the read ended after {seen} rows, before the event"
    return (np.concatenate(keys) if keys else np.zeros(0, np.int64)), at_event, error


def assert_every_row_once(keys: np.ndarray, at_event: int) -> None:
    assert at_event < ROWS  # the node died in the middle of the read
    assert len(keys) == ROWS, f"{len(keys)} rows, {len(np.unique(keys))} distinct"
    np.testing.assert_array_equal(np.sort(keys), np.arange(ROWS))


VICTIMS = {"first": 0, "other": 1}  # the node the client reached first (its default), another


@pytest.mark.parametrize("readers", [1, 3])
@pytest.mark.parametrize("victim", ["first", "other"])
def test_scan_goes_on_when_a_node_dies(
    cluster: IgniteCluster, backed_up: str, healed: None, victim: str, readers: int
) -> None:
    index = VICTIMS[victim]
    with Client(cluster.addresses, timeout=60) as client:
        nodes = client.nodes()
        dead = nodes[index]["node_id"]  # nodes() lists them in address order
        scan = client.scan(backed_up, page_size=PAGE, batch_size=BATCH, num_parallel_reads=readers)

        def serving() -> bool:
            # With several readers, the kill waits until the victim finished a partition: more
            # partitions named it than readers can hold open at once (one each). Not "a second
            # one": two readers may read from the victim at once (both open, neither finished),
            # and a node restarted by the test before is a cold JVM, slow through its first
            # scan; killed then, it would have finished none, and all are read again elsewhere.
            return readers == 1 or list(scan.partition_nodes.values()).count(dead) > readers

        keys, at_kill, error = read_through(
            scan, lambda b: b["key"], lambda: cluster.kill(index), serving
        )
        served = scan.partition_nodes
        # The client itself goes on too (after its first node died, through another one).
        assert client.get(backed_up, 7) == f"{PAD}7"
    assert error is None, f"the read failed: {error!r}"
    assert_every_row_once(keys, at_kill)
    assert sorted(served) == list(range(1024))  # partition by partition, each from a primary
    if readers == 3:
        # A reader lived on each node and was reading its partitions when it died: the ones it
        # had finished keep its name, the ones read again name their new primary.
        assert dead in served.values()


@pytest.mark.parametrize(
    ("batched", "readers", "victim"),
    [(True, 1, "other"), (True, 3, "first"), (False, 1, "first"), (False, 3, "other")],
)
def test_ignite_dataset_goes_on_when_a_node_dies(
    cluster: IgniteCluster,
    backed_up: str,
    healed: None,
    batched: bool,
    readers: int,
    victim: str,
) -> None:
    pytest.importorskip("tensorflow")
    ds = IgniteDataset(
        backed_up,
        host=cluster.addresses,
        page_size=PAGE,
        batch_size=BATCH,
        batched=batched,
        num_parallel_reads=readers,
        timeout=60,
    )
    if not batched:
        ds = ds.batch(BATCH)  # element-wise underneath; batched here only to iterate quickly
    index = VICTIMS[victim]
    keys, at_kill, error = read_through(ds, lambda e: e["key"].numpy(), lambda: cluster.kill(index))
    assert error is None, f"the read failed: {error!r}"
    assert_every_row_once(keys, at_kill)


def load_killing_a_node(cluster: IgniteCluster, total: int, per: int) -> tuple[Any, list[int]]:
    """A tf.data source of rows {k, v = 10 k} in chunks of `per` that SIGKILLs node 1 when a
    third of them were handed out, and the list that records where it did."""
    tf = pytest.importorskip("tensorflow")
    killed: list[int] = []

    def batches() -> Iterator[dict[str, np.ndarray]]:
        for start in range(0, total, per):
            if start == total // 3:
                cluster.kill(1)
                killed.append(start)
            keys = np.arange(start, start + per, dtype=np.int64)
            yield {"k": keys, "v": keys * 10}

    spec = {"k": tf.TensorSpec([None], tf.int64), "v": tf.TensorSpec([None], tf.int64)}
    return tf.data.Dataset.from_generator(batches, output_signature=spec), killed


def test_a_load_goes_on_when_a_node_dies(cluster: IgniteCluster, healed: None) -> None:
    """Client.write into a cache with a backup: a node SIGKILLed a third of the way through the
    load (pages to it in flight and still to come) costs nothing: its pages go again through a
    live node, and every row is there once the call returns."""
    name = unique_name("WRITE_FAILOVER")
    total = 60_000
    source, killed = load_killing_a_node(cluster, total, 2_000)
    try:
        with Client(cluster.addresses, timeout=60) as client:
            client.create_cache(name, backups=1, write_synchronization="full_sync")
            assert len(set(client.partition_map(name).values())) == 3  # pages to every node
            written = client.write(
                name, source, key="k", type_name="Loaded", batch_size=500, progress=False
            )
            assert killed == [total // 3]
            assert written == total
            assert client.size(name) == total
            got = {}
            for batch in client.scan(name):
                got.update(zip(batch["key"].tolist(), batch["val.v"].tolist()))
            assert got == {k: k * 10 for k in range(total)}
    finally:
        with Client(cluster.addresses[0], timeout=60) as client:
            client.destroy_cache(name)


def test_a_put_if_absent_load_goes_on_when_a_node_dies(
    cluster: IgniteCluster, healed: None
) -> None:
    """Client.write(overwrite=False) into a cache with a backup, a node SIGKILLed a third of the
    way through: the entries its connections left unanswered go again as put-if-absent requests
    through a live node, so every absent key gets its row, every present one keeps its value,
    and the count of rows written is exact (an entry the dead node had put before it died counts
    as written: the node holds its value)."""
    name = unique_name("WRITE_FAILOVER_ABSENT")
    total = 30_000
    present = np.arange(0, total, 10, dtype=np.int64)  # a tenth of the keys, with other values
    source, killed = load_killing_a_node(cluster, total, 1_000)
    try:
        with Client(cluster.addresses, timeout=60) as client:
            client.create_cache(name, backups=1, write_synchronization="full_sync")
            client.write(
                name, {"k": present, "v": -present}, key="k", type_name="Loaded", progress=False
            )
            written = client.write(
                name,
                source,
                key="k",
                type_name="Loaded",
                batch_size=250,
                overwrite=False,
                progress=False,
            )
            assert killed == [total // 3]
            assert written == total - len(present)
            assert client.size(name) == total
            got = {}
            for batch in client.scan(name):
                got.update(zip(batch["key"].tolist(), batch["val.v"].tolist()))
            expected = {k: k * 10 for k in range(total)}
            expected.update({int(k): -int(k) for k in present})
            assert got == expected
    finally:
        with Client(cluster.addresses[0], timeout=60) as client:
            client.destroy_cache(name)


def test_a_node_joining_mid_read_breaks_nothing(
    cluster: IgniteCluster, backed_up: str, healed: None
) -> None:
    cluster.kill(2)
    cluster.wait_for_topology(2)
    wait_until_balanced(cluster.addresses, backed_up, 2)
    with Client(cluster.addresses, timeout=60) as client:
        scan = client.scan(backed_up, page_size=PAGE, batch_size=BATCH)
        # The node comes back (same address, a new node id) and rebalancing starts mid-read.
        keys, at_join, error = read_through(scan, lambda b: b["key"], lambda: cluster.restart(2))
    assert error is None, f"the read failed: {error!r}"
    assert_every_row_once(keys, at_join)


def test_without_backups_the_error_names_the_lost_partitions(
    cluster: IgniteCluster, healed: None
) -> None:
    name = unique_name("NO_BACKUPS")
    fill(cluster.addresses, name, backups=0)
    try:
        with Client(cluster.addresses, timeout=60) as client:
            primaries = client.partition_map(name)
            dead = client.nodes()[1]["node_id"]
            scan = client.scan(name, page_size=PAGE, batch_size=BATCH, num_parallel_reads=3)
            keys, _, error = read_through(scan, lambda b: b["key"], lambda: cluster.kill(1))
    finally:
        with Client(cluster.addresses[0], timeout=60) as client:
            client.destroy_cache(name)
    assert type(error) is IgnitePartitionLostError, repr(error)
    message = str(error)
    assert f"node {dead} ({cluster.addresses[1]}) left the cluster" in message
    assert "which keeps 0 backups" in message
    match = re.search(
        r"(\d+) partitions? not read whole yet had no other copy and are lost \(([\d, ]+)",
        message,
    )
    assert match is not None, message
    named = [int(p) for p in match.group(2).split(",") if p.strip()]  # the first 64, then ...
    assert named and len(named) <= int(match.group(1))
    assert all(primaries[p] == dead for p in named)  # each was the dead node's
    # The rows delivered are distinct; of the partitions said to be lost, only the ones being
    # read when the node died (one per reader at most) had delivered some.
    assert len(np.unique(keys)) == len(keys) < ROWS
    assert len(set(long_key_partitions(keys).tolist()) & set(named)) <= 3


def test_a_client_given_one_node_names_the_remedy(
    cluster: IgniteCluster, backed_up: str, healed: None
) -> None:
    # One address, one cursor through that node: the node it pulls another node's partitions
    # from dies, and there is no other node to go on through.
    with Client(cluster.addresses[0], timeout=60) as client:
        scan = client.scan(backed_up, page_size=PAGE, batch_size=BATCH)
        keys, _, error = read_through(scan, lambda b: b["key"], lambda: cluster.kill(1))
    assert type(error) is IgniteServerError, repr(error)
    assert "left topology" in str(error)
    assert 'pass host=<every node\'s address, "h1:10800,h2:10800,...">' in str(error)
    assert len(np.unique(keys)) == len(keys) < ROWS
