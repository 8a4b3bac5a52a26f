"""Tests of the node launcher (ignite_tf.testing) and its pytest fixtures.

They run real Apache Ignite nodes (Java and, on first use, Maven needed).
Without the installed ``pytest11`` entry point, run them with::

    PYTHONPATH=. pytest -p ignite_tf.pytest_plugin tests/test_node_launcher.py
"""

from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from ignite_tf import testing
from ignite_tf.node import protocol
from ignite_tf.testing import (
    ExternalNode,
    IgniteCluster,
    IgniteNode,
    IgniteNodeError,
    external_endpoint,
    ignite_version,
    resolve_ignite_classpath,
)

# The directory ignite_tf was imported from (for the inner pytest runs).
IMPORT_ROOT = Path(testing.__file__).parents[1]


def raw_handshake(host: str, port: int) -> bytes:
    """Send a thin-client handshake (protocol 1.1.0) over a plain socket; return the reply."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(protocol.frame(protocol.handshake_request((1, 1, 0))))
        return protocol.recv_frame(sock)


def accepts_connections(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def can_bind(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_log(node: IgniteNode, text: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.log_path is not None and text in node.log_path.read_text():
            return True
        time.sleep(0.1)
    return False


def run_sql(client, query: str, args: list | None = None) -> list[list]:
    with client.sql(query, query_args=args) as cursor:
        return [list(row) for row in cursor]


# ---------------------------------------------------------------------------
# Without a node


def test_version_is_read_from_the_pom() -> None:
    pom = testing.POM_PATH.read_text()
    pinned = re.search(r"<ignite\.version>([^<]+)</ignite\.version>", pom)
    assert pinned is not None
    assert ignite_version() == pinned.group(1)
    assert re.fullmatch(r"\d+\.\d+\.\d+", ignite_version())


def test_classpath_has_core_sql_and_spring_modules() -> None:
    names = {jar.name for jar in resolve_ignite_classpath(quiet=True)}
    version = ignite_version()
    for module in ("ignite-core", "ignite-indexing", "ignite-spring"):
        assert f"{module}-{version}.jar" in names
    assert any(name.startswith("h2-") for name in names)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1:10800", ("127.0.0.1", 10800)),
        (" ignite.example:10801 ", ("ignite.example", 10801)),
        ("[::1]:10800", ("::1", 10800)),
        ("", None),
    ],
)
def test_external_endpoint_parsing(value: str, expected: tuple[str, int] | None) -> None:
    assert external_endpoint(value) == expected


@pytest.mark.parametrize("value", ["10800", "host:", ":10800", "host:port", "host:70000"])
def test_external_endpoint_rejects_garbage(value: str) -> None:
    with pytest.raises(ValueError, match="host:port"):
        external_endpoint(value)


def test_external_endpoint_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(testing.ENV_TEST_ADDRESS, "10.1.2.3:10900")
    assert external_endpoint() == ("10.1.2.3", 10900)
    monkeypatch.delenv(testing.ENV_TEST_ADDRESS)
    assert external_endpoint() is None


def test_unfilled_placeholder_is_reported_before_launch(tmp_path: Path) -> None:
    template = testing.DEFAULT_CONFIG_TEMPLATE.read_text().replace(
        "@REGION_MAX_SIZE@", "@NO_SUCH_THING@"
    )
    (tmp_path / "t.xml").write_text(template)
    node = IgniteNode(config_template=tmp_path / "t.xml", work_dir=tmp_path / "w")
    with pytest.raises(IgniteNodeError, match="@NO_SUCH_THING@"):
        node.start()
    assert node.pid is None
    node.stop()


def test_handshake_requests_are_laid_out_byte_for_byte() -> None:
    # 1.1.0 without a user: null user name and password (the probe's handshake).
    assert protocol.handshake_request((1, 1, 0)) == bytes([1, 1, 0, 1, 0, 0, 0, 2, 0x65, 0x65])
    # 1.7.0 without a user: an empty feature bitmask (byte[] of length 0) and nothing after it.
    assert protocol.handshake_request((1, 7, 0)) == bytes([1, 1, 0, 7, 0, 0, 0, 2, 12, 0, 0, 0, 0])
    # 1.7.0 with features and a user: the bitmask, then two String objects.
    assert protocol.handshake_request(
        (1, 7, 0), features=b"\x04", username="ann", password="pw"
    ) == bytes([1, 1, 0, 7, 0, 0, 0, 2, 12, 1, 0, 0, 0, 4]) + (
        b"\x09\x03\x00\x00\x00ann" + b"\x09\x02\x00\x00\x00pw"
    )
    # A user without a password sends an empty one.
    assert protocol.handshake_request((1, 1, 0), username="ann").endswith(b"\x09\x00\x00\x00\x00")
    with pytest.raises(ValueError, match="no feature bitmask"):
        protocol.handshake_request((1, 6, 0), features=b"\x04")
    assert protocol.handshake_version(protocol.handshake_request((1, 6, 2))) == (1, 6, 2)
    assert protocol.frame(b"abc") == struct.pack("<i", 3) + b"abc"


def test_handshake_replies_round_trip_and_truncated_ones_are_errors() -> None:
    refused = protocol.parse_handshake_reply(
        protocol.handshake_rejection((1, 6, 0), "bad user", protocol.STATUS_AUTH_FAILED), (1, 7, 0)
    )
    assert (refused.accepted, refused.offer, refused.message, refused.status) == (
        False,
        (1, 6, 0),
        "bad user",
        protocol.STATUS_AUTH_FAILED,
    )
    accepted = protocol.parse_handshake_reply(
        protocol.handshake_accepted((1, 7, 0), features=b"\x07"), (1, 7, 0)
    )
    assert (accepted.accepted, accepted.features, accepted.node_id) == (True, b"\x07", None)
    assert protocol.parse_handshake_reply(
        protocol.handshake_accepted((1, 1, 0)), (1, 1, 0)
    ).accepted
    for broken in (b"", b"\x01\x0c\x05\x00\x00\x00ab", b"\x00\x01\x00", b"\x02"):
        with pytest.raises(ValueError):
            protocol.parse_handshake_reply(broken, (1, 7, 0))


# ---------------------------------------------------------------------------
# The session node (local or external)


def test_fixture_node_accepts_raw_handshake(ignite_node) -> None:
    assert ignite_node.address == f"{ignite_node.host}:{ignite_node.port}"
    reply = raw_handshake(ignite_node.host, ignite_node.port)
    assert reply[:1] == b"\x01", reply


def test_the_node_accepts_the_encoders_1_7_0_handshake(ignite_node) -> None:
    """The handshake ignite_tf's client speaks, from the Python encoder: the node accepts it
    and answers with the features both sides know (bit 2, CLUSTER_STATES, which the tests'
    cluster activation asks for) and its node id, which the reply parser reads."""
    for features, agreed in ((None, b""), (bytes([1 << 2]), bytes([1 << 2]))):
        with socket.create_connection((ignite_node.host, ignite_node.port), timeout=10) as sock:
            sock.sendall(protocol.frame(protocol.handshake_request((1, 7, 0), features=features)))
            reply = protocol.parse_handshake_reply(protocol.recv_frame(sock), (1, 7, 0))
        assert reply.accepted, reply
        assert reply.features == agreed
        assert reply.node_id is not None and len(reply.node_id) == 16


def test_sql_create_insert_select(ignite_node) -> None:
    """CREATE TABLE needs ignite-indexing (H2) on the node's classpath."""
    from pyignite import Client

    client = Client(timeout=30)
    client.connect(ignite_node.host, ignite_node.port)
    table = f"launcher_{uuid.uuid4().hex[:10]}"
    try:
        run_sql(
            client,
            f"CREATE TABLE {table} (id INT PRIMARY KEY, name VARCHAR, score DOUBLE)",
        )
        for i in range(5):
            run_sql(
                client,
                f"INSERT INTO {table} (id, name, score) VALUES (?, ?, ?)",
                [i, f"row{i}", i * 1.5],
            )
        rows = run_sql(
            client,
            f"SELECT id, name, score FROM {table} WHERE id >= ? ORDER BY id",
            [2],
        )
        assert rows == [[2, "row2", 3.0], [3, "row3", 4.5], [4, "row4", 6.0]]
        assert run_sql(client, f"SELECT COUNT(*) FROM {table}") == [[5]]
    finally:
        run_sql(client, f"DROP TABLE IF EXISTS {table}")
        client.close()


# ---------------------------------------------------------------------------
# Nodes of their own


def test_factory_node_has_its_own_port_and_stop_frees_it(ignite_node, ignite_node_factory) -> None:
    node = ignite_node_factory()
    assert node.port != ignite_node.port
    assert node.host == "127.0.0.1"
    assert node.address == f"127.0.0.1:{node.port}"
    assert node.log_path is not None and node.log_path.is_file()
    assert "Ignite node started OK" in node.log_path.read_text()
    assert raw_handshake(node.host, node.port)[:1] == b"\x01"
    pid = node.pid
    assert pid is not None and pid_exists(pid)

    node.stop()
    assert node.pid is None
    assert not pid_exists(pid)
    assert not accepts_connections(node.host, node.port)
    assert can_bind(node.port)
    node.stop()  # a second stop is harmless
    # The session node is untouched.
    assert raw_handshake(ignite_node.host, ignite_node.port)[:1] == b"\x01"


def test_kill_simulates_a_crash(ignite_node_factory) -> None:
    node = ignite_node_factory()
    pid = node.pid
    assert pid is not None
    node.kill()
    assert node.pid is None and not node.is_running()
    assert not pid_exists(pid)
    assert not accepts_connections(node.host, node.port)
    node.stop()
    node.stop()


def test_ports_at_the_top_of_the_range_start_a_node(ignite_node_factory, monkeypatch) -> None:
    """Ignite's NIO servers accept only ports below 65535; the allocator never hands out
    65535 (a node given it died at startup: "Ouch! Argument is invalid: port")."""
    from ignite_tf.node import ports

    class Highest:
        """Always the top of a window: the draw the allocator must still get right."""

        def choice(self, windows):
            return max(windows, key=lambda w: w[1])

        def randint(self, lo, hi):
            return hi

    top = max(hi for _, hi in ports._port_windows())
    assert top == 65534
    monkeypatch.setattr(ports, "_port_rng", Highest())
    (port,) = ports.allocate_ports(1)
    assert port == top
    monkeypatch.undo()
    node = ignite_node_factory(communication_port=port)
    assert node.communication_port == 65534
    assert raw_handshake(node.host, node.port)[:1] == b"\x01"


def test_context_manager_removes_temporary_work_dir() -> None:
    with IgniteNode(startup_timeout=120) as node:
        work_dir = node.work_dir
        assert work_dir is not None and work_dir.is_dir()
        assert testing.probe_thin_client(node.host, node.port)
        port = node.port
    assert not work_dir.exists()
    assert not accepts_connections("127.0.0.1", port)


def test_bad_config_fails_fast_with_the_node_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?>\n<beans><bean class="oops">\n')
    node = IgniteNode(config_template=bad, work_dir=tmp_path / "work", startup_timeout=60)
    started = time.monotonic()
    with pytest.raises(IgniteNodeError) as info:
        node.start()
    elapsed = time.monotonic() - started
    assert elapsed < 45, f"took {elapsed:.1f} s to notice a dead node"
    message = str(info.value)
    assert "exited with code" in message
    assert "Failed to start grid" in message  # text from the node log
    assert "Spring XML" in message
    assert "last lines of the node log" in capsys.readouterr().err
    assert node.pid is None
    node.stop()


def test_cluster_nodes_share_data_and_stay_apart_from_others(
    ignite_node, ignite_node_factory
) -> None:
    from pyignite import Client
    from pyignite.datatypes.cache_config import CacheMode, WriteSynchronizationMode
    from pyignite.datatypes.prop_codes import (
        PROP_CACHE_MODE,
        PROP_NAME,
        PROP_WRITE_SYNCHRONIZATION_MODE,
    )

    cluster = ignite_node_factory.cluster(2)
    assert len(cluster) == 2
    assert len({n.port for n in cluster}) == 2
    assert all(n.discovery_ports == cluster.discovery_ports for n in cluster)
    # Ignite logs the topology right after "Ignite node started OK".
    assert wait_for_log(cluster[1], "servers=2")

    name = f"shared_{uuid.uuid4().hex[:8]}"
    clients = [Client(timeout=30, partition_aware=False) for _ in range(3)]
    try:
        clients[0].connect(cluster[0].host, cluster[0].port)
        clients[1].connect(cluster[1].host, cluster[1].port)
        clients[2].connect(ignite_node.host, ignite_node.port)
        # FULL_SYNC: a put returns only once the backup on the other node has it (the default,
        # PRIMARY_SYNC, lets a read from that backup race the write).
        cache = clients[0].get_or_create_cache(
            {
                PROP_NAME: name,
                PROP_CACHE_MODE: CacheMode.REPLICATED,
                PROP_WRITE_SYNCHRONIZATION_MODE: WriteSynchronizationMode.FULL_SYNC,
            }
        )
        cache.put(1, "one")
        assert clients[1].get_cache(name).get(1) == "one"
        assert name in clients[1].get_cache_names()
        assert name not in clients[2].get_cache_names()
    finally:
        for client in clients:
            client.close()


# ---------------------------------------------------------------------------
# Killing and restarting cluster nodes

# Two small nodes: the test machines have two cores shared with everything else.
SMALL_CLUSTER = {"heap_options": ("-Xms128m", "-Xmx384m"), "region_max_size": 64 << 20}


def servers_seen_from(node: IgniteNode) -> int:
    """Server nodes in the topology as a thin client of ``node`` sees it (the SYS.NODES view)."""
    from ignite_tf import Client

    with Client(node.host, node.port) as client:
        result = client.sql("SELECT COUNT(*) FROM SYS.NODES WHERE IS_CLIENT = FALSE", schema="SYS")
    return int(result.rows[0][0])


def rows_of(client, cache: str, expected: int, timeout: float = 60.0) -> int:
    """Rows of a cache by a full scan, scanned again until there are ``expected`` (a node that
    just joined serves part of them while it is still receiving its partitions). Not
    ``Client.size``: it asks for peek mode ALL, which counts backup copies too."""
    deadline = time.monotonic() + timeout
    while True:
        with client.scan(cache) as scan:
            rows = sum(len(batch["key"]) for batch in scan)
        if rows == expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def create_backed_up_cache(node: IgniteNode, name: str) -> None:
    """A partitioned cache with one backup, so that every entry survives one node."""
    from pyignite import Client
    from pyignite.datatypes.cache_config import CacheMode, WriteSynchronizationMode
    from pyignite.datatypes.prop_codes import (
        PROP_BACKUPS_NUMBER,
        PROP_CACHE_MODE,
        PROP_NAME,
        PROP_WRITE_SYNCHRONIZATION_MODE,
    )

    client = Client(timeout=30, partition_aware=False)
    client.connect(node.host, node.port)
    try:
        client.get_or_create_cache(
            {
                PROP_NAME: name,
                PROP_CACHE_MODE: CacheMode.PARTITIONED,
                PROP_BACKUPS_NUMBER: 1,
                PROP_WRITE_SYNCHRONIZATION_MODE: WriteSynchronizationMode.FULL_SYNC,
            }
        )
    finally:
        client.close()


def test_cluster_kill_and_restart_a_node(ignite_node_factory) -> None:
    from ignite_tf import Client

    cluster = ignite_node_factory.cluster(2, **SMALL_CLUSTER)
    assert cluster.address == f"{cluster[0].address},{cluster[1].address}"
    assert cluster.addresses == [cluster[0].address, cluster[1].address]
    version = cluster.wait_for_topology(2)
    assert servers_seen_from(cluster[0]) == servers_seen_from(cluster[1]) == 2
    name = f"kill_{uuid.uuid4().hex[:8]}"
    create_backed_up_cache(cluster[0], name)
    with Client(cluster[0].host, cluster[0].port) as client:
        client.put_all(name, [(i, f"v{i}") for i in range(200)])

    killed = cluster[1]
    port, work_dir, pid = killed.port, killed.work_dir, killed.pid
    assert pid is not None
    assert cluster.kill(1) is killed
    assert not killed.is_running() and not pid_exists(pid)
    assert not accepts_connections(killed.host, port)
    # The survivor drops the dead node from its topology; its data is all still there.
    shrunk = cluster.wait_for_topology(1, timeout=60)
    assert shrunk > version
    assert servers_seen_from(cluster[0]) == 1
    with Client(cluster[0].host, cluster[0].port) as client:
        assert rows_of(client, name, 200) == 200
        assert [client.get(name, i) for i in (0, 99, 199)] == ["v0", "v99", "v199"]
        client.put(name, 200, "after the kill")

    # The same port and work directory, back in the same cluster; its log goes on.
    assert cluster.restart(1) is killed
    assert killed.is_running() and killed.pid != pid
    assert (killed.port, killed.work_dir) == (port, work_dir)
    assert killed.log_path is not None
    assert killed.log_path.read_text().count("Ignite node started OK") == 2
    assert cluster.wait_for_topology(2, timeout=60) > shrunk
    assert servers_seen_from(cluster[0]) == servers_seen_from(cluster[1]) == 2
    with Client(killed.host, killed.port) as client:
        assert rows_of(client, name, 201) == 201
        assert client.get(name, 200) == "after the kill"

    # The node clients connect to first is no different: the other one carries on (its cache
    # operations, not its data: the restarted node may still be receiving the rows).
    first = cluster.kill(0)
    assert not accepts_connections(first.host, first.port)
    cluster.wait_for_topology(1, timeout=60)
    with Client(killed.host, killed.port) as client:
        client.put(name, 1000, "on the last node")
        assert client.get(name, 1000) == "on the last node"
    assert servers_seen_from(killed) == 1


def test_a_cluster_grows_and_a_restart_keeps_a_temporary_work_dir() -> None:
    with IgniteCluster(1, discovery_range=2, **SMALL_CLUSTER) as cluster:
        node = cluster[0]
        work_dir, port = node.work_dir, node.port
        assert work_dir is not None
        cluster.kill(0)
        assert work_dir.is_dir()
        cluster.restart(0)
        assert (node.work_dir, node.port) == (work_dir, port)
        assert raw_handshake(node.host, node.port)[:1] == b"\x01"
        # A new cluster of one (topology version 1); topology() reads this start's log only.
        assert cluster.wait_for_topology(1) == 1
        added = cluster.add_node()
        assert cluster.address == f"{node.address},{added.address}"
        assert cluster.wait_for_topology(2) == 2
        assert servers_seen_from(added) == 2
        with pytest.raises(IgniteNodeError, match="discovery range is full"):
            cluster.add_node()
        work_dirs = [n.work_dir for n in cluster]
    assert all(d is not None and not d.exists() for d in work_dirs)


# ---------------------------------------------------------------------------
# The --ignite-address option and the environment variable


def _run_inner_pytest(
    tmp_path: Path, args: list[str], env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            from ignite_tf.testing import ExternalNode

            def test_inner(ignite_node):
                assert isinstance(ignite_node, ExternalNode)
                print("INNER-ADDRESS", ignite_node.address)
            """
        )
    )
    env = dict(os.environ)
    env.pop(testing.ENV_TEST_ADDRESS, None)
    env.update(env_extra or {})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(IMPORT_ROOT), env.get("PYTHONPATH")]))
    # Load the plugin explicitly and only once, whether or not the package's
    # entry point is installed.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "ignite_tf.pytest_plugin",
            "-s",
            "-q",
            "-p",
            "no:cacheprovider",
            *args,
            str(tmp_path / "test_inner.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_address_option_selects_an_external_node(ignite_node, tmp_path: Path) -> None:
    result = _run_inner_pytest(tmp_path, ["--ignite-address", ignite_node.address])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"INNER-ADDRESS {ignite_node.address}" in result.stdout


def test_address_env_var_selects_an_external_node(ignite_node, tmp_path: Path) -> None:
    result = _run_inner_pytest(tmp_path, [], {testing.ENV_TEST_ADDRESS: ignite_node.address})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"INNER-ADDRESS {ignite_node.address}" in result.stdout


def test_bad_address_option_is_a_usage_error(tmp_path: Path) -> None:
    result = _run_inner_pytest(tmp_path, ["--ignite-address", "no-port-here"])
    assert result.returncode != 0
    assert "--ignite-address" in result.stdout + result.stderr
    assert "host:port" in result.stdout + result.stderr


def test_external_stand_in_has_the_node_interface() -> None:
    node = ExternalNode("10.0.0.1", 10800)
    assert (node.host, node.port, node.address) == ("10.0.0.1", 10800, "10.0.0.1:10800")
    assert node.log_path is None and node.log_tail() == ""
