"""Baseline writer: Apache Ignite's official Java thin client loading a benchmark workload.

    python benchmarks/java_writer.py --workload W2 --address 127.0.0.1:10800 --rows 100000 \\
        --cache BENCH_W2 --warmup-cache BENCH_W2_WARMUP --warmup-rows 5000

Compiles ``benchmarks/java/ThinClientWriter.java`` once (with java_reader.py's compile_java, into
the same class cache) and runs it in its own JVM. The JVM generates the workload's data in
arrays, connects, writes the first ``warmup_rows`` rows into the warm-up cache (untimed) and then
all rows into the cache with ``ClientCache.putAll`` of ``rows_per_request`` rows, building each
W2/W3 value with ``client.binary().builder(typeName)``. ``seconds`` is that last write alone,
timed inside the JVM; ``window`` is its start and end in epoch seconds (for the node's CPU);
``peak_rss_bytes`` is the JVM's VmHWM. The caches must exist (W3's as the SQL table's cache).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from java_reader import _classpath, compile_java, print_result

from ignite_tf.testing import _java_major_version, find_java, jvm_add_opens

SOURCE = Path(__file__).resolve().parent / "java" / "ThinClientWriter.java"
MAIN_CLASS = "ThinClientWriter"
WORKLOADS = ("W1", "W2", "W3")
ROW_BYTES = {"W1": 1 << 20, "W2": 4 + 784, "W3": 64}


def max_heap_for(workload: str, rows: int) -> str:
    """An -Xmx that holds the workload's arrays (W1 2 GiB at full size) twice over plus 1 GiB
    for the client and the requests being built."""
    return f"{(2 * rows * ROW_BYTES[workload] >> 20) + 1024}m"


def java_writer_command(
    workload: str,
    host: str,
    port: int,
    rows: int,
    rows_per_request: int,
    cache: str,
    warmup_cache: str | None = None,
    warmup_rows: int = 0,
    max_heap: str | None = None,
) -> list[str]:
    """The command that runs ThinClientWriter (compiled first when needed); it prints one JSON
    line (see the module docstring)."""
    workload = workload.upper()
    if workload not in WORKLOADS:
        raise ValueError(f"workload must be one of {WORKLOADS}, not {workload!r}")
    java = find_java()
    classes = compile_java(SOURCE, MAIN_CLASS)
    command = [
        str(java),
        *jvm_add_opens(_java_major_version(java)),
        f"-Xmx{max_heap or max_heap_for(workload, rows)}",
        "-cp",
        f"{classes}{os.pathsep}{_classpath()}",
        MAIN_CLASS,
        "--host",
        host,
        "--port",
        str(port),
        "--workload",
        workload,
        "--rows",
        str(rows),
        "--rows-per-request",
        str(rows_per_request),
        "--cache",
        cache,
    ]
    if warmup_rows > 0:
        if warmup_cache is None:
            raise ValueError("warmup_rows needs warmup_cache")
        command += ["--warmup-cache", warmup_cache, "--warmup-rows", str(warmup_rows)]
    return command


def run_java_writer(*args, timeout: float = 3600, **kwargs) -> dict:
    """Runs :func:`java_writer_command` (same arguments) and returns its JSON result.

    Raises:
        RuntimeError: the writer exited with an error or printed no result.
    """
    proc = subprocess.run(
        java_writer_command(*args, **kwargs),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        messages = [ln for ln in proc.stderr.splitlines() if not ln.lstrip().startswith("at ")]
        tail = "\n".join(messages[-40:])
        raise RuntimeError(f"Java writer exited with {proc.returncode}:\n{tail}")
    json_lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not json_lines:
        raise RuntimeError(f"Java writer printed no result:\n{proc.stdout[-2000:]}")
    return json.loads(json_lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", required=True, choices=WORKLOADS, type=str.upper)
    parser.add_argument("--address", default="127.0.0.1:10800", help="host:port")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--rows-per-request", type=int, default=1024)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--warmup-cache")
    parser.add_argument("--warmup-rows", type=int, default=0)
    parser.add_argument("--max-heap")
    args = parser.parse_args(argv)
    host, _, port = args.address.rpartition(":")
    result = run_java_writer(
        args.workload,
        host or "127.0.0.1",
        int(port),
        args.rows,
        args.rows_per_request,
        args.cache,
        args.warmup_cache,
        args.warmup_rows,
        args.max_heap,
    )
    print_result(args.workload, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
