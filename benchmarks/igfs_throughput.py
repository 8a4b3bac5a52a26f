"""igfs:// throughput: writes and reads one file through tf.io.gfile on each igfs:// backend and on
local disk, and prints MB/s with the ratios backend/local and native/thin (and writes them as JSON).

    python benchmarks/igfs_throughput.py                  # both backends, 1 GiB, 3 runs each
    python benchmarks/igfs_throughput.py --scale smoke    # 32 MB, 1 run: checks that it all runs
    python benchmarks/igfs_throughput.py --backends thin --mb 1024
    python benchmarks/igfs_throughput.py --address host:10800 --native-address host:10500

The backends (--backends, default both, measured in that order):
- thin: files kept in Ignite caches, through the thin-client port of an Ignite 2.x node (the
  benchmark starts one of the packaged version, or --address host:port names yours);
- native: Ignite 2.8.1's own IGFS over its native protocol, on its IGFS port (the benchmark starts
  a LegacyIgfsNode, or --native-address host:port names your IGFS endpoint).
A node the benchmark starts gets --heap and room for the file's blocks, 2 x the file + 512 MB: the
thin node as its default data region; the 2.8.1 node as both its regions (IGFS keeps its blocks in
the system one, which the packaged template sizes like the default one). Only one node runs at
a time: the thin one is stopped before the 2.8.1 one starts, and nothing is timed before a started
node's JVM has gone quiet (under 5% of a core for a second, e.g. after IGFS purged the previous
run's blocks in the background; at most 30 s).

Local disk and each backend get the same work: --warmup untimed passes, then --runs timed ones,
each a write of the whole file in --chunk-mb chunks, a read of it in chunks of that size, and its
removal; the figures are the medians of the timed runs. Local disk is measured first, before any
node starts: its writes go to the page cache (no fsync), as tf.io.gfile's do, and the file is read
twice, right after it was written (from the page cache, i.e. memory speed) and again after its
pages were dropped from the cache (posix_fadvise DONTNEED after fsync, which touches only that
file), which is the disk's own read speed. The issue's target compares igfs reads with local disk
reads: igfs/local >= 0.5.

The JSON (--out) has the arguments, the machine, the local figures ("local"), each backend's
figures, node and Ignite version with its ratios to local disk ("backends": {"thin": ...,
"native": ...}) and "native_vs_thin". When thin was measured, the keys of the one-backend
version of this benchmark stay at the top level for it: "file_mb", "chunk_bytes", "mb_per_s"
(local_write, local_read_disk, local_read_page_cache, igfs_write, igfs_read), "ratios" (write,
read_vs_disk, read_vs_page_cache), "target" and "target_met".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import socket
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BACKENDS = ("thin", "native")
SCALES: dict[str, dict[str, int]] = {
    "full": {"mb": 1024, "runs": 3},
    "smoke": {"mb": 32, "runs": 1},
}
TARGET = 0.5  # igfs read >= TARGET x local disk read
QUIET_CPU_SHARE = 0.05  # a JVM is quiet below 5% of one core...
QUIET_SECONDS = 1.0  # ...over this long
QUIET_MAX_WAIT = 30.0
MB = 1 << 20


@dataclass
class Endpoint:
    """Where one backend is reached, and by what."""

    backend: str
    host: str
    port: int
    node: str  # "started by the benchmark" or "given (--address)"
    ignite_version: str
    pid: int | None = None  # the JVM's, when the benchmark started it
    startup_seconds: float | None = None

    @property
    def uri(self) -> str:
        return f"igfs://{self.host}:{self.port}/igfs_throughput.bin?protocol={self.backend}"


def split_address(value: str, option: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SystemExit(f"{option}: expected host:port, got {value!r}")
    return host.strip("[]"), int(port)


def write(tf: Any, path: str, total: int, chunk: bytes, tag: str) -> float:
    """Writes `total` bytes to `path` in chunks; MB/s."""
    n = -(-total // len(chunk))
    started = time.perf_counter()
    with tf.io.gfile.GFile(path, "wb") as f:
        for i in range(n):
            rest = total - i * len(chunk)
            f.write(chunk if rest >= len(chunk) else chunk[:rest])
            if (i + 1) % max(1, n // 4) == 0 and i + 1 < n:
                print(f"  {tag}: wrote {(i + 1) * len(chunk) // MB} MB", flush=True)
    return total / MB / (time.perf_counter() - started)


def read(tf: Any, path: str, total: int, chunk_bytes: int) -> float:
    """Reads `path` to its end in chunks; MB/s. Exits if it did not hold `total` bytes."""
    started = time.perf_counter()
    got = 0
    with tf.io.gfile.GFile(path, "rb") as f:
        while data := f.read(chunk_bytes):
            got += len(data)
    seconds = time.perf_counter() - started
    if got != total:
        raise SystemExit(f"{path}: read {got} bytes, wrote {total}")
    return total / MB / seconds


def drop_from_page_cache(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process `pid` has used, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid: int | None, tag: str) -> float:
    """Waits until the JVM `pid` uses under QUIET_CPU_SHARE of a core over QUIET_SECONDS (at most
    QUIET_MAX_WAIT s); the seconds waited. Returns at once for nodes not started here."""
    if pid is None:
        return 0.0
    started = time.monotonic()
    before = cpu_seconds(pid)
    while before is not None and time.monotonic() - started < QUIET_MAX_WAIT:
        time.sleep(QUIET_SECONDS)
        after = cpu_seconds(pid)
        if after is None or after - before < QUIET_CPU_SHARE * QUIET_SECONDS:
            break
        before = after
    else:
        if before is not None:
            print(f"  {tag}: the node is still busy after {QUIET_MAX_WAIT:.0f} s; timing anyway")
    return time.monotonic() - started


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": values,
    }


def passes(label: str, warmup: int, runs: int) -> Iterator[tuple[str, bool]]:
    """(tag, timed) for each pass: the warm-ups, then the timed runs."""
    for i in range(warmup):
        yield f"{label} warm-up {i + 1}/{warmup}", False
    for i in range(runs):
        yield f"{label} run {i + 1}/{runs}", True


def measure_local(tf: Any, tmpdir: str | None, args: argparse.Namespace, chunk: bytes) -> dict:
    total = args.mb * MB
    figures: dict[str, list[float]] = {"write": [], "read_page_cache": [], "read_disk": []}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(dir=tmpdir) as tmp:
        path = os.path.join(tmp, "igfs_throughput.bin")
        for tag, timed in passes("local", args.warmup, args.runs):
            w = write(tf, path, total, chunk, tag)
            cached = read(tf, path, total, len(chunk))
            drop_from_page_cache(path)
            disk = read(tf, path, total, len(chunk))
            os.remove(path)
            print(
                f"  {tag}: write {w:.1f} MB/s, read {disk:.1f} MB/s (disk), "
                f"{cached:.1f} MB/s (page cache)",
                flush=True,
            )
            if timed:
                figures["write"].append(w)
                figures["read_page_cache"].append(cached)
                figures["read_disk"].append(disk)
        where = tmp.rsplit("/", 1)[0] or "/"
    return {
        "directory": where,
        "load_average_1m_before": load,
        **{k: summary(v) for k, v in figures.items()},
    }


def measure_backend(tf: Any, endpoint: Endpoint, args: argparse.Namespace, chunk: bytes) -> dict:
    total = args.mb * MB
    uri = endpoint.uri
    figures: dict[str, list[float]] = {"write": [], "read": []}
    waited = 0.0
    load = None
    try:
        if tf.io.gfile.exists(uri):
            tf.io.gfile.remove(uri)
        for tag, timed in passes(endpoint.backend, args.warmup, args.runs):
            if timed:
                waited += wait_until_quiet(endpoint.pid, tag)
                load = load if load is not None else os.getloadavg()[0]
            w = write(tf, uri, total, chunk, tag)
            r = read(tf, uri, total, len(chunk))
            tf.io.gfile.remove(uri)
            print(f"  {tag}: write {w:.1f} MB/s, read {r:.1f} MB/s", flush=True)
            if timed:
                figures["write"].append(w)
                figures["read"].append(r)
    except tf.errors.OpError as exc:
        raise SystemExit(
            f"the {endpoint.backend} backend at {endpoint.host}:{endpoint.port} "
            f"({endpoint.node}) failed: {exc.message}"
        ) from None
    return {
        "uri": uri,
        "address": f"{endpoint.host}:{endpoint.port}",
        "node": endpoint.node,
        "ignite_version": endpoint.ignite_version,
        "node_startup_seconds": endpoint.startup_seconds,
        "seconds_waited_for_a_quiet_node": waited,
        "load_average_1m_before": load,
        **{k: summary(v) for k, v in figures.items()},
    }


def logged_version(node: Any, pinned: str) -> str:
    """The version the node's log reports ("ver. 2.17.0#..."), else the pinned one."""
    try:
        text = Path(node.log_path).read_text(errors="replace")
    except (OSError, TypeError):
        return pinned
    found = re.search(r"\bver\. (\d+\.\d+\.\d+[\w.-]*)", text)
    return found.group(1) if found else pinned


def thin_server_version(host: str, port: int) -> str:
    """The version a thin-client node reports in SYS.NODES (Ignite 2.8+), or "unknown"."""
    try:
        from ignite_tf import Client

        with Client(host, port, timeout=10.0, connect_timeout=5.0) as client:
            versions = sorted({str(row[0]) for row in client.sql("SELECT VERSION FROM SYS.NODES")})
    except Exception:  # noqa: BLE001 - a version we cannot learn is only a missing label
        return "unknown"
    return ",".join(v.split("#")[0] for v in versions) or "unknown"


def check_given(args: argparse.Namespace, backends: list[str]) -> None:
    """Exits with a clear message unless every node given answers (before anything is timed)."""
    from ignite_tf.node import probe_igfs

    if "thin" in backends and args.address:
        host, port = split_address(args.address, "--address")
        try:
            socket.create_connection((host, port), timeout=5.0).close()
        except OSError as exc:
            raise SystemExit(f"--address {args.address}: cannot connect: {exc}") from None
    if "native" in backends and args.native_address:
        host, port = split_address(args.native_address, "--native-address")
        if not probe_igfs(host, port, 5.0):
            raise SystemExit(
                f"--native-address {args.native_address}: no IGFS endpoint answers a handshake "
                "there (the IGFS port of an Ignite 2.8.1 or older node, 10500 by default)"
            )


@contextlib.contextmanager
def endpoint_of(backend: str, args: argparse.Namespace) -> Iterator[Endpoint]:
    """The backend's endpoint: the node given, or one started here (stopped on leaving)."""
    from ignite_tf.node import IgniteNode, IgniteNodeError, LegacyIgfsNode
    from ignite_tf.node.legacy_igfs import LEGACY_IGFS_VERSION
    from ignite_tf.node.maven import ignite_version

    given = args.address if backend == "thin" else args.native_address
    option = "--address" if backend == "thin" else "--native-address"
    if given:
        host, port = split_address(given, option)
        if backend == "native":
            version = "unknown (an IGFS endpoint: Ignite 2.8.1 or older)"
        else:
            version = thin_server_version(host, port)
        yield Endpoint(backend, host, port, f"given ({option})", version)
        return
    region = (2 * args.mb + 512) * MB
    options: dict[str, Any] = {
        "region_max_size": region,
        "heap_options": tuple(args.heap.split()),
        "startup_timeout": 180,
        "print_log_on_failure": False,  # the exit message below has the log's tail
    }
    pinned = ignite_version() if backend == "thin" else LEGACY_IGFS_VERSION
    node = IgniteNode(**options) if backend == "thin" else LegacyIgfsNode(**options)
    what = f"the {backend} backend's Ignite {pinned} node"
    held = "data region" if backend == "thin" else "data regions (IGFS blocks: the system one)"
    print(f"starting {what} ({held} {region // MB} MB, heap {args.heap})", flush=True)
    try:
        node.start()
    except (IgniteNodeError, OSError) as exc:
        raise SystemExit(f"cannot start {what}: {exc}") from None
    except BaseException:  # e.g. Ctrl-C while it starts
        node.stop()
        raise
    try:
        port = node.port if backend == "thin" else node.igfs_port
        print(f"{what}: {node.host}:{port}, pid {node.pid}, up in {node.startup_seconds:.1f} s")
        yield Endpoint(
            backend,
            node.host,
            port,
            "started by the benchmark",
            logged_version(node, pinned),
            pid=node.pid,
            startup_seconds=node.startup_seconds,
        )
    finally:
        node.stop()
        print(f"stopped {what}", flush=True)


def ratios(backend: dict, local: dict) -> dict[str, float]:
    write_mb, read_mb = backend["write"]["median"], backend["read"]["median"]
    return {
        "write": write_mb / local["write"]["median"],
        "read_vs_disk": read_mb / local["read_disk"]["median"],
        "read_vs_page_cache": read_mb / local["read_page_cache"]["median"],
    }


def print_summary(args: argparse.Namespace, local: dict, backends: dict[str, dict]) -> None:
    def cell(data: dict | None) -> str:
        if data is None:
            return ""
        text = f"{data['median']:.1f}"
        if len(data["runs"]) > 1:
            text += f" ({data['min']:.0f}-{data['max']:.0f})"
        return f"{text} MB/s"

    def row(label: str, write_text: str, read_text: str, note: str = "") -> None:
        print(f"{label:16} {write_text:>26} {read_text:>26} {note}".rstrip())

    print(
        f"file size: {args.mb} MB, chunks of {args.chunk_mb} MB, {args.warmup} warm-up and "
        f"{args.runs} timed run{'s' if args.runs > 1 else ''} each (medians, min-max)"
    )
    row("", "write", "read")
    row("local disk", cell(local["write"]), cell(local["read_disk"]), "(disk)")
    row("", "", cell(local["read_page_cache"]), "(page cache)")
    for name, data in backends.items():
        label = f"{name} ({data['ignite_version'].split(' ')[0]})"
        row(label, cell(data["write"]), cell(data["read"]))
    for name, data in backends.items():
        r = data["ratios"]
        row(
            f"{name}/local",
            f"{r['write']:.2f}",
            f"{r['read_vs_disk']:.2f}",
            f"(disk), {r['read_vs_page_cache']:.2f} (page cache); target read >= {TARGET:.2f} "
            f"(disk): {'met' if data['target_met'] else 'NOT met'}",
        )
    if {"thin", "native"} <= backends.keys():
        w = backends["native"]["write"]["median"] / backends["thin"]["write"]["median"]
        r = backends["native"]["read"]["median"] / backends["thin"]["read"]["median"]
        row("native/thin", f"{w:.2f}", f"{r:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--mb", type=int, help="file size in MB (full: 1024, smoke: 32)")
    parser.add_argument("--runs", type=int, help="timed runs of each store (full: 3, smoke: 1)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed passes before them")
    parser.add_argument("--chunk-mb", type=int, default=8, help="write and read size in MB")
    parser.add_argument(
        "--backends", default=",".join(BACKENDS), help="igfs:// backends to measure, in order"
    )
    parser.add_argument("--address", help="host:port of a running thin-client node (thin)")
    parser.add_argument("--native-address", help="host:port of a running IGFS endpoint (native)")
    parser.add_argument(
        "--heap",
        default="-Xms256m -Xmx1g",
        help="JVM heap options of the nodes started here (--heap='-Xms1g -Xmx2g')",
    )
    parser.add_argument(
        "--out",
        default=str(HERE / "results" / "igfs_throughput.json"),
        help="JSON result file ('' for none)",
    )
    parser.add_argument("--tmpdir", help="local directory to compare with (default: $TMPDIR)")
    args = parser.parse_args()
    args.mb = args.mb if args.mb is not None else SCALES[args.scale]["mb"]
    args.runs = args.runs if args.runs is not None else SCALES[args.scale]["runs"]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if (
        not backends
        or any(b not in BACKENDS for b in backends)
        or len(set(backends)) < len(backends)
    ):
        parser.error(f"--backends: a list of {' and '.join(BACKENDS)}, got {args.backends!r}")
    if args.mb < 1 or args.runs < 1 or args.warmup < 0 or args.chunk_mb < 1:
        parser.error("--mb, --runs and --chunk-mb must be at least 1, --warmup at least 0")
    args.backends = ",".join(backends)
    check_given(args, backends)

    import tensorflow as tf

    import ignite_tf  # noqa: F401 - registers igfs://

    chunk = os.urandom(args.chunk_mb * MB)
    print(f"local disk: {args.mb} MB file", flush=True)
    local = measure_local(tf, args.tmpdir, args, chunk)
    results: dict[str, dict] = {}
    for backend in backends:
        with endpoint_of(backend, args) as endpoint:
            print(f"{backend}: {endpoint.uri}", flush=True)
            data = measure_backend(tf, endpoint, args, chunk)
        data["ratios"] = ratios(data, local)
        data["target_met"] = data["ratios"]["read_vs_disk"] >= TARGET
        results[backend] = data
    print_summary(args, local, results)
    if not args.out:
        return
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "args": vars(args),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "tensorflow": tf.__version__,
            "node": {name: data["node"] for name, data in results.items()},
        },
        "file_mb": args.mb,
        "chunk_bytes": len(chunk),
        "runs": args.runs,
        "warmup": args.warmup,
        "figures": "MB/s (MB = 2^20 bytes): median, min, max and each timed run",
        "local": local,
        "backends": results,
    }
    if {"thin", "native"} <= results.keys():
        thin, native = results["thin"], results["native"]
        report["native_vs_thin"] = {
            "write": native["write"]["median"] / thin["write"]["median"],
            "read": native["read"]["median"] / thin["read"]["median"],
        }
    if "thin" in results:  # the keys of the one-backend benchmark, for thin
        thin = results["thin"]
        report["mb_per_s"] = {
            "local_write": local["write"]["median"],
            "local_read_disk": local["read_disk"]["median"],
            "local_read_page_cache": local["read_page_cache"]["median"],
            "igfs_write": thin["write"]["median"],
            "igfs_read": thin["read"]["median"],
        }
        report["ratios"] = thin["ratios"]
    report["target"] = f"igfs read >= {TARGET} x local disk read"
    if "thin" in results:
        report["target_met"] = results["thin"]["target_met"]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
