"""Baseline reader: Apache Ignite's official Java thin client reading a benchmark workload.

    python benchmarks/java_reader.py --workload W2 --address 127.0.0.1:10800 --page-size 1024

Compiles ``benchmarks/java/ThinClientReader.java`` once (cached under
``~/.cache/ignite-tf/bench-classes/<hash>``, rebuilt when the source, the Ignite version or javac
changes) and runs it in its own JVM. ``seconds`` is the read alone, timed inside the JVM after
the client has connected (JVM start, class loading and the handshake are not counted);
``peak_rss_bytes`` is that JVM's VmHWM.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ignite_tf.testing import (
    _java_major_version,
    find_java,
    ignite_libs_dir,
    ignite_version,
    jvm_add_opens,
    resolve_ignite_classpath,
)

SOURCE = Path(__file__).resolve().parent / "java" / "ThinClientReader.java"
MAIN_CLASS = "ThinClientReader"
WORKLOADS = ("W1", "W2", "W3")
RESULT_KEYS = ("rows", "bytes", "seconds", "peak_rss_bytes", "cpu_seconds")


def _javac(java: Path) -> Path:
    javac = java.with_name("javac")
    if javac.exists():
        return javac
    found = shutil.which("javac")
    if found is None:
        raise RuntimeError(f"no javac next to {java} or on PATH (a JDK is needed)")
    return Path(found)


def _classpath() -> str:
    return os.pathsep.join(str(p) for p in resolve_ignite_classpath(quiet=True))


def compile_reader(build_dir: Path | None = None) -> Path:
    """Compile ThinClientReader.java unless an up-to-date build exists; return its class dir.

    Args:
        build_dir: root of the class cache (default ``<ignite-tf cache>/bench-classes``, i.e.
            ``~/.cache/ignite-tf/bench-classes``). Classes go to ``<build_dir>/<hash>`` where the
            hash covers the source, the Ignite version and the javac used.
    """
    return compile_java(SOURCE, MAIN_CLASS, build_dir)


def compile_java(source: Path, main_class: str, build_dir: Path | None = None) -> Path:
    """Compile one benchmark Java source against the Ignite jars unless an up-to-date build
    exists; return its class dir (``<build_dir>/<hash>``, as :func:`compile_reader`; the other
    benchmark clients, e.g. ``java_writer.py``, compile through this too)."""
    javac = _javac(find_java())
    root = (
        Path(build_dir).expanduser()
        if build_dir is not None
        else ignite_libs_dir().parent.parent / "bench-classes"
    )
    digest = hashlib.sha256()
    digest.update(Path(source).read_bytes())
    digest.update(f"\0ignite {ignite_version()}\0javac {javac.resolve()}".encode())
    target = root / digest.hexdigest()[:16]
    if (target / f"{main_class}.class").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        proc = subprocess.run(
            [str(javac), "-d", str(staging), "-cp", _classpath(), str(source)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"javac failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        try:
            staging.rename(target)
        except OSError:  # another process finished the same build first
            if not (target / f"{main_class}.class").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def java_reader_command(
    workload: str,
    host: str,
    port: int,
    page_size: int,
    *,
    cache: str | None = None,
    query: str | None = None,
    max_heap: str = "2g",
    passes: int = 1,
    lazy: bool = False,
) -> list[str]:
    """The command that reads one workload with the Java thin client in a fresh JVM
    (ThinClientReader, compiled first when needed); it prints one JSON line.

    Args:
        workload: ``"W1"`` (Long -> byte[] of 1 MiB), ``"W2"`` (Long -> MnistRow) or ``"W3"``
            (SQL table BENCH_W3).
        host, port: thin-client endpoint.
        page_size: rows per page for the scan / SQL query.
        cache: cache name instead of BENCH_W1 / BENCH_W2.
        query: SQL instead of ``SELECT C0, ..., C9 FROM BENCH_W3``.
        max_heap: the JVM's ``-Xmx`` (a W1 page of N rows needs about 2 * N MiB of heap).
        passes: full reads in the one JVM; the last is reported (2: the first warms the JIT).
        lazy: run the SQL query in Ignite's lazy mode (``SqlFieldsQuery.setLazy``).
    """
    workload = workload.upper()
    if workload not in WORKLOADS:
        raise ValueError(f"workload must be one of {WORKLOADS}, not {workload!r}")
    java = find_java()
    classes = compile_reader()
    command = [
        str(java),
        *jvm_add_opens(_java_major_version(java)),
        f"-Xmx{max_heap}",
        "-cp",
        f"{classes}{os.pathsep}{_classpath()}",
        MAIN_CLASS,
        "--host",
        host,
        "--port",
        str(port),
        "--workload",
        workload,
        "--page-size",
        str(page_size),
    ]
    if cache is not None:
        command += ["--cache", cache]
    if query is not None:
        command += ["--query", query]
    return command + ["--passes", str(passes), "--lazy", "true" if lazy else "false"]


def run_java_reader(*args, timeout: float = 3600, **kwargs) -> dict:
    """Runs :func:`java_reader_command` (same arguments; ``timeout``: seconds before the JVM is
    killed) and returns its result.

    Returns:
        ``{"rows", "bytes", "seconds", "peak_rss_bytes", "cpu_seconds"}`` as measured inside the
        JVM (``cpu_seconds``: the JVM's CPU time during the read, all threads). The JSON line
        itself also has ``window``, the reported pass's start and end in epoch seconds.

    Raises:
        RuntimeError: the reader exited with an error or printed no result.
    """
    workload = args[0] if args else kwargs["workload"]
    command = java_reader_command(*args, **kwargs)
    proc = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        # Exception messages and "Caused by" lines without their stack frames.
        messages = [ln for ln in proc.stderr.splitlines() if not ln.lstrip().startswith("at ")]
        tail = "\n".join(messages[-40:])
        raise RuntimeError(f"Java reader {workload} exited with {proc.returncode}:\n{tail}")
    json_lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not json_lines:
        raise RuntimeError(
            f"Java reader {workload} printed no result:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    result = json.loads(json_lines[-1])
    return {key: result[key] for key in RESULT_KEYS}


def print_result(workload: str, result: dict) -> None:
    """A Java client's JSON result on one line, then a summary line for people."""
    seconds = result["seconds"]
    print(json.dumps(result))
    print(
        f"{workload}: {result['rows']:,} rows in {seconds:.3f} s, "
        f"{result['rows'] / seconds:,.0f} rows/s, {result['bytes'] / seconds / 1e6:,.1f} MB/s, "
        f"peak RSS {result['peak_rss_bytes'] / 2**20:,.0f} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", required=True, choices=WORKLOADS, type=str.upper)
    parser.add_argument("--address", default="127.0.0.1:10800", help="host:port")
    parser.add_argument("--page-size", type=int, default=1024)
    parser.add_argument("--cache")
    parser.add_argument("--query")
    parser.add_argument("--max-heap", default="2g")
    args = parser.parse_args(argv)
    host, _, port = args.address.rpartition(":")
    result = run_java_reader(
        args.workload,
        host or "127.0.0.1",
        int(port),
        args.page_size,
        cache=args.cache,
        query=args.query,
        max_heap=args.max_heap,
    )
    print_result(args.workload, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
