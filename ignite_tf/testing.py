"""Start local Apache Ignite server nodes for tests, benchmarks and tools.

A node is an ordinary ``java`` process running Ignite's
``CommandLineStartup`` on a Spring XML configuration rendered from a template
(by default the packaged ``ignite_tf/server/ignite-node.xml``).  The server
jars are resolved once with Maven from ``ignite_tf/server/pom.xml``, the only
place where the Ignite version is pinned, and cached.

Typical use::

    from ignite_tf.testing import IgniteNode

    with IgniteNode() as node:
        print(node.address)  # "127.0.0.1:<port>"; talk to it with any thin client

Environment variables:

``IGNITE_TF_TEST_ADDRESS``
    ``host:port`` of an already running node; tests and tools that honour
    :func:`external_endpoint` use it instead of starting one.
``IGNITE_TF_IGNITE_LIBS``
    a directory of Ignite server jars to use as is (no Maven, no cache).
``IGNITE_TF_CACHE_DIR``
    where resolved jars are cached (default ``~/.cache/ignite-tf``, or
    ``$XDG_CACHE_HOME/ignite-tf``); jars go to ``ignite-<version>/libs``.
``IGNITE_TF_JVM_OPTS``
    extra JVM options appended to every node's command line, split like a
    shell would, e.g. ``"-DIGNITE_QUIET=false -Xmx2g"``.
``JAVA_HOME``
    the JDK whose ``bin/java`` runs the nodes (else ``java`` on ``PATH``).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import random
import re
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, NoReturn
from xml.sax.saxutils import escape as _xml_escape

__all__ = [
    "DEFAULT_CONFIG_TEMPLATE",
    "DEFAULT_HEAP_OPTIONS",
    "ENV_CACHE_DIR",
    "ENV_IGNITE_LIBS",
    "ENV_JVM_OPTS",
    "ENV_TEST_ADDRESS",
    "POM_PATH",
    "ExternalNode",
    "IgniteCluster",
    "IgniteNode",
    "IgniteNodeError",
    "allocate_ports",
    "external_endpoint",
    "find_java",
    "ignite_libs_dir",
    "ignite_version",
    "jvm_add_opens",
    "probe_thin_client",
    "resolve_ignite_classpath",
]

ENV_TEST_ADDRESS = "IGNITE_TF_TEST_ADDRESS"
ENV_IGNITE_LIBS = "IGNITE_TF_IGNITE_LIBS"
ENV_CACHE_DIR = "IGNITE_TF_CACHE_DIR"
ENV_JVM_OPTS = "IGNITE_TF_JVM_OPTS"

SERVER_DIR = Path(__file__).resolve().parent / "server"
POM_PATH = SERVER_DIR / "pom.xml"
DEFAULT_CONFIG_TEMPLATE = SERVER_DIR / "ignite-node.xml"

MAIN_CLASS = "org.apache.ignite.startup.cmdline.CommandLineStartup"
LOCALHOST = "127.0.0.1"

DEFAULT_HEAP_OPTIONS: tuple[str, ...] = ("-Xms256m", "-Xmx1g")
DEFAULT_REGION_MAX_SIZE = 512 * 1024 * 1024
DEFAULT_STARTUP_TIMEOUT = 120.0
DEFAULT_STOP_TIMEOUT = 30.0

# Exactly the packages Ignite's own launcher (bin/include/jvmdefaults.sh)
# opens on Java 15+.
_ADD_OPENS_PACKAGES: tuple[str, ...] = (
    "java.base/jdk.internal.access",
    "java.base/jdk.internal.misc",
    "java.base/sun.nio.ch",
    "java.base/sun.util.calendar",
    "java.management/com.sun.jmx.mbeanserver",
    "jdk.internal.jvmstat/sun.jvmstat.monitor",
    "java.base/sun.reflect.generics.reflectiveObjects",
    "jdk.management/com.sun.management.internal",
    "java.base/java.io",
    "java.base/java.nio",
    "java.base/java.net",
    "java.base/java.util",
    "java.base/java.util.concurrent",
    "java.base/java.util.concurrent.locks",
    "java.base/java.util.concurrent.atomic",
    "java.base/java.lang",
    "java.base/java.lang.invoke",
    "java.base/java.math",
    "java.sql/java.sql",
    "java.base/java.lang.reflect",
    "java.base/java.time",
    "java.base/java.text",
    "java.management/sun.management",
    "java.desktop/java.awt.font",
)

# System properties every node gets (before user options, which can override).
_DEFAULT_SYSTEM_PROPERTIES: tuple[str, ...] = (
    "-Djava.net.preferIPv4Stack=true",
    "-DIGNITE_UPDATE_NOTIFIER=false",
    "-DIGNITE_PERFORMANCE_SUGGESTIONS_DISABLED=true",
)

_LOG_NAME = "node.log"
_RENDERED_CONFIG_NAME = "ignite-node.xml"
_COMMAND_FILE_NAME = "java-command.txt"
_POM_HASH_FILE = ".pom-sha256"


def _classpath_arg(jars: Sequence[Path]) -> str:
    """``-cp`` value: ``<dir>/*`` when the jars are exactly one directory's."""
    parents = {j.parent for j in jars}
    if len(parents) == 1:
        (parent,) = parents
        if set(_jars_in(parent)) == set(jars):
            return str(parent / "*")
    return os.pathsep.join(str(j) for j in jars)


class IgniteNodeError(RuntimeError):
    """A node could not be set up, started or reached.

    Raised for missing tools (``java``, ``mvn``), failed jar resolution, bad
    templates and nodes that exit or do not answer during :meth:`IgniteNode.start`;
    in the last case the message ends with the tail of the node log.
    """


# --------------------------------------------------------------------------
# Version and classpath
# --------------------------------------------------------------------------


def ignite_version(pom: str | os.PathLike[str] | None = None) -> str:
    """Return the Apache Ignite version pinned in ``ignite_tf/server/pom.xml``.

    Args:
        pom: another pom to read (default: the packaged one).

    Returns:
        The ``ignite.version`` property, e.g. ``"2.17.0"``.
    """
    path = Path(pom) if pom is not None else POM_PATH
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise IgniteNodeError(f"cannot read the Ignite pom {path}: {exc}") from exc
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    elem = root.find("m:properties/m:ignite.version", ns)
    if elem is None:  # a pom without the default namespace
        elem = root.find("properties/ignite.version")
    if elem is None or not (elem.text or "").strip():
        raise IgniteNodeError(f"{path} has no <properties><ignite.version>")
    return (elem.text or "").strip()


def _cache_root(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ignite-tf"


def ignite_libs_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the directory where the server jars are (or would be) cached.

    That is ``<cache root>/ignite-<version>/libs`` where the cache root is
    ``cache_dir``, else ``$IGNITE_TF_CACHE_DIR``, else ``~/.cache/ignite-tf``.
    ``$IGNITE_TF_IGNITE_LIBS`` is not considered here.
    """
    return _cache_root(cache_dir) / f"ignite-{ignite_version()}" / "libs"


def _jars_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.jar") if p.is_file())


def _pom_digest() -> str:
    return hashlib.sha256(POM_PATH.read_bytes()).hexdigest()


def _stamp_matches(stamp: Path, digest: str) -> bool:
    try:
        return stamp.read_text().strip() == digest
    except OSError:
        return False


def resolve_ignite_classpath(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    quiet: bool = False,
) -> list[Path]:
    """Return the jars a node needs, downloading them with Maven on first use.

    Order of precedence:

    1. ``$IGNITE_TF_IGNITE_LIBS``: a directory of jars, used as is.
    2. The cache, :func:`ignite_libs_dir` (``cache_dir`` argument, else
       ``$IGNITE_TF_CACHE_DIR``, else ``~/.cache/ignite-tf``).  It is reused
       while the pom is unchanged.
    3. Otherwise ``mvn dependency:copy-dependencies`` on the packaged pom
       fills a temporary directory next to the cache, which is then renamed
       into place (atomic; concurrent resolvers are harmless).

    Args:
        cache_dir: cache root overriding the environment and the default.
        quiet: do not print the progress line to stderr.

    Returns:
        Absolute paths of the jars, sorted by name.

    Raises:
        IgniteNodeError: ``mvn`` is missing or fails, or the libs directory
            holds no jars.
    """
    env_libs = os.environ.get(ENV_IGNITE_LIBS)
    if env_libs:
        libs = Path(env_libs).expanduser().resolve()
        jars = _jars_in(libs) if libs.is_dir() else []
        if not jars:
            raise IgniteNodeError(f"{ENV_IGNITE_LIBS}={env_libs!r} is not a directory of jars")
        return jars

    libs = ignite_libs_dir(cache_dir).resolve()
    digest = _pom_digest()
    stamp = libs / _POM_HASH_FILE
    if _stamp_matches(stamp, digest):
        jars = _jars_in(libs)
        if jars:
            return jars

    mvn = shutil.which("mvn")
    if mvn is None:
        raise IgniteNodeError(
            "Maven ('mvn') is not on PATH; it is needed once to download the Apache "
            f"Ignite {ignite_version()} server jars listed in {POM_PATH}. Install Maven, "
            f"or set {ENV_IGNITE_LIBS} to a directory holding those jars."
        )
    version = ignite_version()
    if not quiet:
        print(
            f"ignite-tf: resolving Apache Ignite {version} server jars with Maven into {libs} ...",
            file=sys.stderr,
            flush=True,
        )
    libs.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".libs-", dir=libs.parent))
    started = time.monotonic()
    try:
        out = staging / "libs"
        cmd = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(POM_PATH),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={out}",
        ]
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
        jars = _jars_in(out) if out.is_dir() else []
        if proc.returncode != 0 or not jars:
            raise IgniteNodeError(
                f"Maven failed to resolve the Ignite server jars (exit code {proc.returncode}):\n"
                f"  {shlex.join(cmd)}\n{_tail_text(proc.stdout, 40)}"
            )
        (out / _POM_HASH_FILE).write_text(digest + "\n")
        if not _stamp_matches(stamp, digest):  # else another process just did it
            if libs.exists():  # stale (the pom changed) or incomplete
                with contextlib.suppress(OSError):
                    os.rename(libs, staging / "old")
            try:
                os.rename(out, libs)
            except OSError:
                # Another process won the race; use its result if complete.
                if not _stamp_matches(stamp, digest):
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    jars = _jars_in(libs)
    if not quiet:
        print(
            f"ignite-tf: resolved {len(jars)} jars in {time.monotonic() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return jars


# --------------------------------------------------------------------------
# Java
# --------------------------------------------------------------------------


def find_java(java: str | os.PathLike[str] | None = None) -> Path:
    """Locate the ``java`` executable.

    Args:
        java: an explicit executable; else ``$JAVA_HOME/bin/java``; else
            ``java`` on ``PATH``.

    Raises:
        IgniteNodeError: nothing usable was found.
    """
    if java is not None:
        found = shutil.which(str(java))
        if found is None:
            raise IgniteNodeError(f"java executable {str(java)!r} not found")
        return Path(found)
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return candidate
        raise IgniteNodeError(f"JAVA_HOME={java_home!r} has no executable bin/java")
    found = shutil.which("java")
    if found is None:
        raise IgniteNodeError(
            "no Java runtime: set JAVA_HOME or put 'java' (JDK 11 or 17) on PATH "
            "to run Apache Ignite nodes"
        )
    return Path(found)


_java_major_cache: dict[str, int] = {}


def _java_major_version(java: Path) -> int:
    key = str(java)
    if key not in _java_major_cache:
        try:
            proc = subprocess.run(
                [key, "-version"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise IgniteNodeError(f"cannot run {key} -version: {exc}") from exc
        match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
        if match is None:
            raise IgniteNodeError(f"cannot parse the output of {key} -version:\n{proc.stderr}")
        major = int(match.group(1))
        if major == 1 and match.group(2):  # "1.8.0_392"
            major = int(match.group(2))
        _java_major_cache[key] = major
    return _java_major_cache[key]


def jvm_add_opens(java_major: int) -> list[str]:
    """Return the ``--add-opens`` options Ignite needs on this Java version.

    Empty for Java 8; Ignite's own Java 15+ list otherwise.
    """
    if java_major < 9:
        return []
    return [f"--add-opens={pkg}=ALL-UNNAMED" for pkg in _ADD_OPENS_PACKAGES]


# --------------------------------------------------------------------------
# Ports
# --------------------------------------------------------------------------

_port_lock = threading.Lock()
_ports_handed_out: set[int] = set()
_port_rng = random.SystemRandom()


def _port_windows() -> list[tuple[int, int]]:
    """Port intervals outside the kernel's ephemeral range, largest first."""
    eph_lo, eph_hi = 32768, 60999
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        eph_lo, eph_hi = int(text[0]), int(text[1])
    except (OSError, ValueError, IndexError):
        pass
    windows = [(10000, min(eph_lo - 1, 65535)), (max(eph_hi + 1, 10000), 65535)]
    windows = [(lo, hi) for lo, hi in windows if hi - lo >= 100]
    if not windows:
        windows = [(10000, 65535)]
    return sorted(windows, key=lambda w: w[1] - w[0], reverse=True)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOCALHOST, port))
        except OSError:
            return False
    return True


def allocate_ports(count: int = 1, *, contiguous: bool = False) -> list[int]:
    """Pick ports on 127.0.0.1 that are free now and were not handed out before.

    Ports are drawn at random outside the kernel's ephemeral range (so the OS
    does not hand them to outgoing connections meanwhile), and never twice
    within this process.

    Args:
        count: how many ports.
        contiguous: return a block of consecutive ports (e.g. a discovery range).
    """
    if count < 1:
        raise ValueError("count must be >= 1")
    windows = _port_windows()
    with _port_lock:
        result: list[int] = []
        for _ in range(10000):
            lo, hi = windows[0] if contiguous else _port_rng.choice(windows)
            if contiguous:
                start = _port_rng.randint(lo, hi - count + 1)
                block = list(range(start, start + count))
                if all(p not in _ports_handed_out and _port_is_free(p) for p in block):
                    result = block
                    break
            else:
                port = _port_rng.randint(lo, hi)
                if port not in _ports_handed_out and port not in result and _port_is_free(port):
                    result.append(port)
                    if len(result) == count:
                        break
        else:
            raise IgniteNodeError(f"could not find {count} free local ports")
        _ports_handed_out.update(result)
        return result


# --------------------------------------------------------------------------
# Thin-client probe
# --------------------------------------------------------------------------

# Handshake, protocol 1.1.0, thin client, null user name and password.
_HANDSHAKE_PAYLOAD = struct.pack("<bhhhb", 1, 1, 1, 0, 2) + b"\x65\x65"
_HANDSHAKE = struct.pack("<i", len(_HANDSHAKE_PAYLOAD)) + _HANDSHAKE_PAYLOAD
_OP_CACHE_GET_NAMES = 1050


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return bytes(buf)


def _recv_message(sock: socket.socket) -> bytes:
    (length,) = struct.unpack("<i", _recv_exact(sock, 4))
    if length <= 0 or length > 1 << 24:
        raise ConnectionError(f"bad message length {length}")
    return _recv_exact(sock, length)


def _handshake(username: str | None, password: str | None) -> bytes:
    if username is None:
        return _HANDSHAKE

    def string(text: str) -> bytes:
        data = text.encode("utf-8")
        return b"\x09" + struct.pack("<i", len(data)) + data

    payload = struct.pack("<bhhhb", 1, 1, 1, 0, 2) + string(username) + string(password or "")
    return struct.pack("<i", len(payload)) + payload


def probe_thin_client(
    host: str,
    port: int,
    timeout: float = 2.0,
    *,
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> bool:
    """Tell whether a node at ``host:port`` serves thin clients.

    Sends a protocol 1.1.0 handshake and, once accepted, a ``CACHE_GET_NAMES``
    request, which succeeds only when the node's cache processor is up.
    Never raises for network errors; returns ``False`` instead.

    Args:
        ssl_context: wrap the connection in TLS with this context (for nodes
            whose thin-client port has ``sslEnabled``).
        server_hostname: the name to verify and send as SNI (default ``host``).
        username, password: credentials, for nodes with authentication on.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            sock = raw
            if ssl_context is not None:
                sock = ssl_context.wrap_socket(raw, server_hostname=server_hostname or host)
            try:
                sock.sendall(_handshake(username, password))
                reply = _recv_message(sock)
                if reply[:1] != b"\x01":
                    return False
                sock.sendall(struct.pack("<ihq", 10, _OP_CACHE_GET_NAMES, 1))
                reply = _recv_message(sock)
                if len(reply) < 12:
                    return False
                req_id, status = struct.unpack_from("<qi", reply)
                return req_id == 1 and status == 0
            finally:
                if sock is not raw:
                    sock.close()
    except (OSError, ConnectionError, struct.error, ValueError):
        return False


# --------------------------------------------------------------------------
# External endpoint
# --------------------------------------------------------------------------


def _parse_address(text: str) -> tuple[str, int]:
    host, sep, port_text = text.strip().rpartition(":")
    host = host.strip("[]")
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not sep or not host or not 0 < port < 65536:
        raise ValueError(f"expected host:port, got {text!r}")
    return host, port


def external_endpoint(value: str | None = None) -> tuple[str, int] | None:
    """Return the ``(host, port)`` of a node to use instead of starting one.

    Args:
        value: a ``host:port`` string to parse; by default the value of
            ``$IGNITE_TF_TEST_ADDRESS``.

    Returns:
        ``None`` when no external node is configured (unset or empty).

    Raises:
        ValueError: the value is not ``host:port``.
    """
    if value is None:
        value = os.environ.get(ENV_TEST_ADDRESS, "")
    if not value.strip():
        return None
    return _parse_address(value)


@dataclass(frozen=True)
class ExternalNode:
    """Stand-in for :class:`IgniteNode` describing a node started elsewhere."""

    host: str
    port: int

    @property
    def address(self) -> str:
        """``"host:port"``."""
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path | None:
        """Always ``None``: the log of an external node is not known."""
        return None

    def log_tail(self, lines: int = 60) -> str:
        """Always ``""``."""
        return ""


# --------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------

_live_nodes: weakref.WeakSet[IgniteNode] = weakref.WeakSet()


@atexit.register
def _stop_leftover_nodes() -> None:
    for node in list(_live_nodes):
        with contextlib.suppress(Exception):  # best effort at interpreter exit
            node.stop(timeout=5.0)


_BIND_FAILURE_RE = re.compile(r"Failed to bind|Address already in use|BindException")
# The most telling line of a failed start, repeated at the top of the error.
_CAUSE_RE = re.compile(
    r"^(?:Failed to start grid:.*|Caused by: .*|class org\.apache\.ignite\S*Exception: .*)$",
    re.MULTILINE,
)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_PLACEHOLDER_RE = re.compile(r"@[A-Z][A-Z0-9_]*@")


def _render_template(text: str, values: Mapping[str, str]) -> str:
    """Substitute ``@NAME@`` placeholders outside XML comments."""
    parts = re.split(r"(<!--.*?-->)", text, flags=re.DOTALL)
    for i in range(0, len(parts), 2):  # even indices are outside comments
        part = parts[i]
        for key, value in values.items():
            part = part.replace(key, value)
        parts[i] = part
    rendered = "".join(parts)
    left = sorted(set(_PLACEHOLDER_RE.findall(_COMMENT_RE.sub("", rendered))))
    if left:
        raise IgniteNodeError(
            f"unfilled placeholders in the node config template: {', '.join(left)}"
        )
    return rendered


def _placeholder(key: str) -> str:
    key = key.strip("@")
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
        raise ValueError(f"placeholder names are upper case identifiers, got {key!r}")
    return f"@{key}@"


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _read_tail(path: Path, lines: int, max_bytes: int = 256 * 1024) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except OSError:
        return ""
    return _tail_text(data.decode("utf-8", errors="replace"), lines)


# Runs the java command ("$@") as the process itself (same pid, exec), plus a
# watchdog subshell that waits for EOF on the pipe whose write end only this
# Python process holds.  If Python dies without stopping the node (SIGKILL, a
# crash in native code, ...), the pipe closes and the watchdog sends SIGTERM
# to java, so no orphaned JVM is left behind.  The watchdog ignores SIGTERM
# so it outlives java until stop() kills it with SIGKILL.
_WATCHDOG_SCRIPT = """\
exec 3<&0
( trap '' TERM INT HUP
  while read -r _ <&3; do :; done
  kill -TERM $$ 2>/dev/null ) </dev/null >/dev/null 2>&1 &
exec 3<&- </dev/null
exec "$@"
"""
_STARTED_MARKER = b"Ignite node started OK"
_STARTED_GRACE = 10.0


class _LogScanner:
    """Incrementally searches a growing log file for a byte string."""

    def __init__(self, path: Path, offset: int) -> None:
        self._path = path
        self._offset = offset
        self._carry = b""
        self._found = False

    def seen(self, marker: bytes) -> bool:
        if self._found:
            return True
        try:
            with open(self._path, "rb") as fh:
                fh.seek(self._offset)
                data = fh.read()
        except OSError:
            return False
        self._offset += len(data)
        window = self._carry + data
        self._found = marker in window
        self._carry = window[-len(marker) :]
        return self._found


class IgniteNode:
    """One Apache Ignite server node running in a child ``java`` process.

    The node listens on 127.0.0.1 only.  Unless told otherwise it gets a free
    thin-client port, a discovery range of its own (so it is a cluster of
    one), an in-memory default data region and a temporary work directory
    that is removed again by :meth:`stop`.

    java runs in its own process group (so :meth:`stop` and :meth:`kill`
    reach everything it started) under a small ``/bin/sh`` watchdog: if this
    Python process dies without stopping the node (SIGKILL, a crash in native
    code, interpreter exit), the node gets SIGTERM and stops by itself, so no
    JVM is left behind.  A node therefore lives at most as long as the Python
    process that started it; for a longer-lived node, start Ignite yourself
    and point ``IGNITE_TF_TEST_ADDRESS`` at it.

    Example::

        with IgniteNode(region_max_size=256 << 20) as node:
            client.connect(node.host, node.port)

    Args:
        client_port: thin-client port; ``None`` picks a free one.
        discovery_ports: ``(first, last)`` discovery port range.  Nodes given
            the same range form one cluster.  ``None`` gives a one-port range
            of its own.
        communication_port: TCP communication port; ``None`` picks a free one.
        work_dir: Ignite work directory, also holding the rendered config and
            ``node.log``.  ``None`` makes a temporary directory that
            :meth:`stop` deletes (unless ``keep_work_dir``, or start failed).
        config_template: Spring XML template (default: the packaged
            ``ignite_tf/server/ignite-node.xml``).
        substitutions: extra ``NAME -> text`` replacements for ``@NAME@``
            placeholders, inserted verbatim (they may be XML fragments).
            They may also override the built-in ones.
        instance_name: ``igniteInstanceName``; default ``ignite-tf-<port>``.
        region_max_size: default data region maximum size in bytes.
        heap_options: JVM heap options, default ``-Xms256m -Xmx1g``.
        jvm_options: further JVM options (after the defaults and heap options;
            ``$IGNITE_TF_JVM_OPTS`` is appended after these).
        java: ``java`` executable (default from ``JAVA_HOME`` or ``PATH``).
        classpath: jars to use (default :func:`resolve_ignite_classpath`).
        startup_timeout: seconds :meth:`start` waits for the node to answer.
        stop_timeout: seconds :meth:`stop` waits after SIGTERM before SIGKILL.
        keep_work_dir: do not delete a temporary work directory on stop.
        print_log_on_failure: also print the failure message with the log
            tail to stderr when :meth:`start` fails.
        env: environment of the java process (default: this one's, minus
            ``IGNITE_HOME`` so the node does not pick up a local install).
        ready_probe: ``probe(host, port, timeout) -> bool`` that tells when the
            node serves clients (default :func:`probe_thin_client`, a plain
            handshake without credentials).  Nodes with TLS or authentication
            need one that speaks their language, e.g.
            ``functools.partial(probe_thin_client, ssl_context=ctx,
            username="ignite", password="ignite")``.
    """

    def __init__(
        self,
        *,
        client_port: int | None = None,
        discovery_ports: tuple[int, int] | None = None,
        communication_port: int | None = None,
        work_dir: str | os.PathLike[str] | None = None,
        config_template: str | os.PathLike[str] | None = None,
        substitutions: Mapping[str, object] | None = None,
        instance_name: str | None = None,
        region_max_size: int = DEFAULT_REGION_MAX_SIZE,
        heap_options: Sequence[str] = DEFAULT_HEAP_OPTIONS,
        jvm_options: Sequence[str] = (),
        java: str | os.PathLike[str] | None = None,
        classpath: Sequence[str | os.PathLike[str]] | None = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
        stop_timeout: float = DEFAULT_STOP_TIMEOUT,
        keep_work_dir: bool = False,
        print_log_on_failure: bool = True,
        env: Mapping[str, str] | None = None,
        ready_probe: Callable[[str, int, float], bool] | None = None,
    ) -> None:
        if region_max_size < 16 * 1024 * 1024:
            raise ValueError("region_max_size must be at least 16 MiB")
        if discovery_ports is not None:
            first, last = discovery_ports
            if not 0 < first <= last < 65536:
                raise ValueError(f"bad discovery port range {discovery_ports!r}")
        self._client_port = client_port
        self._discovery_ports = discovery_ports
        self._communication_port = communication_port
        self._work_dir_arg = Path(work_dir).expanduser() if work_dir is not None else None
        self._config_template = (
            Path(config_template) if config_template is not None else DEFAULT_CONFIG_TEMPLATE
        )
        self._substitutions = {_placeholder(k): str(v) for k, v in (substitutions or {}).items()}
        self._instance_name = instance_name
        self._region_max_size = int(region_max_size)
        self._heap_options = list(heap_options)
        self._jvm_options = list(jvm_options)
        self._java = java
        self._classpath = [Path(p) for p in classpath] if classpath is not None else None
        self.startup_timeout = float(startup_timeout)
        self.stop_timeout = float(stop_timeout)
        self._keep_work_dir = keep_work_dir
        self._print_log_on_failure = print_log_on_failure
        self._env = dict(env) if env is not None else None
        self._ready_probe = ready_probe if ready_probe is not None else probe_thin_client

        self._work_dir: Path | None = None
        self._temp_work_dir = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._keep_work_dir_after_failure = False
        self._log_start_offset = 0
        self._group_alive = False
        self._lock = threading.RLock()
        self.startup_seconds: float | None = None
        """Seconds the last successful :meth:`start` took."""

    # -- properties -------------------------------------------------------

    @property
    def host(self) -> str:
        """Host the thin-client port listens on (always ``127.0.0.1``)."""
        return LOCALHOST

    @property
    def port(self) -> int:
        """Thin-client port (allocated at :meth:`start` if not given)."""
        if self._client_port is None:
            raise IgniteNodeError("the node has no port yet; call start() first")
        return self._client_port

    @property
    def address(self) -> str:
        """``"127.0.0.1:<port>"``."""
        return f"{self.host}:{self.port}"

    @property
    def discovery_ports(self) -> tuple[int, int] | None:
        """The discovery port range ``(first, last)``, once allocated."""
        return self._discovery_ports

    @property
    def communication_port(self) -> int | None:
        """The TCP communication port, once allocated."""
        return self._communication_port

    @property
    def work_dir(self) -> Path | None:
        """The work directory, once created."""
        return self._work_dir

    @property
    def log_path(self) -> Path | None:
        """The node's combined stdout/stderr log, once started."""
        return self._work_dir / _LOG_NAME if self._work_dir is not None else None

    @property
    def config_path(self) -> Path | None:
        """The rendered Spring XML the node was started with."""
        return self._work_dir / _RENDERED_CONFIG_NAME if self._work_dir is not None else None

    @property
    def pid(self) -> int | None:
        """Process id of the java process while it runs, else ``None``."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    @property
    def instance_name(self) -> str:
        """``igniteInstanceName`` of the node."""
        return self._instance_name or f"ignite-tf-{self.port}"

    def is_running(self) -> bool:
        """Whether the java process is alive (not whether it serves clients)."""
        return self.pid is not None

    def log_tail(self, lines: int = 60) -> str:
        """The last ``lines`` lines of the node log ("" if there is none)."""
        path = self.log_path
        return _read_tail(path, lines) if path is not None else ""

    def __repr__(self) -> str:
        port = self._client_port if self._client_port is not None else "?"
        state = "running" if self.is_running() else "stopped"
        return f"<IgniteNode {LOCALHOST}:{port} {state} pid={self.pid}>"

    # -- lifecycle --------------------------------------------------------

    def _allocate(self) -> None:
        if self._client_port is None:
            self._client_port = allocate_ports(1)[0]
        if self._communication_port is None:
            self._communication_port = allocate_ports(1)[0]
        if self._discovery_ports is None:
            port = allocate_ports(1)[0]
            self._discovery_ports = (port, port)

    def _values(self) -> dict[str, str]:
        assert self._work_dir is not None and self._discovery_ports is not None
        first, last = self._discovery_ports
        initial = min(256 * 1024 * 1024, self._region_max_size)
        values = {
            "@INSTANCE_NAME@": _xml_escape(self.instance_name, {'"': "&quot;"}),
            "@WORK_DIR@": _xml_escape(str(self._work_dir), {'"': "&quot;"}),
            "@CLIENT_PORT@": str(self.port),
            "@DISCOVERY_PORT@": str(first),
            "@DISCOVERY_PORT_END@": str(last),
            "@DISCOVERY_PORT_RANGE@": str(last - first + 1),
            "@COMMUNICATION_PORT@": str(self._communication_port),
            "@REGION_INITIAL_SIZE@": str(initial),
            "@REGION_MAX_SIZE@": str(self._region_max_size),
        }
        values.update(self._substitutions)
        # Longest keys first so that e.g. @DISCOVERY_PORT_END@ is not eaten by
        # a user placeholder that happens to be a prefix.
        return dict(sorted(values.items(), key=lambda kv: -len(kv[0])))

    def command(self) -> list[str]:
        """The java command line :meth:`start` runs (resolves java and the jars)."""
        java = find_java(self._java)
        jars = self._classpath if self._classpath is not None else resolve_ignite_classpath()
        return self._command(java, jars)

    def _command(self, java: Path, jars: Sequence[Path]) -> list[str]:
        config = self.config_path or Path(_RENDERED_CONFIG_NAME)
        extra = shlex.split(os.environ.get(ENV_JVM_OPTS, ""))
        return [
            str(java),
            *jvm_add_opens(_java_major_version(java)),
            *self._heap_options,
            *_DEFAULT_SYSTEM_PROPERTIES,
            *self._jvm_options,
            *extra,
            "-cp",
            _classpath_arg(jars),
            MAIN_CLASS,
            str(config),
        ]

    def start(self) -> IgniteNode:
        """Launch the node and wait until it serves thin clients.

        The java process runs in its own process group with stdout and stderr
        going to :attr:`log_path`.  Readiness means a thin-client handshake on
        :attr:`port` succeeds and the node answers a request.  If the node
        fails because a port it was given automatically got taken meanwhile,
        it is retried once with fresh ports.

        Returns:
            ``self``, for chaining.

        Raises:
            IgniteNodeError: java or the jars are missing, the process exited,
                or it did not answer within ``startup_timeout`` seconds.  The
                message ends with the tail of the node log, which is also
                printed to stderr.
        """
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                raise IgniteNodeError(f"{self!r} is already running")
            # Everything that can fail for environmental reasons comes first,
            # before anything is created on disk.
            java = find_java(self._java)
            jars = self._classpath
            if jars is None:
                jars = resolve_ignite_classpath()
            try:
                template = self._config_template.read_text(encoding="utf-8")
            except OSError as exc:
                raise IgniteNodeError(f"cannot read node config template: {exc}") from exc
            auto = {
                "client": self._client_port is None,
                "communication": self._communication_port is None,
                "discovery": self._discovery_ports is None,
            }
            attempts = 2 if any(auto.values()) else 1
            for attempt in range(1, attempts + 1):
                started = self._launch(java, jars, template)
                failure = self._wait_ready(started)
                if failure is None:
                    self.startup_seconds = time.monotonic() - started
                    return self
                self._terminate(timeout=min(self.stop_timeout, 10.0))
                if attempt < attempts and _BIND_FAILURE_RE.search(self.log_tail(200)):
                    print(
                        f"ignite-tf: node {self.address} could not bind a port; "
                        "retrying with fresh ports",
                        file=sys.stderr,
                        flush=True,
                    )
                    self._cleanup_work_dir()
                    if auto["client"]:
                        self._client_port = None
                    if auto["communication"]:
                        self._communication_port = None
                    if auto["discovery"]:
                        self._discovery_ports = None
                    continue
                self._fail(failure)
        raise AssertionError("unreachable")

    def _launch(self, java: Path, jars: Sequence[Path], template: str) -> float:
        """Render the config and spawn java; return the monotonic start time."""
        self._allocate()
        self._keep_work_dir_after_failure = False
        if self._work_dir_arg is not None:
            self._work_dir_arg.mkdir(parents=True, exist_ok=True)
            self._work_dir = self._work_dir_arg.resolve()
            self._temp_work_dir = False
        else:
            prefix = f"ignite-tf-node-{self.port}-"
            self._work_dir = Path(tempfile.mkdtemp(prefix=prefix))
            self._temp_work_dir = True
        assert self.config_path is not None and self.log_path is not None
        try:
            rendered = _render_template(template, self._values())
        except IgniteNodeError:
            self._cleanup_work_dir()
            raise
        self.config_path.write_text(rendered, encoding="utf-8")
        cmd = self._command(java, jars)
        env = dict(os.environ) if self._env is None else dict(self._env)
        if self._env is None:
            env.pop("IGNITE_HOME", None)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in _reap()
        self._log_start_offset = log.tell()
        command_file = self._work_dir / _COMMAND_FILE_NAME
        command_file.write_text(shlex.join(cmd) + "\n", encoding="utf-8")
        log.write(f"# ignite-tf: starting {cmd[0]} (command line in {command_file})\n".encode())
        log.flush()
        self._log_file = log
        started = time.monotonic()
        try:
            self._proc = subprocess.Popen(
                ["/bin/sh", "-c", _WATCHDOG_SCRIPT, "ignite-tf-node", *cmd],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._work_dir,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            self._reap()
            raise IgniteNodeError(f"cannot run {cmd[0]}: {exc}") from exc
        self._group_alive = True
        _live_nodes.add(self)
        return started

    def _wait_ready(self, started: float) -> str | None:
        """Poll until the node is ready; return why not, or ``None`` if ready.

        Ready means the thin-client probe succeeds and then Ignite's own
        "Ignite node started OK" line shows up in the log (it follows a few
        hundred ms later, once every component has started).  A template
        that logs elsewhere never prints that line; then the probe alone
        counts after a grace period.
        """
        proc = self._proc
        assert proc is not None and self.log_path is not None
        deadline = started + self.startup_timeout
        scanner = _LogScanner(self.log_path, self._log_start_offset)
        answered_at: float | None = None
        while True:
            code = proc.poll()
            if code is not None:
                return f"exited with code {code} during startup"
            now = time.monotonic()
            if answered_at is None and self._ready_probe(self.host, self.port, 2.0):
                answered_at = now
            if answered_at is not None and (
                scanner.seen(_STARTED_MARKER) or now - answered_at > _STARTED_GRACE
            ):
                return None
            if now > deadline:
                return f"did not answer on {self.address} within {self.startup_timeout:g} s"
            time.sleep(0.05 if answered_at is not None else 0.2)

    def _fail(self, what: str) -> NoReturn:
        self._keep_work_dir_after_failure = True
        tail = self.log_tail(60)
        causes = _CAUSE_RE.findall(tail)
        cause = f"cause: {causes[-1].strip()}\n" if causes else ""
        message = (
            f"Ignite node {self.instance_name} ({self.address}) {what}.\n{cause}"
            f"log: {self.log_path}\n--- last lines of the node log ---\n{tail}"
        )
        if self._print_log_on_failure:
            print(f"ignite-tf: {message}", file=sys.stderr, flush=True)
        raise IgniteNodeError(message)

    def _cleanup_work_dir(self) -> None:
        if self._temp_work_dir and self._work_dir is not None:
            shutil.rmtree(self._work_dir, ignore_errors=True)
            self._temp_work_dir = False

    def _signal_group(self, sig: int) -> None:
        """Signal the node's process group (java and its watchdog).

        Only while the group is known to exist: until :meth:`_finish` the
        watchdog, which ignores SIGTERM, keeps the group id from being reused
        even after java itself has been reaped.
        """
        proc = self._proc
        if proc is None or not self._group_alive:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)

    def _finish(self) -> None:
        """After java exited: end the watchdog, close the pipe and the log."""
        self._signal_group(signal.SIGKILL)
        self._group_alive = False
        proc = self._proc
        if proc is not None and proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        self._reap()

    def _reap(self) -> None:
        log = self._log_file
        self._log_file = None
        if log is not None:
            log.close()
        _live_nodes.discard(self)

    def _terminate(self, timeout: float) -> None:
        with self._lock:
            proc = self._proc
            if proc is None or not self._group_alive:
                return
            if proc.poll() is None:
                self._signal_group(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    proc.wait()
            self._finish()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the node: SIGTERM to its process group, SIGKILL after ``timeout``.

        Ignite's shutdown hook stops the node gracefully on SIGTERM (about
        2 s).  Safe to call any number of times, also after :meth:`kill` or a
        failed :meth:`start`.  Deletes a temporary work directory unless
        ``keep_work_dir`` was given or start failed.
        """
        self._terminate(self.stop_timeout if timeout is None else timeout)
        with self._lock:
            if not (self._keep_work_dir or self._keep_work_dir_after_failure):
                self._cleanup_work_dir()

    def kill(self) -> None:
        """SIGKILL the node's process group at once (simulates a crash).

        The work directory is kept; :meth:`stop` afterwards is a no-op except
        for the clean-up.
        """
        with self._lock:
            proc = self._proc
            if proc is None or not self._group_alive:
                return
            self._signal_group(signal.SIGKILL)
            proc.wait()
            self._finish()

    def __enter__(self) -> IgniteNode:
        if not self.is_running():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class IgniteCluster:
    """Several :class:`IgniteNode` s sharing one discovery range: one cluster.

    Nodes start one after the other; each :meth:`IgniteNode.start` returns
    after the node joined, so when :meth:`start` returns all ``size`` nodes
    are in the topology.

    Args:
        size: number of server nodes.
        discovery_range: size of the shared discovery port range (default
            ``size``; larger leaves room for :meth:`add_node`).
        **node_options: passed to every :class:`IgniteNode` (except
            ``client_port``, ``communication_port``, ``discovery_ports`` and
            ``work_dir``, which are per node; use ``work_root`` instead of
            ``work_dir`` to put the nodes' work directories under one folder).
    """

    def __init__(
        self,
        size: int = 2,
        *,
        discovery_range: int | None = None,
        work_root: str | os.PathLike[str] | None = None,
        **node_options: object,
    ) -> None:
        if size < 1:
            raise ValueError("size must be >= 1")
        for key in ("client_port", "communication_port", "discovery_ports", "work_dir"):
            if key in node_options:
                raise TypeError(f"{key} is chosen per node by IgniteCluster")
        span = discovery_range if discovery_range is not None else size
        if span < size:
            raise ValueError("discovery_range must be >= size")
        first = allocate_ports(span, contiguous=True)[0]
        self.discovery_ports: tuple[int, int] = (first, first + span - 1)
        self._size = size
        self._work_root = Path(work_root) if work_root is not None else None
        self._node_options = node_options
        self.nodes: list[IgniteNode] = []

    def _new_node(self) -> IgniteNode:
        work_dir = None
        if self._work_root is not None:
            work_dir = self._work_root / f"node-{len(self.nodes)}"
        node = IgniteNode(
            discovery_ports=self.discovery_ports,
            work_dir=work_dir,
            **self._node_options,  # type: ignore[arg-type]
        )
        self.nodes.append(node)
        return node

    def start(self) -> IgniteCluster:
        """Start all nodes; on failure stop those already started and re-raise."""
        try:
            while len(self.nodes) < self._size:
                self._new_node().start()
        except BaseException:
            self.stop()
            raise
        return self

    def add_node(self) -> IgniteNode:
        """Start one more node in this cluster (needs room in the discovery range)."""
        first, last = self.discovery_ports
        if len(self.nodes) >= last - first + 1:
            raise IgniteNodeError("the discovery range is full; pass a larger discovery_range")
        return self._new_node().start()

    def stop(self) -> None:
        """Stop every node (in reverse order); safe to call twice."""
        for node in reversed(self.nodes):
            node.stop()

    @property
    def addresses(self) -> list[str]:
        """``host:port`` of each node's thin-client endpoint."""
        return [n.address for n in self.nodes]

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[IgniteNode]:
        return iter(self.nodes)

    def __getitem__(self, index: int) -> IgniteNode:
        return self.nodes[index]

    def __enter__(self) -> IgniteCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
