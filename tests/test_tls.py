"""TLS against real Ignite nodes whose thin-client port has ``sslEnabled`` (tests/server/tls.xml),
with keys and certificates made for the session (tls_material.py).

Every refusal must be an ``IgniteTLSError`` (or the stated error) that says what to do, within
the timeout; secrets never appear in messages or reprs.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import start_node, tls_probe, unique_name
from tls_dataset_run import run_dataset_process, secrets_in
from tls_material import TlsMaterial

from ignite_tf import (
    Client,
    IgniteConnectionError,
    IgniteInsecureTLSWarning,
    IgniteTLSError,
    IgniteValueError,
)

pytestmark = pytest.mark.usefixtures("hang_guard")

FAST = 15.0  # seconds within which a refusal from a local node must arrive


@pytest.fixture(scope="module")
def tls_node(tls_material: TlsMaterial, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A node with TLS on its thin-client port and client certificates required."""
    node = start_node(
        tmp_path_factory.mktemp("tls-node"),
        "tls.xml",
        tls_material.node_substitutions(),
        tls_probe(tls_material),
    )
    try:
        yield node
    finally:
        node.stop()


def tls_args(m: TlsMaterial, **overrides: Any) -> dict[str, Any]:
    args = {"ca_file": m.ca, "certfile": m.client_cert, "keyfile": m.client_key, "timeout": 10}
    args.update(overrides)
    return {k: v for k, v in args.items() if v is not None}


@pytest.fixture
def tls_cache(tls_node: Any, tls_material: TlsMaterial) -> Any:
    """A cache on the TLS node with rows 0..99 -> {'x': float(i)}-like doubles."""
    name = unique_name("TLS_CACHE")
    with Client(tls_node.host, tls_node.port, **tls_args(tls_material)) as c:
        c.create_cache(name)
        c.put_all(name, [(i, float(i) * 1.5) for i in range(100)])
    yield name
    with Client(tls_node.host, tls_node.port, **tls_args(tls_material)) as c:
        c.destroy_cache(name)


def read_all(client: Client, cache: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for batch in client.scan(cache, page_size=17):
        out.update(zip(batch["key"].tolist(), batch["val"].tolist()))
    return out


# --------------------------------------------------------------------------------------------
# Reading over TLS


def test_scan_over_tls_with_a_client_certificate(tls_node, tls_material, tls_cache) -> None:
    with Client(tls_node.host, tls_node.port, **tls_args(tls_material)) as c:
        assert c.tls_protocol in ("TLSv1.2", "TLSv1.3")
        assert read_all(c, tls_cache) == {i: i * 1.5 for i in range(100)}


@pytest.mark.parametrize("layout", ["separate-keyfile", "one-pem-with-cert-and-key"])
def test_encrypted_key_with_its_password(tls_node, tls_material, tls_cache, layout) -> None:
    m = tls_material
    if layout == "separate-keyfile":
        args = tls_args(m, keyfile=m.client_key_encrypted, cert_password=m.key_password)
    else:  # the original certfile: certificate and encrypted key in one file
        args = tls_args(m, certfile=m.client_combined, keyfile=None, cert_password=m.key_password)
    with Client(tls_node.host, tls_node.port, **args) as c:
        assert len(read_all(c, tls_cache)) == 100
        assert m.key_password not in repr(c)


def test_one_pem_with_certificate_and_plain_key(
    tls_node, tls_material, tls_cache, tmp_path
) -> None:
    m = tls_material
    combined = tmp_path / "client-and-key.pem"
    combined.write_text(m.client_cert.read_text() + m.client_key.read_text())
    with Client(tls_node.host, tls_node.port, **tls_args(m, certfile=combined, keyfile=None)) as c:
        assert len(read_all(c, tls_cache)) == 100


def test_the_name_to_verify_can_be_given(tls_node, tls_material, tls_cache) -> None:
    # The certificate names localhost and 127.0.0.1: both ways of reaching it verify.
    with Client("localhost", tls_node.port, **tls_args(tls_material)) as c:
        assert c.size(tls_cache) == 100
    args = tls_args(tls_material, tls_server_name="localhost")
    with Client("127.0.0.1", tls_node.port, **args) as c:
        assert c.size(tls_cache) == 100


def hashed_ca_dir(directory: Path, *pems: Path) -> Path:
    """A CA directory as OpenSSL reads one: the certificates under their subject hashes."""
    directory.mkdir()
    for pem in pems:
        shutil.copy(pem, directory / pem.name)
    subprocess.run(["openssl", "rehash", str(directory)], check=True, capture_output=True)
    return directory


def test_ca_directory_verifies_the_node(tls_node, tls_material, tls_cache, tmp_path) -> None:
    m = tls_material
    trusted = hashed_ca_dir(tmp_path / "trusted", m.other_ca, m.ca)
    with Client(tls_node.host, tls_node.port, **tls_args(m, ca_file=None, ca_dir=trusted)) as c:
        assert c.size(tls_cache) == 100
    # A directory without the node's CA does not verify it.
    strangers = hashed_ca_dir(tmp_path / "strangers", m.other_ca)
    args = tls_args(m, ca_file=None, ca_dir=strangers)
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "not signed by a trusted CA" in msg


def test_without_a_ca_the_system_trust_store_is_used(
    tls_node, tls_material, tls_cache, monkeypatch
) -> None:
    # OpenSSL's system store honours SSL_CERT_FILE: pointed at the test CA, it verifies the node.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_material.ca))
    with Client(tls_node.host, tls_node.port, **tls_args(tls_material, ca_file=None)) as c:
        assert c.size(tls_cache) == 100


SYSTEM_STORE_PROBE = """
import sys
from ignite_tf import Client
host, port, cert, key, cache = sys.argv[1:]
try:
    with Client(host, int(port), certfile=cert, keyfile=key, timeout=10) as c:
        print(c.size(cache))
except Exception as e:
    print("refused:", e)
"""


@pytest.mark.parametrize("bundle", ["test CA", "another CA"])
def test_the_system_store_is_found_where_other_distributions_keep_it(
    bundle, tls_node, tls_material, tls_cache
) -> None:
    # OpenSSL's default store is fixed at its build: /usr/lib/ssl, Debian's layout, for our
    # wheels. Hidden here in a mount namespace (as on Fedora or Alpine, which have no such
    # directory), the client falls back to the distributions' well-known bundles: the first is
    # Debian's own /etc/ssl/certs/ca-certificates.crt, replaced by the test CA (or another CA).
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a mount namespace")
    m = tls_material
    ca = m.ca if bundle == "test CA" else m.other_ca
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs none /usr/lib/ssl"
            ' && mount --bind "$0" /etc/ssl/certs/ca-certificates.crt && exec "$@"',
            str(ca),
            sys.executable,
            "-c",
            SYSTEM_STORE_PROBE,
            tls_node.host,
            str(tls_node.port),
            str(m.client_cert),
            str(m.client_key),
            tls_cache,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    if bundle == "test CA":
        assert done.stdout.strip() == "100", done.stdout
    else:
        assert done.stdout.startswith("refused:") and "not signed by a trusted CA" in done.stdout


def test_sni_carries_the_name_never_an_address(fake_server, tls_material) -> None:
    # Ignite's server ignores SNI, so a bare TLS endpoint (Python's ssl, the node's certificate)
    # records what the client sends; SNI-routing proxies in front of clusters depend on it.
    import ssl

    m = tls_material
    seen: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(m.dir / "server.pem", m.dir / "server.key")
    context.sni_callback = lambda _sock, name, _ctx: seen.append(name)

    def tls_then_close(conn) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)  # the start of the Ignite handshake; then hang up

    server = fake_server(tls_then_close)
    for host, server_name, expected in [
        ("localhost", None, "localhost"),
        ("127.0.0.1", None, None),
        ("127.0.0.1", "localhost", "localhost"),
    ]:
        seen.clear()
        args = tls_args(m, certfile=None, keyfile=None, tls_server_name=server_name, timeout=5)
        refusal(functools.partial(Client, host, server.port, **args), IgniteConnectionError)
        assert (seen[-1] if seen else None) == expected, (host, server_name, seen)


def test_tls_options_turn_tls_on_and_contradictions_are_refused(tls_node, tls_material) -> None:
    with pytest.raises(IgniteValueError, match="TLS is disabled but the TLS options ca_file"):
        Client(tls_node.host, tls_node.port, tls=False, ca_file=tls_material.ca)


def test_reprs_show_no_secrets(tls_node, tls_material) -> None:
    m = tls_material
    args = tls_args(m, keyfile=m.client_key_encrypted, cert_password=m.key_password)
    with Client(tls_node.host, tls_node.port, **args) as c:
        text = repr(c) + str(vars(c))
    assert "tls=True" in repr(c)
    assert m.key_password not in text


# --------------------------------------------------------------------------------------------
# Refusals: a clear exception within the timeout, never a hang


def refusal(fn, expected=IgniteTLSError) -> str:
    from conftest import raises_within

    return str(raises_within(expected, fn, FAST))


def test_server_certificate_from_an_unknown_ca(tls_node, tls_material) -> None:
    args = tls_args(tls_material, ca_file=tls_material.other_ca)
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "not signed by a trusted CA" in msg and "ca_file" in msg
    assert tls_node.address in msg
    # The core's hint, in Python spelling.
    assert "pass ca_file=<PEM of the CA that signed the node's certificate>" in msg


def test_no_ca_file_uses_the_system_store_which_does_not_know_the_test_ca(
    tls_node, tls_material
) -> None:
    args = tls_args(tls_material, ca_file=None)
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "not signed by a trusted CA" in msg


def test_hostname_mismatch(tls_node, tls_material) -> None:
    args = tls_args(tls_material, tls_server_name="db.example.com")
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "not valid for 'db.example.com'" in msg
    assert "DNS:localhost" in msg and "IP:127.0.0.1" in msg  # what the certificate does name
    assert "tls_server_name" in msg


def test_wrong_key_password(tls_node, tls_material) -> None:
    secret = "not-the-key-password"
    args = tls_args(tls_material, keyfile=tls_material.client_key_encrypted, cert_password=secret)
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "the password does not open it" in msg and "pass cert_password=" in msg
    assert secret not in msg and tls_material.key_password not in msg


def test_encrypted_key_without_a_password(tls_node, tls_material) -> None:
    args = tls_args(tls_material, keyfile=tls_material.client_key_encrypted)
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "is encrypted" in msg and "cert_password" in msg


def test_missing_client_certificate_when_the_node_requires_one(tls_node, tls_material) -> None:
    args = tls_args(tls_material, certfile=None, keyfile=None)
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "requires a client certificate" in msg and "certfile" in msg


def test_client_certificate_from_an_unknown_ca(tls_node, tls_material) -> None:
    m = tls_material
    args = tls_args(m, certfile=m.stranger_cert, keyfile=m.stranger_key)
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "rejected the client certificate" in msg


def test_missing_certificate_file(tls_node, tls_material, tmp_path) -> None:
    args = tls_args(tls_material, certfile=tmp_path / "nope.pem")
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, **args))
    assert "nope.pem" in msg


def test_plain_client_against_the_tls_port(tls_node) -> None:
    msg = refusal(lambda: Client(tls_node.host, tls_node.port, timeout=5), IgniteConnectionError)
    assert "TLS" in msg and tls_node.address in msg


def test_tls_client_against_a_plain_port(ignite_node, tls_material) -> None:
    msg = refusal(lambda: Client(ignite_node.host, ignite_node.port, **tls_args(tls_material)))
    assert "sslEnabled" in msg and ignite_node.address in msg


def test_tls_client_against_a_silent_plain_endpoint_times_out_clearly(
    fake_server, tls_material
) -> None:
    def silent(conn) -> None:
        while conn.recv(4096):
            pass

    server = fake_server(silent)
    args = tls_args(tls_material, timeout=2)
    msg = refusal(lambda: Client(server.host, server.port, **args))
    assert "no TLS answer" in msg and "sslEnabled" in msg


def test_tls_client_against_an_endpoint_answering_in_plain_text(fake_server, tls_material) -> None:
    def plain(conn) -> None:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        while conn.recv(4096):
            pass

    server = fake_server(plain)
    msg = refusal(lambda: Client(server.host, server.port, **tls_args(tls_material)))
    assert "does not speak TLS" in msg


# --------------------------------------------------------------------------------------------
# Nodes with other certificates


def test_expired_server_certificate(ignite_node_factory, tls_material, tmp_path) -> None:
    m = tls_material
    node = start_node(
        tmp_path / "expired",
        "tls.xml",
        m.node_substitutions(key_store=m.expired_jks, client_auth=False),
        ready_probe_insecure(),
    )
    ignite_node_factory.nodes.append(node)  # stopped with the factory's nodes
    msg = refusal(lambda: Client(node.host, node.port, ca_file=m.ca, timeout=10))
    assert "has expired" in msg and "2020" in msg


def test_a_node_offering_only_tls_1_1_is_refused(
    ignite_node_factory, tls_material, tmp_path
) -> None:
    # Java disables TLS 1.1 by default: this node re-enables it and offers nothing newer.
    m = tls_material
    security = tmp_path / "java.security"
    security.write_text(
        "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, "
        "EC keySize < 224, 3DES_EDE_CBC, anon, NULL\n"
    )
    node = start_node(
        tmp_path / "tls11",
        "tls.xml",
        m.node_substitutions(client_auth=False, protocols="TLSv1.1"),
        ready_probe_listening,
        jvm_options=(f"-Djava.security.properties={security}",),
    )
    ignite_node_factory.nodes.append(node)
    # The node does speak TLS 1.1 (to a client that allows it) ...
    probe = subprocess.run(
        ["openssl", "s_client", "-connect", node.address, "-tls1_1"]
        + ["-cipher", "DEFAULT@SECLEVEL=0"],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "Protocol  : TLSv1.1" in probe.stdout, probe.stdout + probe.stderr
    # ... but never to ignite_tf. Java closes without an alert when no version is shared.
    msg = refusal(lambda: Client(node.host, node.port, ca_file=m.ca, timeout=10))
    assert "TLS 1.2 or newer" in msg and node.address in msg


def ready_probe_listening(host: str, port: int, timeout: float) -> bool:
    """Ready when the thin-client port accepts connections (for nodes no probe can talk to)."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def test_verification_off_works_against_a_self_signed_node_and_warns(
    ignite_node_factory, tls_material, tmp_path
) -> None:
    m = tls_material
    node = start_node(
        tmp_path / "self-signed",
        "tls.xml",
        m.node_substitutions(key_store=m.self_signed_jks, client_auth=False),
        ready_probe_insecure(),
    )
    ignite_node_factory.nodes.append(node)
    # Verified, it is refused ...
    msg = refusal(lambda: Client(node.host, node.port, tls=True, timeout=10))
    assert "not signed by a trusted CA" in msg
    # ... trusting its certificate explicitly works ...
    with Client(node.host, node.port, ca_file=m.dir / "self-signed.pem", timeout=10) as c:
        assert c.tls_protocol
    # ... and so does turning verification off, loudly.
    with pytest.warns(IgniteInsecureTLSWarning, match="without verifying the server certificate"):
        c = Client(node.host, node.port, tls_insecure_skip_verify=True, timeout=10)
    with c:
        name = unique_name("INSECURE")
        c.create_cache(name)
        c.put(name, 1, "one")
        assert c.get(name, 1) == "one"
    # The igfs filesystem through fsspec takes the same option, and warns the same way.
    fsspec = pytest.importorskip("fsspec")
    with pytest.warns(IgniteInsecureTLSWarning, match="without verifying the server certificate"):
        fs = fsspec.filesystem(
            "igfs",
            host=node.host,
            port=node.port,
            tls_insecure_skip_verify=True,
            timeout=10,
            skip_instance_cache=True,
        )
    fs.makedirs("/insecure")
    fs.pipe("/insecure/x.txt", b"unverified")
    assert fs.cat("/insecure/x.txt") == b"unverified"


def ready_probe_insecure() -> Any:
    import ssl

    from ignite_tf.testing import probe_thin_client

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return functools.partial(probe_thin_client, ssl_context=context)


# --------------------------------------------------------------------------------------------
# tf.data over TLS, with TensorFlow imported before and after ignite_tf (TensorFlow carries
# BoringSSL under OpenSSL's symbol names; ours must stay apart). Each order runs in a fresh
# interpreter so that the import order is real (tls_dataset_run.py).


@pytest.mark.tensorflow
@pytest.mark.parametrize("order", ["tensorflow-first", "ignite_tf-first"])
def test_dataset_over_tls_with_either_import_order(
    order, tls_node, tls_material, tls_cache, tmp_path
) -> None:
    pytest.importorskip("tensorflow")
    m = tls_material
    wrong = "Not-The-Key-Password-1"
    cases = [
        {"name": "client-certificate", "kwargs": tls_args(m, timeout=None)},
        {
            "name": "encrypted-key",
            "kwargs": tls_args(
                m, keyfile=m.client_key_encrypted, cert_password=m.key_password, timeout=None
            ),
        },
        {  # the original's environment overrides: one PEM with certificate and encrypted key
            "name": "environment",
            "kwargs": {"ca_file": m.ca},
            "env": {
                "IGNITE_DATASET_CERTFILE": str(m.client_combined),
                "IGNITE_DATASET_CERT_PASSWORD": m.key_password,
            },
        },
        {
            "name": "wrong-key-password",
            "kwargs": tls_args(m, keyfile=m.client_key_encrypted, cert_password=wrong),
        },
    ]
    report, output = run_dataset_process(
        order, tls_node.host, tls_node.port, tls_cache, tls_args(m, timeout=None), cases, tmp_path
    )
    # TensorFlow's BoringSSL answers to OpenSSL's names in this process ...
    assert report["ssl_new"] and "tensorflow" in report["ssl_new"], report["ssl_new"]
    if order == "ignite_tf-first":
        assert report["before"] in ("TLSv1.2", "TLSv1.3")
    # ... and ignite_tf reads over TLS all the same, every way the certificate can be given.
    results = {r["name"]: r for r in report["results"]}
    expected_sum = pytest.approx(sum(i * 1.5 for i in range(100)))
    for name in ("client-certificate", "encrypted-key", "environment"):
        assert results[name].get("rows") == 100, results[name]
        assert results[name]["sum"] == expected_sum
    refused = results["wrong-key-password"]
    assert (
        refused.get("error") == "IgniteTLSError"
        and "password does not open it" in refused["message"]
    )
    # No secret in anything the process printed: logs at DEBUG, warnings, tracebacks.
    assert not secrets_in(output, m.key_password, wrong)


# --------------------------------------------------------------------------------------------
# OpenSSL stays private to the modules


OPENSSL_PREFIXES = (
    "SSL_", "SSL_CTX_", "EVP_", "OPENSSL_", "CRYPTO_", "X509", "BIO_", "ERR_", "TLS", "PEM_",
    "ASN1_", "RAND_", "d2i_", "i2d_",
)  # fmt: skip


@pytest.mark.parametrize("module", ["_core", "_igfs_tf_plugin"])
def test_the_modules_neither_export_nor_import_openssl_symbols(module) -> None:
    """Both binaries that end up in a TensorFlow process (the Python module and the igfs plugin
    TensorFlow loads) carry OpenSSL inside: no OpenSSL name is exported (TensorFlow could bind to
    ours) or left undefined (ours would bind to TensorFlow's BoringSSL), and no libssl/libcrypto
    is loaded."""
    nm = shutil.which("nm")
    readelf = shutil.which("readelf")
    if nm is None or readelf is None:
        pytest.fail("nm and readelf (binutils) are needed to check the symbol isolation")
    from ignite_tf import _core
    from ignite_tf.igfs import plugin_path

    path = Path(_core.__file__) if module == "_core" else plugin_path()
    assert path.is_file(), path
    dynamic = subprocess.run([nm, "-D", str(path)], capture_output=True, text=True, check=True)
    symbols = [line.split()[-1] for line in dynamic.stdout.splitlines() if line.split()]
    leaked = [s for s in symbols if s.startswith(OPENSSL_PREFIXES)]
    assert not leaked, leaked[:20]
    needed = subprocess.run(
        [readelf, "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "libssl" not in needed and "libcrypto" not in needed  # linked in, not loaded
    # ... and OpenSSL really is inside (its error strings), not merely absent.
    assert b"SSL routines" in path.read_bytes()
