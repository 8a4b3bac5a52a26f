"""igfs:// on Ignite 2.8's own IGFS (the native protocol), beside the cache store: which backend
a port gets, explicit choices and their errors, fsspec and TensorFlow on one IGFS, names outside
the BMP, and faults (a connection cut mid-write and mid-read, a silent server) through a byte
relay in front of the real 2.8.1 node. The shared TensorFlow suite (checkpoints, Keras,
TensorBoard, the gfile differential test) runs on both backends in test_igfs.py."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

tf = pytest.importorskip("tensorflow")

from conftest import FakeServer  # noqa: E402

import ignite_tf  # noqa: E402,F401  (registers igfs://)
from ignite_tf.errors import (  # noqa: E402
    IgniteConnectionError,
    IgniteError,
    IgniteTimeoutError,
)
from ignite_tf.fsspec import IgfsFileSystem  # noqa: E402


def _name() -> str:
    return f"n-{uuid.uuid4().hex[:8]}"


@pytest.fixture()
def native_env(legacy_igfs_node: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """igfs:///... on the 2.8.1 node's IGFS, as the article set it up (IGFS_HOST / IGFS_PORT)."""
    monkeypatch.setenv("IGFS_HOST", legacy_igfs_node.host)
    monkeypatch.setenv("IGFS_PORT", str(legacy_igfs_node.igfs_port))
    for variable in ("IGFS_PROTOCOL", "IGFS_FS_NAME"):
        monkeypatch.delenv(variable, raising=False)
    root = f"igfs:///{_name()}"
    tf.io.gfile.makedirs(root)
    yield root
    tf.io.gfile.rmtree(root)


def test_the_port_picks_the_backend(legacy_igfs_node: Any, ignite_node: Any) -> None:
    native = IgfsFileSystem(
        legacy_igfs_node.host, legacy_igfs_node.igfs_port, skip_instance_cache=True
    )
    thin = IgfsFileSystem(ignite_node.host, ignite_node.port, skip_instance_cache=True)
    assert native.protocol_in_use == "native"
    assert "IGFS 'igfs'" in native.store.where  # the node's one IGFS, found by the handshake
    assert thin.protocol_in_use == "thin"
    # One path, two stores: what is written through one port is not in the other.
    path = f"/{_name()}.txt"
    native.pipe(path, b"in IGFS")
    thin.pipe(path, b"in caches")
    assert native.cat(path) == b"in IGFS" and thin.cat(path) == b"in caches"
    # The native backend has no caches to clean up; saying so beats a silent no-op.
    with pytest.raises(IgniteError, match="native protocol.*no igfs caches"):
        native.gc()
    native.rm(path)
    thin.rm(path)


def test_fsspec_and_pandas_read_what_tensorflow_wrote(native_env: str, legacy_igfs_node: Any):
    import pandas as pd

    with tf.io.gfile.GFile(f"{native_env}/table.csv", "w") as f:
        f.write("a,b\n1,x\n2,y\n")
    url = f"igfs://{legacy_igfs_node.igfs_address}/{native_env[len('igfs:///') :]}/table.csv"
    frame = pd.read_csv(url, storage_options={"skip_instance_cache": True})
    assert frame.to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}
    fs = IgfsFileSystem(legacy_igfs_node.host, legacy_igfs_node.igfs_port, skip_instance_cache=True)
    assert fs.ls(native_env[len("igfs://") :], detail=False) == [
        f"{native_env[len('igfs://') :]}/table.csv"
    ]
    # And TensorFlow reads what fsspec writes.
    fs.pipe(f"{native_env[len('igfs://') :]}/from-fsspec.bin", b"\x00\x01" * 70_000)
    assert tf.io.gfile.GFile(f"{native_env}/from-fsspec.bin", "rb").read() == b"\x00\x01" * 70_000


def test_an_explicit_protocol_wins(legacy_igfs_node: Any, ignite_node: Any, monkeypatch) -> None:
    monkeypatch.delenv("IGFS_PROTOCOL", raising=False)
    thin = f"igfs://{ignite_node.host}:{ignite_node.port}/{_name()}.txt"
    with tf.io.gfile.GFile(f"{thin}?protocol=thin", "w") as f:
        f.write("thin")
    assert tf.io.gfile.GFile(thin).read() == "thin"
    tf.io.gfile.remove(thin)
    native = f"igfs://{legacy_igfs_node.igfs_address}/{_name()}.txt"
    with tf.io.gfile.GFile(f"{native}?protocol=native", "w") as f:
        f.write("native")
    assert tf.io.gfile.GFile(native).read() == "native"
    tf.io.gfile.remove(native)


def test_a_protocol_the_port_does_not_speak_is_a_quick_clear_error(
    ignite_node: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Native on a thin-client port: the port closes the connection at IGFS's handshake, and the
    error says so at once (no wait for a timeout)."""
    uri = f"igfs://{ignite_node.host}:{ignite_node.port}/{_name()}.txt"
    started = time.monotonic()
    with pytest.raises(tf.errors.UnavailableError, match="does not answer IGFS's handshake"):
        tf.io.gfile.GFile(f"{uri}?protocol=native", "w").write("x")
    monkeypatch.setenv("IGFS_PROTOCOL", "native")
    with pytest.raises(tf.errors.UnavailableError, match="does not answer IGFS's handshake"):
        tf.io.gfile.exists(uri)
    assert time.monotonic() - started < 10
    with pytest.raises(IgniteConnectionError, match="does not answer IGFS's handshake"):
        IgfsFileSystem(
            ignite_node.host, ignite_node.port, protocol="native", skip_instance_cache=True
        )
    monkeypatch.setenv("IGFS_PROTOCOL", "hdfs")
    with pytest.raises(tf.errors.InvalidArgumentError, match="IGFS_PROTOCOL.*'thin'.*'native'"):
        tf.io.gfile.exists(uri)
    monkeypatch.delenv("IGFS_PROTOCOL")
    with pytest.raises(tf.errors.InvalidArgumentError, match="protocol 'hdfs' is unknown"):
        tf.io.gfile.exists(f"{uri}?protocol=hdfs")


def test_thin_on_an_igfs_port_fails_within_the_connect_timeout(
    legacy_igfs_node: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thin on Ignite 2.8's IGFS port: the endpoint takes the thin client's handshake and never
    answers. The error (which names 'native' and 'auto') comes after the connect timeout, not the
    operations' timeout (60 s in the TensorFlow plugin, which connects within 10 s)."""
    started = time.monotonic()
    with pytest.raises(IgniteTimeoutError, match="use protocol 'native' or 'auto'"):
        IgfsFileSystem(
            legacy_igfs_node.host,
            legacy_igfs_node.igfs_port,
            protocol="thin",
            connect_timeout=2.0,
            timeout=60.0,
            skip_instance_cache=True,
        )
    assert time.monotonic() - started < 8
    uri = f"igfs://{legacy_igfs_node.igfs_address}/{_name()}.txt"
    monkeypatch.setenv("IGFS_PROTOCOL", "thin")
    started = time.monotonic()
    with pytest.raises(tf.errors.DeadlineExceededError, match="protocol 'native' or 'auto'"):
        tf.io.gfile.exists(uri)
    monkeypatch.delenv("IGFS_PROTOCOL")
    with pytest.raises(tf.errors.DeadlineExceededError, match="protocol 'native' or 'auto'"):
        tf.io.gfile.GFile(f"{uri}?protocol=thin", "w").write("x")
    assert time.monotonic() - started < 40  # twice the 10 s connect timeout, not twice 60 s


def test_native_on_a_silent_endpoint_fails_within_the_connect_timeout(fake_server) -> None:
    """An endpoint that accepts and never answers IGFS's handshake (a hung node): the error
    comes after the connect timeout, not the operations' timeout."""

    def silent(conn: socket.socket) -> None:
        while conn.recv(1 << 16):
            pass  # reads the handshake, answers nothing, until the client hangs up

    server = fake_server(silent)
    started = time.monotonic()
    with pytest.raises(IgniteTimeoutError, match="IGFS"):
        IgfsFileSystem(
            server.host,
            server.port,
            protocol="native",
            connect_timeout=2.0,
            timeout=60.0,
            skip_instance_cache=True,
        )
    assert time.monotonic() - started < 8


def test_tls_and_credentials_do_not_go_to_an_igfs_endpoint(legacy_igfs_node: Any, monkeypatch):
    uri = f"igfs://{legacy_igfs_node.igfs_address}/x?protocol=native&tls=true"
    with pytest.raises(tf.errors.InvalidArgumentError, match="no TLS and no authentication"):
        tf.io.gfile.exists(uri)
    monkeypatch.setenv("IGNITE_DATASET_USERNAME", "ignite")
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", "ignite")
    with pytest.raises(tf.errors.InvalidArgumentError, match="no TLS and no authentication"):
        tf.io.gfile.exists(f"igfs://{legacy_igfs_node.igfs_address}/x?protocol=native")


def test_a_wrong_filesystem_name_names_the_nodes_one(
    legacy_igfs_node: Any, native_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGFS_FS_NAME", "default_fs")  # TensorFlow 1.13's default, refused here
    with pytest.raises(tf.errors.NotFoundError, match=r"'default_fs'.*existing=igfs"):
        tf.io.gfile.GFile(f"{native_env}/x", "w").write("x")
    monkeypatch.setenv("IGFS_FS_NAME", "igfs")  # the node's own name works
    assert tf.io.gfile.isdir(native_env)
    monkeypatch.delenv("IGFS_FS_NAME")
    with pytest.raises(IgniteError, match="'default_fs'"):
        IgfsFileSystem(
            legacy_igfs_node.host,
            legacy_igfs_node.igfs_port,
            fs_name="default_fs",
            skip_instance_cache=True,
        )


def test_names_outside_the_bmp_round_trip(native_env: str, legacy_igfs_node: Any) -> None:
    """IGFS speaks modified UTF-8 (surrogate pairs); plain UTF-8 would make the server drop the
    connection."""
    names = ["ключ-😀.txt", "nul-free-\u00e9\u4e2d.bin", "𝄞music"]
    for i, name in enumerate(names):
        with tf.io.gfile.GFile(f"{native_env}/{name}", "wb") as f:
            f.write(bytes([i]) * 10)
    assert sorted(tf.io.gfile.listdir(native_env)) == sorted(names)
    fs = IgfsFileSystem(legacy_igfs_node.host, legacy_igfs_node.igfs_port, skip_instance_cache=True)
    base = native_env[len("igfs://") :]
    assert sorted(fs.ls(base, detail=False)) == sorted(f"{base}/{n}" for n in names)
    assert fs.cat(f"{base}/{names[0]}") == b"\x00" * 10


# ---- faults, through a byte relay in front of the real node


class ByteRelay:
    """Passes every byte between clients and an upstream endpoint unchanged, until the first
    connection that has sent (``cut_upload``) or received (``cut_download``) more than that
    many bytes: that one is cut (both sides closed), or with ``stall`` left open and silent.
    Later connections pass untouched (the fault happens once)."""

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        cut_upload: int | None = None,
        cut_download: int | None = None,
        stall: bool = False,
    ) -> None:
        self.upstream = upstream
        self.cut_upload = cut_upload
        self.cut_download = cut_download
        self.stall = stall
        self.fired = threading.Event()
        self._lock = threading.Lock()
        self._server = FakeServer(self._serve)
        self.address = self._server.address

    def _serve(self, client: socket.socket) -> None:
        server = socket.create_connection(self.upstream)
        done = threading.Event()

        def pump(src: socket.socket, dst: socket.socket, limit: int | None) -> None:
            moved = 0
            with contextlib.suppress(OSError):
                while not done.is_set():
                    data = src.recv(1 << 16)
                    if not data:
                        break
                    if limit is not None and moved + len(data) > limit and self._fire():
                        dst.sendall(data[: limit - moved])
                        if self.stall:
                            done.wait()
                        break
                    dst.sendall(data)
                    moved += len(data)
            done.set()
            for s in (client, server):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

        up = threading.Thread(target=pump, args=(client, server, self.cut_upload), daemon=True)
        up.start()
        pump(server, client, self.cut_download)
        up.join(timeout=5)
        server.close()

    def _fire(self) -> bool:
        with self._lock:
            if self.fired.is_set():
                return False
            self.fired.set()
            return True

    def close(self) -> None:
        self._server.close()


@pytest.fixture()
def relay_factory(legacy_igfs_node: Any) -> Iterator[Any]:
    relays: list[ByteRelay] = []

    def make(**kwargs: Any) -> ByteRelay:
        relay = ByteRelay((legacy_igfs_node.host, legacy_igfs_node.igfs_port), **kwargs)
        relays.append(relay)
        return relay

    yield make
    for relay in relays:
        relay.close()


def test_a_connection_cut_mid_write_is_an_error_and_the_next_write_reconnects(
    relay_factory: Any, legacy_igfs_node: Any
) -> None:
    relay = relay_factory(cut_upload=3 << 20)
    name = _name()
    uri = f"igfs://{relay.address}/{name}.bin?protocol=native"
    started = time.monotonic()
    with pytest.raises(tf.errors.OpError) as raised:
        with tf.io.gfile.GFile(uri, "wb") as f:
            for _ in range(8):
                f.write(os.urandom(1 << 20))
    assert relay.fired.is_set()
    assert relay.address in str(raised.value), raised.value
    assert time.monotonic() - started < 30
    # The broken connection is replaced on next use. (The cut path itself stays "already opened
    # for write" until the node notices that the old connection is gone: IGFS's lock.)
    again = f"igfs://{relay.address}/{name}-again.bin?protocol=native"
    with tf.io.gfile.GFile(again, "wb") as f:
        f.write(b"whole")
    assert tf.io.gfile.GFile(again, "rb").read() == b"whole"
    tf.io.gfile.remove(again)


def test_a_connection_cut_mid_read_is_an_error_not_a_short_file(
    relay_factory: Any, legacy_igfs_node: Any
) -> None:
    data = os.urandom(6 << 20)
    direct = f"igfs://{legacy_igfs_node.igfs_address}/{_name()}.bin"
    with tf.io.gfile.GFile(direct, "wb") as f:
        f.write(data)
    relay = relay_factory(cut_download=2 << 20)
    through = f"igfs://{relay.address}/{direct.rsplit('/', 1)[1]}?protocol=native"
    with pytest.raises(tf.errors.OpError, match="closed|reset|broken"):
        tf.io.gfile.GFile(through, "rb").read()
    assert relay.fired.is_set()
    assert tf.io.gfile.GFile(through, "rb").read() == data  # a new connection reads it whole
    tf.io.gfile.remove(direct)


def test_a_silent_server_times_out(relay_factory: Any, legacy_igfs_node: Any) -> None:
    relay = relay_factory(cut_download=1 << 20, stall=True)
    host, port = relay.address.rsplit(":", 1)
    fs = IgfsFileSystem(host, int(port), protocol="native", timeout=3.0, skip_instance_cache=True)
    path = f"/{_name()}.bin"
    direct = IgfsFileSystem(
        legacy_igfs_node.host, legacy_igfs_node.igfs_port, skip_instance_cache=True
    )
    direct.pipe(path, os.urandom(4 << 20))
    started = time.monotonic()
    with pytest.raises(IgniteTimeoutError):
        fs.cat(path)
    assert time.monotonic() - started < 20
    direct.rm(path)
