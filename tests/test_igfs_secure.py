"""igfs:// against secured real nodes: a TLS node that requires client certificates
(tests/server/tls.xml) and an authentication node (tests/server/auth.xml), through TensorFlow's
tf.io.gfile (the plugin) and fsspec.

The scheme under test: non-secret options as URI query parameters (``?ca_file=...``), everything
also from ``IGNITE_DATASET_*`` variables, secrets only from the environment (or fsspec keyword
arguments); refusals are clear errors within a bounded time and never show a secret.
"""

from __future__ import annotations

import traceback
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from conftest import activating_probe, raises_within, start_node, tls_probe
from tls_material import TlsMaterial

tf = pytest.importorskip("tensorflow")
fsspec = pytest.importorskip("fsspec")

import ignite_tf  # noqa: E402,F401  (registers igfs:// with TensorFlow)
from ignite_tf import IgniteAuthenticationError, IgniteTLSError  # noqa: E402
from ignite_tf.fsspec import IgfsFileSystem  # noqa: E402

pytestmark = pytest.mark.usefixtures("hang_guard")

FAST = 20.0  # seconds within which a refusal from a local node must arrive
ADMIN = {"username": "ignite", "password": "ignite"}
SECRET_VARIABLES = (
    "IGNITE_DATASET_USERNAME",
    "IGNITE_DATASET_PASSWORD",
    "IGNITE_DATASET_CERT_PASSWORD",
    "IGNITE_DATASET_CERTFILE",
    "IGNITE_DATASET_KEYFILE",
    "IGNITE_DATASET_CA_FILE",
    "IGNITE_DATASET_CA_DIR",
    "IGNITE_DATASET_TLS_SERVER_NAME",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRET_VARIABLES + ("IGFS_HOST", "IGFS_PORT", "IGFS_FS_NAME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def tls_node(tls_material: TlsMaterial, tmp_path_factory: pytest.TempPathFactory) -> Any:
    node = start_node(
        tmp_path_factory.mktemp("igfs-tls-node"),
        "tls.xml",
        tls_material.node_substitutions(),
        tls_probe(tls_material),
    )
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def auth_node(tmp_path_factory: pytest.TempPathFactory) -> Any:
    node = start_node(
        tmp_path_factory.mktemp("igfs-auth-node"), "auth.xml", {}, activating_probe(**ADMIN)
    )
    try:
        yield node
    finally:
        node.stop()


def tls_uri(node: Any, m: TlsMaterial, path: str, **query: Any) -> str:
    params = {"ca_file": m.ca, **query}
    q = "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v is not None)
    return f"igfs://{node.host}:{node.port}{path}?{q}"


def unique_path(name: str) -> str:
    return f"/secure-{uuid.uuid4().hex[:8]}/{name}"


# --------------------------------------------------------------------------------------------
# TensorFlow over TLS


def test_gfile_over_tls_ca_in_the_uri_client_certificate_from_the_environment(
    tls_node, tls_material, monkeypatch
) -> None:
    monkeypatch.setenv("IGNITE_DATASET_CERTFILE", str(tls_material.client_cert))
    monkeypatch.setenv("IGNITE_DATASET_KEYFILE", str(tls_material.client_key))
    path = unique_path("hello.txt")
    uri = tls_uri(tls_node, tls_material, path)
    directory = tls_uri(tls_node, tls_material, path.rsplit("/", 1)[0])
    tf.io.gfile.makedirs(directory)
    with tf.io.gfile.GFile(uri, "w") as w:
        w.write("Hello over TLS!")
    with tf.io.gfile.GFile(uri, "r") as r:
        assert r.read() == "Hello over TLS!"
    assert tf.io.gfile.exists(uri)
    assert tf.io.gfile.listdir(directory) == ["hello.txt"]
    assert tf.io.gfile.stat(uri).length == len("Hello over TLS!")
    tf.io.gfile.rmtree(directory)
    assert not tf.io.gfile.exists(uri)


def test_gfile_everything_from_the_environment_with_an_encrypted_key(
    tls_node, tls_material, monkeypatch
) -> None:
    monkeypatch.setenv("IGNITE_DATASET_CA_FILE", str(tls_material.ca))
    monkeypatch.setenv("IGNITE_DATASET_CERTFILE", str(tls_material.client_cert))
    monkeypatch.setenv("IGNITE_DATASET_KEYFILE", str(tls_material.client_key_encrypted))
    monkeypatch.setenv("IGNITE_DATASET_CERT_PASSWORD", tls_material.key_password)
    monkeypatch.setenv("IGFS_HOST", tls_node.host)
    monkeypatch.setenv("IGFS_PORT", str(tls_node.port))
    uri = f"igfs://{unique_path('model.bin')}"
    tf.io.gfile.makedirs(uri.rsplit("/", 1)[0])
    data = bytes(range(256)) * 5000  # > 1 MiB: more than one block
    with tf.io.gfile.GFile(uri, "wb") as w:
        w.write(data)
    with tf.io.gfile.GFile(uri, "rb") as r:
        assert r.read() == data
    tf.io.gfile.remove(uri)


def test_gfile_without_the_ca_is_a_tls_verification_error(
    tls_node, tls_material, monkeypatch
) -> None:
    # The client certificate turns TLS on; with no CA the system store does not know the node's.
    monkeypatch.setenv("IGNITE_DATASET_CERTFILE", str(tls_material.client_cert))
    monkeypatch.setenv("IGNITE_DATASET_KEYFILE", str(tls_material.client_key))
    uri = f"igfs://{tls_node.host}:{tls_node.port}{unique_path('x.txt')}"
    err = raises_within(
        tf.errors.UnavailableError, lambda: tf.io.gfile.GFile(uri, "w").write("x"), FAST
    )
    assert "not signed by a trusted CA" in err.message and "ca_file" in err.message
    # The remedy in the plugin's terms: a URI parameter or an environment variable.
    assert "set ?ca_file=<PEM of the CA" in err.message
    assert "in the igfs:// URI (or IGNITE_DATASET_CA_FILE)" in err.message


def test_gfile_plain_client_against_the_tls_port_fails_fast(tls_node) -> None:
    uri = f"igfs://{tls_node.host}:{tls_node.port}{unique_path('x.txt')}"
    raises_within(tf.errors.UnavailableError, lambda: tf.io.gfile.GFile(uri, "w").write("x"), FAST)


def test_gfile_refuses_unknown_and_secret_uri_parameters(tls_node, tls_material) -> None:
    unknown = tls_uri(tls_node, tls_material, "/x.txt", colour="blue")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.io.gfile.GFile(unknown, "r").read()
    assert "'colour' is unknown" in info.value.message and "blue" not in info.value.message
    secret = tls_uri(tls_node, tls_material, "/x.txt", password="Uri-Secret-3")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.io.gfile.GFile(secret, "r").read()
    assert "IGNITE_DATASET_PASSWORD" in info.value.message
    assert "Uri-Secret-3" not in info.value.message


# --------------------------------------------------------------------------------------------
# fsspec over TLS


def test_fsspec_over_tls_with_keyword_arguments(tls_node, tls_material) -> None:
    fs = fsspec.filesystem(
        "igfs",
        host=tls_node.host,
        port=tls_node.port,
        ca_file=tls_material.ca,
        certfile=tls_material.client_cert,
        keyfile=tls_material.client_key_encrypted,
        cert_password=tls_material.key_password,
        skip_instance_cache=True,
    )
    assert isinstance(fs, IgfsFileSystem) and fs.tls
    assert repr(fs) == f"IgfsFileSystem('{tls_node.host}', {tls_node.port}, tls=True)"
    assert tls_material.key_password not in repr(fs)
    path = unique_path("table.csv")
    fs.makedirs(path.rsplit("/", 1)[0])
    with fs.open(path, "wb") as f:
        f.write(b"a,b\n1,2\n")
    assert fs.cat(path) == b"a,b\n1,2\n"
    fs.rm(path.rsplit("/", 1)[0], recursive=True)


def test_fsspec_url_query_and_storage_options(tls_node, tls_material) -> None:
    path = unique_path("u.txt")
    url = tls_uri(tls_node, tls_material, path)
    options = {"certfile": str(tls_material.client_cert), "keyfile": str(tls_material.client_key)}
    fs, _ = fsspec.core.url_to_fs(url, **options)
    assert isinstance(fs, IgfsFileSystem) and fs.tls and fs.port == tls_node.port
    fs.makedirs(path.rsplit("/", 1)[0])
    with fsspec.open(url, "wb", **options) as f:
        f.write(b"query + storage_options")
    with fsspec.open(url, "rb", **options) as f:
        assert f.read() == b"query + storage_options"


def test_fsspec_without_the_ca_is_a_tls_error(tls_node, tls_material) -> None:
    err = raises_within(
        IgniteTLSError,
        lambda: IgfsFileSystem(
            tls_node.host,
            tls_node.port,
            certfile=tls_material.client_cert,
            keyfile=tls_material.client_key,
            skip_instance_cache=True,
        ),
        FAST,
    )
    assert "not signed by a trusted CA" in str(err)


# --------------------------------------------------------------------------------------------
# Authentication


def test_gfile_with_credentials_from_the_environment(auth_node, monkeypatch) -> None:
    monkeypatch.setenv("IGNITE_DATASET_USERNAME", ADMIN["username"])
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", ADMIN["password"])
    uri = f"igfs://{auth_node.host}:{auth_node.port}{unique_path('auth.txt')}"
    tf.io.gfile.makedirs(uri.rsplit("/", 1)[0])
    with tf.io.gfile.GFile(uri, "w") as w:
        w.write("authenticated")
    assert tf.io.gfile.GFile(uri).read() == "authenticated"
    tf.io.gfile.remove(uri)


def test_gfile_wrong_password_is_an_authentication_error(auth_node, monkeypatch) -> None:
    monkeypatch.setenv("IGNITE_DATASET_USERNAME", ADMIN["username"])
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", "Wrong-Secret-8")
    uri = f"igfs://{auth_node.host}:{auth_node.port}{unique_path('auth.txt')}"
    err = raises_within(
        tf.errors.UnauthenticatedError, lambda: tf.io.gfile.GFile(uri, "w").write("x"), FAST
    )
    assert "authentication failed" in err.message and auth_node.address in err.message
    assert "Wrong-Secret-8" not in err.message


def test_fsspec_with_credentials(auth_node, monkeypatch) -> None:
    fs = IgfsFileSystem(auth_node.host, auth_node.port, **ADMIN, skip_instance_cache=True)
    assert repr(fs) == f"IgfsFileSystem('{auth_node.host}', {auth_node.port}, username='ignite')"
    path = unique_path("f.txt")
    fs.makedirs(path.rsplit("/", 1)[0])
    fs.pipe(path, b"fsspec + auth")
    assert fs.cat(path) == b"fsspec + auth"
    err = raises_within(
        IgniteAuthenticationError,
        lambda: IgfsFileSystem(
            auth_node.host, auth_node.port, username="ignite", password="Bad-7", timeout=10
        ),
        FAST,
    )
    assert "Bad-7" not in str(err)
    # The environment serves fsspec too.
    monkeypatch.setenv("IGNITE_DATASET_USERNAME", ADMIN["username"])
    monkeypatch.setenv("IGNITE_DATASET_PASSWORD", ADMIN["password"])
    fs2 = IgfsFileSystem(auth_node.host, auth_node.port, skip_instance_cache=True)
    assert fs2.cat(path) == b"fsspec + auth"
    # fsspec keeps keyword arguments (to recreate the filesystem elsewhere); from the
    # environment, the password stays out of them (README).
    assert fs.storage_options.get("password") == ADMIN["password"]
    assert "password" not in fs2.storage_options and "Bad-7" not in str(vars(fs2))


@pytest.mark.parametrize(
    "mistake", [{"block_size": "1 MiB"}, {"timeout": [30]}, {"tls_server_name": 5}], ids=str
)
def test_fsspec_wrongly_typed_argument_never_echoes_the_secrets(auth_node, mistake) -> None:
    # The native constructor's own TypeError lists the value of every argument it was given.
    secret, key_secret = "Echo-Secret-9", "Echo-Key-Secret-10"
    with pytest.raises(TypeError, match=next(iter(mistake))) as info:
        IgfsFileSystem(
            auth_node.host,
            auth_node.port,
            username="ignite",
            password=secret,
            cert_password=key_secret,
            skip_instance_cache=True,
            **mistake,
        )
    text = "".join(traceback.format_exception(info.value))  # with any chained exception
    assert secret not in text and key_secret not in text
