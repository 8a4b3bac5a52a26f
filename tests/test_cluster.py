"""ignite_tf on a cluster of three nodes (the session's ``ignite_cluster``): many addresses,
partition maps checked against the nodes' own SYS.PARTITION_STATES, key operations and partition
scans routed to primaries, cache settings on create, and whole-cache reads spread over the nodes,
each partition read from its primary."""

from __future__ import annotations

import socket
import time
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


def test_igfs_uris_name_several_nodes(ignite_cluster: SimpleNamespace, dead_address: str) -> None:
    tf = pytest.importorskip("tensorflow")
    import fsspec

    import ignite_tf.igfs

    assert ignite_tf.igfs.register_tensorflow_plugin()
    # A node down comes first: the next one that answers serves, for TensorFlow and fsspec.
    nodes = ",".join([dead_address, *ignite_cluster.addresses])
    folder = f"/{unique_name('SEVERAL')}"
    tf.io.gfile.makedirs(f"igfs://{nodes}{folder}")
    with tf.io.gfile.GFile(f"igfs://{nodes}{folder}/hello.txt", "w") as f:
        f.write("Hello, world!")
    try:
        # The same file through another node alone, and through fsspec with the node list.
        one = f"igfs://{ignite_cluster.addresses[2]}{folder}/hello.txt"
        assert tf.io.gfile.GFile(one).read() == "Hello, world!"
        with fsspec.open(f"igfs://{nodes}{folder}/hello.txt", "rb") as f:
            assert f.read() == b"Hello, world!"
        fs, path = fsspec.core.url_to_fs(f"igfs://{nodes}{folder}")
        assert fs.ls(path, detail=False) == [f"{folder}/hello.txt"]
        assert fs.unstrip_protocol(f"{folder}/hello.txt") == f"igfs://{nodes}{folder}/hello.txt"
    finally:
        tf.io.gfile.rmtree(f"igfs://{nodes}{folder}")


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


def test_columnar_write_sends_each_node_its_keys(
    cluster_client: Client, cluster_cache: str
) -> None:
    cluster_client.create_cache(cluster_cache)
    mapped = cluster_client.partition_map(cluster_cache)
    before = cluster_client.request_counts()
    # Plain long values (no type to register): the only requests are the pages.
    written = cluster_client.write(
        cluster_cache, np.arange(300, dtype=np.int64) * 10, num_parallel_writes=1, progress=False
    )
    after = cluster_client.request_counts()
    assert written == 300
    # One page per node, each with the keys whose primary it is; and on the default
    # connection write()'s get-or-create of the cache.
    expected = {node: 1 for node in set(mapped.values())}
    expected[cluster_client.nodes()[0]["node_id"]] += 1
    assert {node: after[node] - before.get(node, 0) for node in after} == expected
    assert cluster_client.size(cluster_cache) == 300
    # The partition of each key as Ignite computes it was the node the page went to: every
    # key reads back from its primary.
    got = {k: cluster_client.get(cluster_cache, k) for k in range(300)}
    assert got == {k: k * 10 for k in range(300)}


def test_write_without_overwrite_sends_each_key_to_its_primary(
    cluster_client: Client, cluster_cache: str
) -> None:
    """overwrite=False is a put-if-absent request per row (the protocol has no bulk form): each
    goes to its key's primary, present keys keep their values, and the count is the rows added."""
    cluster_client.create_cache(cluster_cache)
    cluster_client.put_all(cluster_cache, [(k, -1) for k in range(0, 300, 3)])  # 100 present
    keys = np.arange(300, dtype=np.int64)
    owners = [
        cluster_client.partition_map(cluster_cache)[p]
        for p in (cluster_client.partition_of(cluster_cache, int(k)) for k in keys)
    ]
    before = cluster_client.request_counts()
    added = cluster_client.write(
        cluster_cache, keys * 10, num_parallel_writes=1, overwrite=False, progress=False
    )
    after = cluster_client.request_counts()
    assert added == 200
    expected = {node: owners.count(node) for node in set(owners)}
    expected[cluster_client.nodes()[0]["node_id"]] += 1  # write()'s get-or-create of the cache
    assert {node: after[node] - before.get(node, 0) for node in after} == expected
    assert len(expected) > 1  # the keys were spread: this tested routing
    got = {k: cluster_client.get(cluster_cache, k) for k in range(300)}
    assert got == {k: -1 if k % 3 == 0 else k * 10 for k in range(300)}


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


# Shards and training workers -----------------------------------------------------------------


def dataset_keys(ds: Any) -> np.ndarray:
    return np.concatenate([batch["key"].numpy() for batch in ds])


def test_dataset_shards_are_disjoint_and_cover_every_row(
    ignite_cluster: SimpleNamespace, spread_cache: str
) -> None:
    from ignite_tf import IgniteDataset

    shards = [
        dataset_keys(
            IgniteDataset(
                spread_cache,
                host=ignite_cluster.addresses,
                batched=True,
                batch_size=4096,
                num_shards=3,
                shard_index=i,
            )
        )
        for i in range(3)
    ]
    assert np.array_equal(np.sort(np.concatenate(shards)), np.arange(ROWS))  # each row once
    for i, keys in enumerate(shards):
        assert set(np.unique(long_key_partitions(keys)).tolist()) <= set(range(i, 1024, 3))
    with pytest.raises(IgniteValueError, match="shard 1030 of 2000 holds no partition"):
        IgniteDataset(
            spread_cache, host=ignite_cluster.addresses, num_shards=2000, shard_index=1030
        )
    with pytest.raises(IgniteValueError, match="num_shards and shard_index together"):
        IgniteDataset(spread_cache, host=ignite_cluster.addresses, num_shards=2)


def test_tf_config_gives_one_worker_per_node_and_each_reads_its_nodes_primaries(
    ignite_cluster: SimpleNamespace,
    cluster_client: Client,
    spread_cache: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    import tensorflow as tf

    from ignite_tf import distribute

    config = distribute.tf_config(cluster_client, worker_index=1, base_port=23456)
    # All three nodes share one host: one worker per node, numbered on that host.
    assert config == {
        "cluster": {"worker": ["127.0.0.1:23456", "127.0.0.1:23457", "127.0.0.1:23458"]},
        "task": {"type": "worker", "index": 1},
    }
    with pytest.raises(IgniteValueError, match="3 of the workers .* run on this host"):
        distribute.tf_config(cluster_client)  # which of the three is this process?
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    truth = primaries_on_nodes(cluster_client, spread_cache)
    nodes = sorted(cluster_client.nodes(), key=lambda n: n["port"])
    make = distribute.dataset_fn(
        spread_cache, host=ignite_cluster.addresses, batched=True, batch_size=4096
    )
    seen = []
    for worker in range(3):
        context = tf.distribute.InputContext(num_input_pipelines=3, input_pipeline_id=worker)
        keys = dataset_keys(make(context))
        seen.append(keys)
        # Worker i reads exactly the partitions whose primary is node i: nothing crosses nodes.
        mine = {p for p, node in truth.items() if node == nodes[worker]["node_id"]}
        assert set(np.unique(long_key_partitions(keys)).tolist()) == mine
    assert np.array_equal(np.sort(np.concatenate(seen)), np.arange(ROWS))
    # Without TF_CONFIG the partitions are shared out by index, still disjoint and complete.
    monkeypatch.delenv("TF_CONFIG")
    assert distribute.worker_partitions(cluster_client, spread_cache, 3, 2) == list(
        range(2, 1024, 3)
    )
    with pytest.raises(IgniteValueError, match="dataset_fn chooses the partitions itself"):
        distribute.dataset_fn(spread_cache, host=ignite_cluster.addresses, part=3)


TRAIN_ROWS = 3000


@pytest.fixture(scope="module")
def points_cache(ignite_cluster: SimpleNamespace) -> Iterator[str]:
    """TRAIN_ROWS labelled points {x, y, label}: label 1 above the line x + y = 1."""
    from ignite_tf import BinaryObject

    name = unique_name("POINTS")
    type_name = unique_name("Point")
    rng = np.random.default_rng(3)
    xy = rng.random((TRAIN_ROWS, 2))
    with Client(ignite_cluster.addresses, timeout=60) as client:
        client.create_cache(name, backups=1)
        client.put_all(
            name,
            [
                (
                    i,
                    BinaryObject(
                        type_name,
                        {"x": float(a), "y": float(b), "label": int(a + b > 1.0)},
                    ),
                )
                for i, (a, b) in enumerate(xy)
            ],
        )
    yield name
    with Client(ignite_cluster.addresses, timeout=60) as client:
        client.destroy_cache(name)


def run_workers(
    cache: str, addresses: list[str], out_dir: Any, envs: list[dict[str, str]], *extra: str
) -> list[dict]:
    """Starts one worker process per entry of ``envs`` (each its TF_CONFIG and more), waits for
    all, and returns their results; a failed worker fails the test with its output."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parent / "workers" / "train_worker.py"
    procs = []
    for env in envs:
        full = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "", **env}
        procs.append(
            subprocess.Popen(
                [sys.executable, str(script), cache, ",".join(addresses), str(out_dir), *extra],
                env=full,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    # A failed worker leaves the others waiting for it in their collectives: stop them all.
    deadline = time.monotonic() + 400
    try:
        while any(proc.poll() is None for proc in procs):
            failed = [proc for proc in procs if proc.poll() not in (None, 0)]
            if failed or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    outputs = [proc.communicate()[0] for proc in procs]
    if any(proc.returncode != 0 for proc in procs):
        report = "\n".join(
            f"--- worker {i} (exit {proc.returncode}):\n"
            + "\n".join(line for line in out.splitlines() if not line.startswith("I0000"))[-3000:]
            for i, (proc, out) in enumerate(zip(procs, outputs))
        )
        pytest.fail(f"a training worker failed:\n{report}")
    return [json.loads((out_dir / f"result-{i}.json").read_text()) for i in range(len(envs))]


def test_multi_worker_training_reads_disjoint_local_shards(
    ignite_cluster: SimpleNamespace, cluster_client: Client, points_cache: str, tmp_path: Any
) -> None:
    """Three TensorFlow workers under MultiWorkerMirroredStrategy, TF_CONFIG from the cluster
    (one worker per node here): each reads the partitions whose primary is its node, together
    every row once, and the synchronously trained model classifies the points."""
    import json

    from ignite_tf import distribute
    from ignite_tf.node.ports import allocate_ports

    base = allocate_ports(3, contiguous=True)[0]
    configs = [distribute.tf_config(cluster_client, i, base_port=base) for i in range(3)]
    results = run_workers(
        points_cache,
        ignite_cluster.addresses,
        tmp_path,
        [{"TF_CONFIG": json.dumps(c)} for c in configs],
    )
    keys = [np.load(tmp_path / f"keys-{i}.npy") for i in range(3)]
    assert np.array_equal(np.sort(np.concatenate(keys)), np.arange(TRAIN_ROWS))
    truth = primaries_on_nodes(cluster_client, points_cache)
    nodes = sorted(cluster_client.nodes(), key=lambda n: n["port"])
    for i, worker_keys in enumerate(keys):
        partitions = {cluster_client.partition_of(points_cache, int(k)) for k in worker_keys}
        assert {truth[p] for p in partitions} == {nodes[i]["node_id"]}  # no row crossed nodes
    for result in results:
        assert result["accuracy"] >= 0.9, results


def test_multi_worker_training_with_the_original_part_variable(
    ignite_cluster: SimpleNamespace, cluster_client: Client, points_cache: str, tmp_path: Any
) -> None:
    """The original integration's way: each worker sets IGNITE_DATASET_PART to its partition."""
    import json

    from ignite_tf.node.ports import allocate_ports

    base = allocate_ports(2, contiguous=True)[0]
    workers = [f"127.0.0.1:{base}", f"127.0.0.1:{base + 1}"]
    parts = [5, 6]
    envs = [
        {
            "TF_CONFIG": json.dumps(
                {"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}}
            ),
            "IGNITE_DATASET_PART": str(parts[i]),
        }
        for i in range(2)
    ]
    results = run_workers(points_cache, ignite_cluster.addresses, tmp_path, envs, "--env-part")
    for i in range(2):
        keys = np.load(tmp_path / f"keys-{i}.npy")
        all_keys = np.arange(TRAIN_ROWS)
        in_part = [
            k for k in all_keys if cluster_client.partition_of(points_cache, int(k)) == parts[i]
        ]
        assert sorted(keys.tolist()) == in_part and len(in_part) > 0
        assert results[i]["rows_read"] == len(in_part)
