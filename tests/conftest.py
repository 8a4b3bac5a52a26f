"""Shared fixtures for the tests of the NumPy client API (ignite_tf.Client).

The Ignite nodes come from the ``ignite_tf`` pytest plugin (``ignite_node``: one node for the
session; ``ignite_node_factory``: extra nodes for one test). Everything here talks to real nodes,
except :class:`FakeServer`, a tiny socket server on 127.0.0.1 that plays a broken or hostile
"Ignite" endpoint for the error-handling tests, and :class:`Relay`, which passes a real node's
messages on and breaks one of them (or answers the handshake as an older server) on cue.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tls_material import TlsMaterial, make_tls_material, tools_available

from ignite_tf import CacheNotFoundError, Client
from ignite_tf.node import protocol
from ignite_tf.testing import (
    find_java,
    jvm_add_opens,
    probe_thin_client,
    resolve_ignite_classpath,
)

# A test of these modules that runs longer than this is hung: dump every thread's stack and end
# the run (the launcher's watchdog then stops the nodes) instead of blocking CI forever.
HANG_LIMIT_SECONDS = 240


def _uses_the_legacy_node(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    native = callspec is not None and callspec.params.get("igfs_backend") == "native"
    return native or "legacy_igfs_node" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the Ignite 2.8.1 IGFS node (``legacy_igfs_node``, or ``igfs_backend`` when it is
    ``native``) run last, so its JVM starts after the 2.17 nodes' tests instead of running
    beside them (the test machines have two cores)."""
    items.sort(key=_uses_the_legacy_node)


@dataclass(frozen=True)
class IgfsBackend:
    """Where igfs:// reaches one backend: ``thin`` (the cache store, through the session node's
    thin-client port) or ``native`` (Ignite 2.8.1's own IGFS, on its IGFS port)."""

    name: str
    host: str
    port: int

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"


@pytest.fixture(params=["thin", "native"])
def igfs_backend(request: pytest.FixtureRequest) -> IgfsBackend:
    """Each igfs:// backend in turn; the port alone tells igfs:// which one it is."""
    if request.param == "thin":
        node = request.getfixturevalue("ignite_node")
        return IgfsBackend("thin", node.host, node.port)
    node = request.getfixturevalue("legacy_igfs_node")
    return IgfsBackend("native", node.host, node.igfs_port)


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """Ends the whole run with a traceback of every thread if the test hangs."""
    faulthandler.dump_traceback_later(HANG_LIMIT_SECONDS, exit=True, file=sys.stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def _run_reporting(command: list[str], what: str) -> str:
    """Runs a command; its stdout, or an AssertionError with its output when it fails."""
    out = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if out.returncode != 0:
        raise AssertionError(
            f"{what} exited {out.returncode}:\n{out.stderr[-4000:]}\n{out.stdout[-2000:]}"
        )
    return out.stdout


def run_java_writer(source: Path, classes: Path, node: Any, *args: str) -> Any:
    """Compiles a Java writer (tests/java/*.java) against the node's Ignite jars into `classes`,
    runs it as ``<class> host port *args`` and returns the JSON it prints (what it wrote). A
    failing javac or program fails the test with its own output."""
    java = find_java()
    javac = Path(java).with_name("javac")
    if not javac.exists():
        javac = Path(shutil.which("javac") or "javac")
    classpath = os.pathsep.join(str(p) for p in resolve_ignite_classpath(quiet=True))
    _run_reporting(
        [str(javac), "-d", str(classes), "-cp", classpath, str(source)], f"javac {source.name}"
    )
    stdout = _run_reporting(
        [str(java), *jvm_add_opens(17), "-cp", f"{classes}{os.pathsep}{classpath}"]
        + [source.stem, node.host, str(node.port), *args],
        source.stem,
    )
    return json.loads(stdout)


def unique_name(prefix: str) -> str:
    """An upper-case name no other test uses (also valid as an unquoted SQL identifier)."""
    return f"{prefix}_{uuid.uuid4().hex[:12].upper()}"


@pytest.fixture
def unique() -> Callable[[str], str]:
    """The :func:`unique_name` helper (binary type names must differ between tests too: a node
    keeps every type's field types for its lifetime)."""
    return unique_name


@pytest.fixture
def connect(ignite_node: Any) -> Iterator[Callable[..., Client]]:
    """``connect(**options)`` opens a Client to the session node; all are closed afterwards."""
    clients: list[Client] = []

    def _connect(**options: Any) -> Client:
        options.setdefault("timeout", 30.0)
        c = Client(ignite_node.host, ignite_node.port, **options)
        clients.append(c)
        return c

    yield _connect
    for c in clients:
        c.close()


@pytest.fixture
def client(connect: Callable[..., Client]) -> Client:
    """A Client connected to the session node, closed after the test."""
    return connect()


def _destroy_quietly(ignite_node: Any, cache: str) -> None:
    # A fresh connection: the test's own client may be closed or broken on purpose.
    with Client(ignite_node.host, ignite_node.port, timeout=30) as c:
        with contextlib.suppress(CacheNotFoundError):
            c.destroy_cache(cache)


@pytest.fixture
def cache_name(ignite_node: Any) -> Iterator[str]:
    """A cache name unique to this test; the cache (if the test made it) is destroyed after."""
    name = unique_name("TEST_CACHE")
    yield name
    _destroy_quietly(ignite_node, name)


@pytest.fixture
def table_name(ignite_node: Any) -> Iterator[str]:
    """A SQL table name unique to this test (its cache is SQL_PUBLIC_<name>); dropped after."""
    name = unique_name("T")
    yield name
    with Client(ignite_node.host, ignite_node.port, timeout=30) as c:
        c.sql(f"DROP TABLE IF EXISTS {name}")


@pytest.fixture
def make_cache(connect: Callable[..., Client], ignite_node: Any) -> Iterator[Callable[..., str]]:
    """``make_cache(entries=())`` creates a uniquely named cache, optionally filled; destroyed
    after the test."""
    made: list[str] = []
    writer = connect()

    def _make(entries: Any = ()) -> str:
        name = unique_name("TEST_CACHE")
        writer.create_cache(name)
        made.append(name)
        entries = list(entries)
        for start in range(0, len(entries), 5000):
            writer.put_all(name, entries[start : start + 5000])
        return name

    yield _make
    for name in made:
        _destroy_quietly(ignite_node, name)


# --------------------------------------------------------------------------------------------
# Bounded calls: a hang fails the test instead of blocking the run.


class Outcome:
    """What a call run by :func:`run_bounded` did: its value or exception, and how long it took."""

    def __init__(self) -> None:
        self.value: Any = None
        self.error: BaseException | None = None
        self.elapsed: float = 0.0


def run_bounded(fn: Callable[[], Any], limit: float) -> Outcome:
    """Runs ``fn`` in a daemon thread; fails the test if it has not returned after ``limit`` s.

    Every blocking call of the native client releases the GIL, so a native hang cannot stop this
    thread from noticing it.
    """
    outcome = Outcome()

    def target() -> None:
        started = time.monotonic()
        try:
            outcome.value = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.error = exc
        outcome.elapsed = time.monotonic() - started

    thread = threading.Thread(target=target, name="bounded-call", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        pytest.fail(f"the call was still running after {limit} s (it hangs)")
    return outcome


def raises_within(
    expected: type[BaseException] | tuple[type[BaseException], ...],
    fn: Callable[[], Any],
    limit: float,
) -> BaseException:
    """Asserts ``fn`` raises ``expected`` within ``limit`` seconds; returns the exception."""
    outcome = run_bounded(fn, limit)
    if outcome.error is None:
        pytest.fail(f"expected {expected}, but the call returned {outcome.value!r}")
    if not isinstance(outcome.error, expected):
        raise AssertionError(
            f"expected {expected}, got {type(outcome.error).__name__}: {outcome.error}"
        ) from outcome.error
    assert outcome.elapsed < limit
    return outcome.error


@pytest.fixture
def bounded() -> Callable[[Callable[[], Any], float], Outcome]:
    """The :func:`run_bounded` helper."""
    return run_bounded


@pytest.fixture
def expect_error() -> Callable[..., BaseException]:
    """The :func:`raises_within` helper: ``expect_error(ExcType, fn, limit)``."""
    return raises_within


# --------------------------------------------------------------------------------------------
# Fake endpoints for the error tests.


def recv_exact(conn: socket.socket, n: int) -> bytes | None:
    """``n`` bytes from ``conn``, or None if the peer closed first."""
    try:
        return protocol.recv_exact(conn, n)
    except OSError:  # ConnectionError at EOF, or a reset
        return None


def recv_frame(conn: socket.socket, max_length: int = protocol.MAX_FRAME) -> bytes | None:
    """One length-prefixed thin-client message (without its prefix), or None at EOF."""
    try:
        return protocol.recv_frame(conn, max_length)
    except OSError:
        return None


def send_frame(conn: socket.socket, payload: bytes) -> None:
    conn.sendall(protocol.frame(payload))


class FakeServer:
    """A listening socket on 127.0.0.1; each accepted connection is passed to ``handler`` in its
    own thread. ``close()`` closes the listener and every accepted connection."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self._handler = handler
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host = "127.0.0.1"
        self.port: int = self._listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept_loop, name="fake-ignite", daemon=True).start()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self.connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self._handler(conn)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns = list(self.connections)
        # shutdown() wakes a thread blocked in accept() or recv() on these sockets.
        for sock in [self._listener, *conns]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def fake_server() -> Iterator[Callable[[Callable[[socket.socket], None]], FakeServer]]:
    """``fake_server(handler)`` starts a :class:`FakeServer`; all are closed after the test."""
    servers: list[FakeServer] = []

    def _start(handler: Callable[[socket.socket], None]) -> FakeServer:
        server = FakeServer(handler)
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.close()


class Relay:
    """A TCP relay on 127.0.0.1 in front of a real node: every message of every connection is
    passed on unchanged, except where the test steps in. The replies still come from Apache
    Ignite; the relay only breaks one of them at a chosen point, which no real node does on cue.

    ``offer``: a protocol version ``(1, minor, patch)``. A handshake asking for a newer one is
    answered as a server that speaks at most ``offer`` answers it (a rejection naming ``offer``)
    and closed; the next handshake, at ``offer``, goes through to the real node, so the rest of
    that connection is the real node speaking the older version.

    ``on_reply(op, frame)``: called for every reply after the handshake with the op code of the
    request it answers and the message (without its length prefix). It returns None to pass the
    reply on, or an action: ``Relay.cut(n)`` sends the length prefix and the first ``n`` bytes
    of the message, then closes both sides; ``Relay.stall(n)`` sends the same and then nothing
    more (the connection stays open); ``Relay.replace(raw)`` sends ``raw`` (prefix included, if
    any) instead and goes on.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        offer: tuple[int, int, int] | None = None,
        on_reply: Callable[[int | None, bytes], Any] | None = None,
    ) -> None:
        self.upstream = upstream
        self.offer = offer
        self.on_reply = on_reply
        self.offers: list[tuple[int, int, int]] = []  # every version a client asked for
        self.replies: list[int | None] = []  # op code of every reply passed on or changed
        self.requests: list[bytes] = []  # every request after a handshake, without its prefix
        self.acted = threading.Event()  # set once on_reply returned an action
        self._server = FakeServer(self._serve)
        self.host, self.port = self._server.host, self._server.port

    @staticmethod
    def cut(n: int) -> tuple[str, int]:
        return ("cut", n)

    @staticmethod
    def stall(n: int) -> tuple[str, int]:
        return ("stall", n)

    @staticmethod
    def replace(raw: bytes) -> tuple[str, bytes]:
        return ("replace", raw)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _serve(self, client: socket.socket) -> None:
        hello = recv_frame(client)
        if hello is None:
            return
        version = protocol.handshake_version(hello)
        self.offers.append(version)
        if self.offer is not None and version > self.offer:
            send_frame(client, protocol.handshake_rejection(self.offer, "Unsupported version."))
            client.close()
            return
        node = socket.create_connection(self.upstream, timeout=30)
        node.settimeout(None)
        self._server.connections.append(node)  # closed with the relay
        send_frame(node, hello)
        ops: dict[int, int] = {}
        threading.Thread(
            target=self._requests, args=(client, node, ops), name="relay-requests", daemon=True
        ).start()
        self._replies(client, node, ops)

    def _requests(self, client: socket.socket, node: socket.socket, ops: dict[int, int]) -> None:
        with contextlib.suppress(OSError):
            while (frame := recv_frame(client, 1 << 30)) is not None:
                op, request_id = struct.unpack_from("<hq", frame)
                ops[request_id] = op  # before the node can answer it
                self.requests.append(frame)
                send_frame(node, frame)
        with contextlib.suppress(OSError):
            node.shutdown(socket.SHUT_WR)

    def _replies(self, client: socket.socket, node: socket.socket, ops: dict[int, int]) -> None:
        first = True
        # Replies as large as a client may take (pages of MiB-sized rows), not a test server's
        # own bound.
        while (frame := recv_frame(node, 1 << 30)) is not None:
            if first:  # the handshake reply
                first = False
                send_frame(client, frame)
                continue
            op = ops.pop(struct.unpack_from("<q", frame)[0], None)
            self.replies.append(op)
            action = self.on_reply(op, frame) if self.on_reply else None
            if action is None:
                send_frame(client, frame)
                continue
            self.acted.set()
            kind, arg = action
            if kind == "replace":
                client.sendall(arg)
                continue
            client.sendall(struct.pack("<i", len(frame)) + frame[:arg])
            if kind == "cut":
                for sock in (client, node):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
            return  # stall: keep both sockets open, send nothing more
        with contextlib.suppress(OSError):
            client.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def relay(ignite_node: Any) -> Iterator[Callable[..., Relay]]:
    """``relay(offer=None, on_reply=None)`` starts a :class:`Relay` in front of the session node;
    all are closed after the test."""
    relays: list[Relay] = []

    def _start(**options: Any) -> Relay:
        r = Relay((ignite_node.host, ignite_node.port), **options)
        relays.append(r)
        return r

    yield _start
    for r in relays:
        r.close()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A 127.0.0.1 port that refuses connections: bound by us (so nobody else takes it) but not
    listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def wire() -> SimpleNamespace:
    """Helpers for fake endpoints: ``recv_exact``, ``recv_frame`` and ``send_frame``."""
    return SimpleNamespace(recv_exact=recv_exact, recv_frame=recv_frame, send_frame=send_frame)


# --------------------------------------------------------------------------------------------
# TLS and authentication nodes (tests/test_tls.py, tests/test_auth.py).

SERVER_DIR = Path(__file__).resolve().parent / "server"
# Small nodes: the test machines have two cores shared with everything else.
SMALL_NODE = {"heap_options": ("-Xms128m", "-Xmx512m"), "region_max_size": 128 << 20}


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    """CA, node and client keys and certificates, made for this session (see tls_material.py)."""
    missing = tools_available()
    if missing:
        pytest.skip(f"cannot make TLS test certificates: {missing}")
    return make_tls_material(tmp_path_factory.mktemp("tls"))


def tls_context(material: TlsMaterial) -> ssl.SSLContext:
    """A Python SSL context with the test CA and client certificate (for readiness probes)."""
    context = ssl.create_default_context(cafile=str(material.ca))
    context.load_cert_chain(str(material.client_cert), str(material.client_key))
    return context


def tls_probe(material: TlsMaterial, **credentials: str) -> Callable[[str, int, float], bool]:
    """A readiness probe for a node whose thin-client port needs TLS with a client certificate
    (and credentials, if given)."""
    return functools.partial(probe_thin_client, ssl_context=tls_context(material), **credentials)


def activate_cluster(
    host: str,
    port: int,
    timeout: float,
    *,
    username: str,
    password: str,
    ssl_context: ssl.SSLContext | None = None,
) -> bool:
    """Sets the cluster state to ACTIVE over the thin-client protocol (OP_CLUSTER_CHANGE_STATE,
    protocol 1.7.0 with the CLUSTER_STATES feature). A new cluster with native persistence starts
    inactive and no tool for it ships with the server jars. Returns False on any failure."""
    version = (1, 7, 0)
    cluster_states = bytes([1 << 2])  # the feature bitmask with bit 2, CLUSTER_STATES
    hello = protocol.handshake_request(
        version, features=cluster_states, username=username, password=password
    )
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            sock = ssl_context.wrap_socket(raw, server_hostname=host) if ssl_context else raw
            send_frame(sock, hello)
            reply = recv_frame(sock)
            if not reply or not protocol.parse_handshake_reply(reply, version).accepted:
                return False
            # OP_CLUSTER_CHANGE_STATE, request id 1, state ACTIVE
            send_frame(sock, protocol.request(5001, 1, b"\x01"))
            reply = recv_frame(sock)
            if reply is None:
                return False
            return protocol.reply_status(reply, version)[1]  # no error flag
    except (OSError, struct.error, ValueError):
        return False


def activating_probe(
    *, username: str, password: str, ssl_context: ssl.SSLContext | None = None
) -> Callable[[str, int, float], bool]:
    """Readiness for a persistent node with authentication: activate it, then the usual probe."""

    def probe(host: str, port: int, timeout: float) -> bool:
        credentials = {"username": username, "password": password, "ssl_context": ssl_context}
        return activate_cluster(host, port, timeout, **credentials) and probe_thin_client(
            host, port, timeout, **credentials
        )

    return probe


def start_node(
    work_dir: Path,
    template: str,
    substitutions: dict[str, str],
    probe: Any,
    jvm_options: tuple[str, ...] = (),
) -> Any:
    """Starts an IgniteNode from ``tests/server/<template>``; the caller stops it."""
    from ignite_tf.testing import IgniteNode

    node = IgniteNode(
        config_template=SERVER_DIR / template,
        substitutions=substitutions,
        work_dir=work_dir,
        ready_probe=probe,
        print_log_on_failure=False,
        jvm_options=jvm_options,
        **SMALL_NODE,
    )
    node.start()
    return node


# --------------------------------------------------------------------------------------------
# A cluster of three nodes, shared by the cluster tests (tests/test_cluster.py).

ENV_TEST_CLUSTER = "IGNITE_TF_TEST_CLUSTER"


@pytest.fixture(scope="session")
def ignite_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """Three server nodes forming one cluster on loopback, started once for the session, with
    ``.addresses`` (``"host:port"`` of each) and ``.cluster`` (the IgniteCluster, to kill and
    restart nodes). ``IGNITE_TF_TEST_CLUSTER="h1:p,h2:p,h3:p"`` names an external cluster to use
    instead (``.cluster`` is None then: the failover tests, which kill nodes, need this run's)."""
    external = os.environ.get(ENV_TEST_CLUSTER)
    if external:
        addresses = [entry.strip() for entry in external.split(",") if entry.strip()]
        yield SimpleNamespace(addresses=addresses, nodes=None, cluster=None)
        return
    from ignite_tf.testing import IgniteCluster, IgniteNodeError

    cluster = IgniteCluster(
        3,
        work_root=tmp_path_factory.mktemp("ignite-cluster"),
        print_log_on_failure=False,
        **SMALL_NODE,
    )
    try:
        error = None
        try:
            cluster.start()
        except IgniteNodeError as exc:
            error = str(exc)
        if error is not None:
            pytest.fail(f"could not start the test cluster: {error}", pytrace=False)
        yield SimpleNamespace(addresses=cluster.addresses, nodes=cluster.nodes, cluster=cluster)
    finally:
        cluster.stop()


@pytest.fixture
def cluster_client(ignite_cluster: SimpleNamespace) -> Iterator[Client]:
    """A Client given every node of the cluster; closed after the test."""
    with Client(ignite_cluster.addresses, timeout=60) as c:
        yield c


@pytest.fixture
def cluster_cache(ignite_cluster: SimpleNamespace) -> Iterator[str]:
    """A cache name unique to this test; the cache is destroyed on the cluster after it."""
    name = unique_name("CLUSTER_CACHE")
    yield name
    with Client(ignite_cluster.addresses, timeout=60) as c:
        with contextlib.suppress(CacheNotFoundError):
            c.destroy_cache(name)
