"""ignite_tf on a cluster of three nodes (the session's ``ignite_cluster``): many addresses,
partition maps checked against the nodes' own SYS.PARTITION_STATES, key operations and partition
scans routed to primaries, cache settings on create, and whole-cache reads spread over the nodes,
each partition read from its primary."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from conftest import unique_name

from ignite_tf import Client, IgniteConnectionError, IgniteError, IgniteValueError
from ignite_tf.node.protocol import java_string_hash

ROWS = 50_000


def primaries_on_nodes(client: Client, cache: str) -> dict[int, str]:
    """Each partition's primary node id, as the nodes themselves report it (SYS views)."""
    result = client.sql(
        "SELECT PARTITION_ID, NODE_ID FROM SYS.PARTITION_STATES "
        f"WHERE CACHE_GROUP_ID = {java_string_hash(cache)} AND IS_PRIMARY = TRUE",
        schema="SYS",
    )
    return {int(partition): str(node) for partition, node in result.rows}


@pytest.fixture
def dead_address() -> Iterator[str]:
    """A loopback address where nothing answers (bound, not listening)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


# Addresses -----------------------------------------------------------------------------------


def test_every_node_is_known_by_its_id(ignite_cluster: SimpleNamespace) -> None:
    with Client(",".join(ignite_cluster.addresses)) as client:
        nodes = client.nodes()
        on_nodes = {str(row[0]) for row in client.sql("SELECT NODE_ID FROM SYS.NODES").rows}
    assert len(nodes) == 3
    assert {n["node_id"] for n in nodes} == on_nodes
    assert [f"{n['host']}:{n['port']}" for n in nodes] == ignite_cluster.addresses
    assert all(str(uuid.UUID(n["node_id"])) == n["node_id"] for n in nodes)


def test_a_node_that_does_not_answer_is_skipped(
    ignite_cluster: SimpleNamespace, dead_address: str
) -> None:
    first, *others = ignite_cluster.addresses
    with Client([dead_address, first, *others]) as client:
        assert client.addresses[0] == dead_address
        assert len(client.nodes()) == 3
        assert client.cache_names() is not None


def test_when_no_node_answers_the_error_names_each_address(dead_address: str) -> None:
    other = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    other.bind(("127.0.0.1", 0))
    second = f"127.0.0.1:{other.getsockname()[1]}"
    try:
        with pytest.raises(IgniteConnectionError) as caught:
            Client(f"{dead_address}, {second}", connect_timeout=5)
    finally:
        other.close()
    message = str(caught.value)
    assert dead_address in message and second in message
    assert "any of the 2 nodes" in message


def test_addresses_take_the_default_port_and_name_bad_entries(
    ignite_cluster: SimpleNamespace,
) -> None:
    host, port = ignite_cluster.addresses[0].rsplit(":", 1)
    with Client((host,), port=int(port)) as client:  # an entry without a port takes port=
        assert client.addresses == [f"{host}:{port}"]
        assert client.nodes()[0]["port"] == int(port)
    for bad, named in [
        ("h1:10800,,h2", "empty entry"),
        ("h1:10800,h2:99999", "'h2:99999'"),
        ("h1:x", "'h1:x'"),
    ]:
        with pytest.raises(IgniteValueError, match=named):
            Client(bad)
    with pytest.raises(IgniteValueError, match="empty list"):
        Client([])


# Cache settings ------------------------------------------------------------------------------


def test_create_cache_sends_the_settings_given(cluster_client: Client, cluster_cache: str) -> None:
    cluster_client.create_cache(
        cluster_cache,
        mode="partitioned",
        backups=2,
        partitions=1024,
        atomicity="transactional",
        write_synchronization="full_sync",
    )
    assert cluster_client.cache_configuration(cluster_cache) == {
        "mode": "partitioned",
        "backups": 2,
        "atomicity": "transactional",
        "write_synchronization": "full_sync",
    }
    assert len(cluster_client.partition_map(cluster_cache)) == 1024
    replicated, unsynced = unique_name("REPLICATED"), unique_name("UNSYNCED")
    cluster_client.get_or_create_cache(
        replicated, mode="REPLICATED", write_synchronization="primary_sync"
    )
    cluster_client.create_cache(unsynced, write_synchronization="full_async")
    try:
        config = cluster_client.cache_configuration(replicated)
        assert config["mode"] == "replicated"
        assert config["write_synchronization"] == "primary_sync"
        assert config["atomicity"] == "atomic"  # not given: the default
        assert cluster_client.cache_configuration(unsynced) == {
            "mode": "partitioned",
            "backups": 0,
            "atomicity": "atomic",
            "write_synchronization": "full_async",
        }
        # A replicated cache has no partition map: everything goes through one connection.
        with pytest.raises(IgniteError, match="replicated"):
            cluster_client.partition_map(replicated)
        cluster_client.put(replicated, 1, "one")
        assert cluster_client.get(replicated, 1) == "one"
    finally:
        cluster_client.destroy_cache(replicated)
        cluster_client.destroy_cache(unsynced)


def test_create_cache_refuses_what_it_cannot_send(
    cluster_client: Client, cluster_cache: str
) -> None:
    for settings, named in [
        ({"mode": "local"}, "mode must be one of"),
        ({"atomicity": "snapshot"}, "atomicity must be one of"),
        ({"write_synchronization": "sync"}, "write_synchronization must be one of"),
        ({"backups": -1}, "backups must be 0 or more"),
        ({"partitions": 64}, "cannot set a cache's partition count"),
    ]:
        with pytest.raises(IgniteValueError, match=named):
            cluster_client.create_cache(cluster_cache, **settings)
    assert cluster_cache not in cluster_client.cache_names()


# Partition map and key routing ---------------------------------------------------------------


@pytest.fixture(scope="module")
def spread_cache(ignite_cluster: SimpleNamespace) -> Iterator[str]:
    """A cache of 1024 partitions with 1 backup, made by ignite_tf itself, holding ROWS rows
    {key: long, val: {ID: long, NAME: string}} written by SQL-less puts."""
    name = unique_name("SPREAD")
    with Client(ignite_cluster.addresses, timeout=60) as client:
        client.create_cache(name, backups=1, write_synchronization="full_sync")
        for start in range(0, ROWS, 5000):
            client.put_all(name, [(i, float(i) * 0.5) for i in range(start, start + 5000)])
    yield name
    with Client(ignite_cluster.addresses, timeout=60) as client:
        client.destroy_cache(name)


def test_partition_map_is_the_nodes_own(cluster_client: Client, spread_cache: str) -> None:
    mapped = cluster_client.partition_map(spread_cache)
    assert sorted(mapped) == list(range(1024))
    assert mapped == primaries_on_nodes(cluster_client, spread_cache)
    assert set(mapped.values()) == {n["node_id"] for n in cluster_client.nodes()}


def test_each_key_is_in_the_partition_the_client_computes(
    cluster_client: Client, cluster_cache: str
) -> None:
    cluster_client.create_cache(cluster_cache, backups=1)
    keys: list[Any] = [
        0,
        1,
        -5,
        123456789,
        1 << 40,
        -(1 << 50),
        "hello",
        "Ключ",
        "",
        True,
        False,
        2.5,
        -0.0,
        uuid.UUID("01234567-89ab-cdef-1122-334455667788"),
        *[f"user-{i}" for i in range(10)],
        *range(1000, 1010),
    ]
    for i, key in enumerate(keys):
        cluster_client.put(cluster_cache, key, i)
    type_names = {bool: "bool", int: "long", str: "string", float: "double", uuid.UUID: "uuid"}
    for i, key in enumerate(keys):
        partition = cluster_client.partition_of(cluster_cache, key)
        assert partition is not None, key
        # Only the keys of this key's type (the partition may hold keys of other types too).
        scan = cluster_client.scan(
            cluster_cache,
            partition=partition,
            schema={"key": type_names[type(key)], "val": "long"},
            on_mismatch="skip",
        )
        values = [int(v) for batch in scan for v in batch["val"]]
        assert i in values, f"key {key!r} is not in partition {partition}"


def test_key_operations_go_to_the_primary(cluster_client: Client, spread_cache: str) -> None:
    mapped = cluster_client.partition_map(spread_cache)
    nodes = {n["node_id"] for n in cluster_client.nodes()}
    served: set[str] = set()
    for key in range(40):
        primary = mapped[cluster_client.partition_of(spread_cache, key)]
        for name, args in (("get", (key,)), ("put", (key, float(key) * 0.5))):
            before = cluster_client.request_counts()
            getattr(cluster_client, name)(spread_cache, *args)
            after = cluster_client.request_counts()
            grew = {node for node in after if after[node] > before.get(node, 0)}
            assert grew == {primary}, f"key {key}: served by {grew}, primary {primary}"
        served.add(primary)
    assert served == nodes  # the keys lived on every node, and each was served there


def test_put_all_sends_each_node_its_keys(cluster_client: Client, cluster_cache: str) -> None:
    cluster_client.create_cache(cluster_cache)
    mapped = cluster_client.partition_map(cluster_cache)
    before = cluster_client.request_counts()
    cluster_client.put_all(cluster_cache, [(k, k * 10) for k in range(300)])
    after = cluster_client.request_counts()
    # One put_all per node (each holds primaries of some of the 300 keys).
    assert {node: after[node] - before.get(node, 0) for node in after} == {
        node: 1 for node in set(mapped.values())
    }
    assert cluster_client.size(cluster_cache) == 300
    assert [cluster_client.get(cluster_cache, k) for k in (0, 150, 299)] == [0, 1500, 2990]


# Reads spread over the nodes -----------------------------------------------------------------


def long_key_partitions(keys: np.ndarray, partitions: int = 1024) -> np.ndarray:
    """RendezvousAffinityFunction's partition of long keys (Long.hashCode, power-of-two mask),
    computed independently of the client."""
    u = keys.astype(np.int64).view(np.uint64)
    h = ((u ^ (u >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return ((h ^ (h >> np.uint32(16))) & np.uint32(partitions - 1)).astype(np.int64)


def test_a_whole_cache_scan_reads_each_partition_from_its_primary(
    cluster_client: Client, spread_cache: str
) -> None:
    truth = primaries_on_nodes(cluster_client, spread_cache)
    scan = cluster_client.scan(spread_cache, batch_size=4096)
    keys = np.concatenate([batch["key"] for batch in scan])
    assert len(keys) == ROWS
    assert np.array_equal(np.sort(keys), np.arange(ROWS))  # every row exactly once
    assert scan.partition_nodes == truth  # each of the 1024 partitions, from its primary
    assert len(set(truth.values())) == 3


@pytest.mark.parametrize("readers", [1, 5])
def test_any_number_of_readers_reads_from_primaries(
    cluster_client: Client, spread_cache: str, readers: int
) -> None:
    truth = primaries_on_nodes(cluster_client, spread_cache)
    scan = cluster_client.scan(spread_cache, batch_size=4096, num_parallel_reads=readers)
    keys = np.concatenate([batch["key"] for batch in scan])
    assert np.array_equal(np.sort(keys), np.arange(ROWS))
    assert scan.partition_nodes == truth


def test_a_client_given_one_node_reads_through_it(
    ignite_cluster: SimpleNamespace, spread_cache: str
) -> None:
    with Client(ignite_cluster.addresses[0]) as client:
        scan = client.scan(spread_cache, batch_size=4096)
        keys = np.concatenate([batch["key"] for batch in scan])
        assert np.array_equal(np.sort(keys), np.arange(ROWS))
        assert scan.partition_nodes == {}  # one whole-cache cursor, as before
        assert [n["node_id"] for n in client.nodes()] == [client.nodes()[0]["node_id"]]


def test_ignite_dataset_reads_each_partition_from_its_primary(
    ignite_cluster: SimpleNamespace,
    cluster_client: Client,
    spread_cache: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ignite_tf import IgniteDataset

    scans: list[Any] = []
    original = Client.scan

    def recording_scan(self: Client, *args: Any, **kwargs: Any) -> Any:
        scan = original(self, *args, **kwargs)
        scans.append(scan)
        return scan

    monkeypatch.setattr(Client, "scan", recording_scan)
    ds = IgniteDataset(spread_cache, host=ignite_cluster.addresses, batched=True, batch_size=4096)
    keys = np.concatenate([batch["key"].numpy() for batch in ds])
    assert np.array_equal(np.sort(keys), np.arange(ROWS))
    assert scans[-1].partition_nodes == primaries_on_nodes(cluster_client, spread_cache)


def test_deterministic_reads_deliver_partitions_in_order(
    cluster_client: Client, spread_cache: str
) -> None:
    scan = cluster_client.scan(spread_cache, batch_size=1000, deterministic=True)
    keys = np.concatenate([batch["key"] for batch in scan])
    assert np.array_equal(np.sort(keys), np.arange(ROWS))
    order = long_key_partitions(keys)
    assert np.all(np.diff(order) >= 0)  # partition by partition, in index order
    assert len(np.unique(order)) == 1024
    # Given partitions come in the order given.
    chosen = [700, 3, 1023, 512]
    scan = cluster_client.scan(
        spread_cache, partitions=chosen, deterministic=True, num_parallel_reads=3
    )
    keys = np.concatenate([batch["key"] for batch in scan])
    order = long_key_partitions(keys)
    runs = [int(p) for i, p in enumerate(order) if i == 0 or order[i - 1] != p]
    assert runs == chosen


def test_partitions_reads_exactly_those(cluster_client: Client, spread_cache: str) -> None:
    chosen = [0, 1, 2, 511, 1023]
    scan = cluster_client.scan(spread_cache, partitions=chosen)
    keys = np.concatenate([batch["key"] for batch in scan])
    all_keys = np.arange(ROWS)
    expected = all_keys[np.isin(long_key_partitions(all_keys), chosen)]
    assert np.array_equal(np.sort(keys), expected)
    assert sorted(scan.partition_nodes) == chosen
    truth = primaries_on_nodes(cluster_client, spread_cache)
    assert scan.partition_nodes == {p: truth[p] for p in chosen}
    for bad, named in [
        ([1024], "not a partition of cache"),
        ([3, 3], "listed twice"),
        ([], "empty"),
    ]:
        with pytest.raises(IgniteValueError, match=named):
            list(cluster_client.scan(spread_cache, partitions=bad))
    with pytest.raises(IgniteValueError, match="not both"):
        cluster_client.scan(spread_cache, partitions=[1], partition=2)
