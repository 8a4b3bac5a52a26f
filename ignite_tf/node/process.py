"""Apache Ignite server nodes as child ``java`` processes: start, wait until ready, stop."""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, NoReturn

from ignite_tf.node.config import (
    DEFAULT_CONFIG_TEMPLATE,
    DEFAULT_REGION_MAX_SIZE,
    _placeholder,
    _render_template,
    node_placeholders,
)
from ignite_tf.node.errors import IgniteNodeError, _tail_text
from ignite_tf.node.java import DEFAULT_HEAP_OPTIONS, find_java, node_command
from ignite_tf.node.maven import packaged_pom, resolve_ignite_classpath
from ignite_tf.node.ports import LOCALHOST, allocate_ports
from ignite_tf.node.probe import probe_thin_client

DEFAULT_STARTUP_TIMEOUT = 120.0
DEFAULT_STOP_TIMEOUT = 30.0

_LOG_NAME = "node.log"
_RENDERED_CONFIG_NAME = "ignite-node.xml"
_COMMAND_FILE_NAME = "java-command.txt"

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
# Ignite logs this line at every topology change (a node joined, left or failed).
_TOPOLOGY_RE = re.compile(rb"Topology snapshot \[ver=(\d+),.*?servers=(\d+)")
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


class _StopsOnExit:
    """``with`` support for nodes and clusters: leaving the block stops them."""

    def stop(self) -> None:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class IgniteNode(_StopsOnExit):
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
        classpath: jars to use (default :func:`resolve_ignite_classpath` of the
            pom that pins ``ignite_version``).
        ignite_version: the Apache Ignite release to run, one of the packaged
            poms' (``ignite_tf/server/pom*.xml``): ``None`` (the default) is
            ``pom.xml``'s, ``"2.8.1"`` the last release with IGFS (its nodes need
            a template written for 2.8.1, e.g. ``LEGACY_IGFS_CONFIG_TEMPLATE``;
            :class:`~ignite_tf.node.legacy_igfs.LegacyIgfsNode` sets both).
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
        ignite_version: str | None = None,
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
        self._pom = packaged_pom(ignite_version) if ignite_version is not None else None
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

    def topology(self) -> tuple[int, int] | None:
        """``(topology version, server count)`` of the last topology this node logged since
        it was last started, or ``None`` before the first (or when it does not run)."""
        path = self.log_path
        if path is None or not self.is_running():
            return None
        try:
            with open(path, "rb") as fh:
                fh.seek(self._log_start_offset)
                data = fh.read()
        except OSError:
            return None
        found = _TOPOLOGY_RE.findall(data)
        if not found:
            return None
        version, servers = found[-1]
        return int(version), int(servers)

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
        assert self._communication_port is not None
        return node_placeholders(
            instance_name=self.instance_name,
            work_dir=self._work_dir,
            client_port=self.port,
            discovery_ports=self._discovery_ports,
            communication_port=self._communication_port,
            region_max_size=self._region_max_size,
            substitutions=self._substitutions,
        )

    def command(self) -> list[str]:
        """The java command line :meth:`start` runs (resolves java and the jars)."""
        java = find_java(self._java)
        jars = self._classpath
        if jars is None:
            jars = resolve_ignite_classpath(pom=self._pom)
        return self._command(java, jars)

    def _command(self, java: Path, jars: Sequence[Path]) -> list[str]:
        config = self.config_path or Path(_RENDERED_CONFIG_NAME)
        return node_command(
            java, jars, config, heap_options=self._heap_options, jvm_options=self._jvm_options
        )

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
                jars = resolve_ignite_classpath(pom=self._pom)
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
        elif self._temp_work_dir and self._work_dir is not None and self._work_dir.is_dir():
            pass  # a start after kill() or restart(): the same temporary work directory
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

        Returns once java is gone, so its ports refuse connections.  The work
        directory is kept (:meth:`restart` starts the node again in it);
        :meth:`stop` afterwards is a no-op except for the clean-up.
        """
        with self._lock:
            proc = self._proc
            if proc is None or not self._group_alive:
                return
            self._signal_group(signal.SIGKILL)
            proc.wait()
            self._finish()

    def restart(self, timeout: float | None = None) -> IgniteNode:
        """Start the node again on the same ports and work directory (its log goes on).

        A running node is stopped first (SIGTERM, SIGKILL after ``timeout``); a node that
        was killed (:meth:`kill`) or stopped by itself just starts. The node rejoins the
        cluster of its discovery range under the same thin-client address, as a restarted
        server would. A temporary work directory is kept across the restart (and removed by
        :meth:`stop` as usual).

        Returns:
            ``self``, started.
        """
        with self._lock:
            if self._client_port is None:
                raise IgniteNodeError(f"{self!r} was never started; call start()")
            self._terminate(self.stop_timeout if timeout is None else timeout)
            return self.start()

    def __enter__(self) -> IgniteNode:
        if not self.is_running():
            self.start()
        return self
