"""Keys and certificates for the TLS tests, made at test time with ``openssl`` and ``keytool``.

:func:`make_tls_material` writes into a directory:

- a test CA (``ca.pem``) and a second, unrelated CA (``other-ca.pem``);
- the node's certificate for ``localhost`` / ``127.0.0.1`` signed by the CA, in ``server.jks``;
- an expired node certificate (valid in January 2020 only) in ``expired.jks``;
- a self-signed node certificate in ``self-signed.jks``;
- ``trust.jks``: the CA, which the nodes trust for client certificates;
- the client certificate (``client.pem``) with its key plain (``client.key``), encrypted
  (``client-encrypted.key``, password :data:`KEY_PASSWORD`), and both in one PEM
  (``client-combined.pem``, the encrypted key after the certificate, as TensorFlow's tests had);
- a client certificate from the other CA (``stranger.pem`` + ``stranger.key``).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

STORE_PASSWORD = "store-pass-123"
KEY_PASSWORD = "key-pass-456"

_SERVER_EXT = """\
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
"""
_CLIENT_EXT = """\
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
"""
_CA_CONFIG = """\
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
"""


@dataclass(frozen=True)
class TlsMaterial:
    dir: Path
    ca: Path
    other_ca: Path
    server_jks: Path
    expired_jks: Path
    self_signed_jks: Path
    trust_jks: Path
    client_cert: Path
    client_key: Path
    client_key_encrypted: Path
    client_combined: Path
    stranger_cert: Path
    stranger_key: Path
    store_password: str = STORE_PASSWORD
    key_password: str = KEY_PASSWORD

    def node_substitutions(
        self,
        *,
        key_store: Path | None = None,
        client_auth: bool = True,
        authentication: bool = False,
        protocols: str = "TLSv1.2,TLSv1.3",
    ) -> dict[str, str]:
        """``@NAME@`` values for ``tests/server/tls.xml``."""
        return {
            "KEY_STORE": str(key_store or self.server_jks),
            "TRUST_STORE": str(self.trust_jks),
            "STORE_PASSWORD": self.store_password,
            "SSL_CLIENT_AUTH": "true" if client_auth else "false",
            "AUTHENTICATION_ENABLED": "true" if authentication else "false",
            "PERSISTENCE_ENABLED": "true" if authentication else "false",
            "TLS_PROTOCOLS": protocols,
        }


def _run(*cmd: str, cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")


def tools_available() -> str | None:
    """Why the material cannot be made here, or None."""
    for tool in ("openssl", "keytool"):
        if shutil.which(tool) is None:
            return f"'{tool}' is not on PATH"
    return None


def _ca(d: Path, name: str, cn: str) -> None:
    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", f"/CN={cn}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )  # fmt: skip


def _csr(d: Path, name: str, cn: str) -> None:
    _run(
        "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
        "-out", f"{name}.csr", "-subj", f"/CN={cn}",
        cwd=d,
    )  # fmt: skip


def _sign(d: Path, name: str, ca: str, ext: str) -> None:
    (d / f"{name}.ext").write_text(ext)
    _run(
        "openssl", "x509", "-req", "-sha256", "-days", "30", "-in", f"{name}.csr",
        "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
        "-extfile", f"{name}.ext", "-out", f"{name}.pem",
        cwd=d,
    )  # fmt: skip


def _jks(d: Path, name: str, chain: list[str]) -> Path:
    """A JKS holding ``name``'s key with its certificate chain (``openssl`` → PKCS#12 → JKS)."""
    _run(
        "openssl", "pkcs12", "-export", "-name", "node", "-in", f"{name}.pem",
        "-inkey", f"{name}.key", *(a for c in chain for a in ("-certfile", f"{c}.pem")),
        "-out", f"{name}.p12", "-passout", f"pass:{STORE_PASSWORD}",
        cwd=d,
    )  # fmt: skip
    _run(
        "keytool", "-importkeystore", "-noprompt", "-srckeystore", f"{name}.p12",
        "-srcstoretype", "PKCS12", "-srcstorepass", STORE_PASSWORD,
        "-destkeystore", f"{name}.jks", "-deststoretype", "JKS", "-deststorepass", STORE_PASSWORD,
        "-destkeypass", STORE_PASSWORD,
        cwd=d,
    )  # fmt: skip
    return d / f"{name}.jks"


def make_tls_material(d: Path) -> TlsMaterial:
    d.mkdir(parents=True, exist_ok=True)
    _ca(d, "ca", "ignite-tf test CA")
    _ca(d, "other-ca", "some other CA")

    _csr(d, "server", "localhost")
    _sign(d, "server", "ca", _SERVER_EXT)
    server_jks = _jks(d, "server", ["ca"])

    # Expired: `openssl ca` is the one 3.0 tool that takes explicit validity dates.
    _csr(d, "expired", "localhost")
    (d / "expired.ext").write_text(_SERVER_EXT)
    (d / "index.txt").write_text("")
    (d / "serial").write_text("1000\n")
    (d / "ca.cnf").write_text(_CA_CONFIG.format(dir=d))
    _run(
        "openssl", "ca", "-batch", "-notext", "-config", "ca.cnf", "-cert", "ca.pem",
        "-keyfile", "ca.key", "-in", "expired.csr", "-out", "expired.pem",
        "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
        "-extfile", "expired.ext",
        cwd=d,
    )  # fmt: skip
    expired_jks = _jks(d, "expired", ["ca"])

    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
        "-keyout", "self-signed.key", "-out", "self-signed.pem", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        cwd=d,
    )  # fmt: skip
    self_signed_jks = _jks(d, "self-signed", [])

    _run(
        "keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem",
        "-keystore", "trust.jks", "-storetype", "JKS", "-storepass", STORE_PASSWORD,
        cwd=d,
    )  # fmt: skip

    _csr(d, "client", "ignite-tf test client")
    _sign(d, "client", "ca", _CLIENT_EXT)
    _run(
        "openssl", "pkey", "-in", "client.key", "-aes256", "-passout", f"pass:{KEY_PASSWORD}",
        "-out", "client-encrypted.key",
        cwd=d,
    )  # fmt: skip
    (d / "client-combined.pem").write_text(
        (d / "client.pem").read_text() + (d / "client-encrypted.key").read_text()
    )

    _csr(d, "stranger", "a client of another CA")
    _sign(d, "stranger", "other-ca", _CLIENT_EXT)

    return TlsMaterial(
        dir=d,
        ca=d / "ca.pem",
        other_ca=d / "other-ca.pem",
        server_jks=server_jks,
        expired_jks=expired_jks,
        self_signed_jks=self_signed_jks,
        trust_jks=d / "trust.jks",
        client_cert=d / "client.pem",
        client_key=d / "client.key",
        client_key_encrypted=d / "client-encrypted.key",
        client_combined=d / "client-combined.pem",
        stranger_cert=d / "stranger.pem",
        stranger_key=d / "stranger.key",
    )
