"""Read throughput of ignite_tf against Ignite's Java thin client, pyignite and the loopback limit,
side by side in one run on one real node; writes a JSON result and a PNG chart.

    python benchmarks/throughput.py                      # full size (about 15 minutes)
    python benchmarks/throughput.py --scale smoke        # tiny sizes: checks that it all runs
    python benchmarks/throughput.py --address host:port  # a running node (loads what is missing)

Workloads, loaded by the benchmark into the node (a progress line shows the loading):
  W1  the article's: BENCH_W1, 2048 partitions, long -> byte[1 MiB], 2048 rows (2.15 GB)
  W2  MNIST-shaped: BENCH_W2, long -> MnistRow {label: int, pixels: byte[784]}, 1,000,000 rows
  W3  a SQL table: BENCH_W3 (ID BIGINT PRIMARY KEY, C0..C2 BIGINT, C3..C5 INT, C6..C8 DOUBLE,
      C9 REAL), 2,000,000 rows, read with SELECT C0, ..., C9

Readers, each in its own process (its peak RSS is its own): ignite_tf NumPy (Client.scan /
Client.sql_batches), ignite_tf tf.data batched (IgniteDataset / SqlDataset with batched=True),
ignite_tf tf.data element-wise (the first --element-rows rows; both tf.data readers consumed
inside TensorFlow with Dataset.reduce, as training consumes them, the element-wise one after
.batch(32), and timed on their second pass: the first traces the graph functions, once per
program), TensorFlow's own element-wise pipeline over the same rows held in memory (its
ceiling), pyignite (scan / sql at the page
size that was fastest for it in a short sweep), the official Java thin client
(java/ThinClientReader.java, timed on its second pass in one JVM: the first warms the JIT),
the server limit (wire_reader.py: the same requests from a client that decodes nothing),
and the loopback limit (one process streaming the workload's bytes to another over 127.0.0.1).
MB/s counts user payload bytes (W1 1 MiB, W2 788, W3 64 a row); the
node's CPU use during each read is reported in cores, the evidence when a reader is server-bound.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loopback import peak_rss_bytes  # noqa: E402

W3_COLUMNS = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
W3_QUERY = f"SELECT {', '.join(W3_COLUMNS)} FROM BENCH_W3"

WORKLOADS = {
    "W1": {
        "cache": "BENCH_W1",
        "rows": 2048,
        "row_bytes": 1 << 20,
        "page_size": 16,
        "batch_size": 16,
        "pyignite_pages": [1, 4, 16],
        "partitions": 2048,
        "describe": "long -> byte[1 MiB], cache of 2048 partitions",
    },
    "W2": {
        "cache": "BENCH_W2",
        "rows": 1_000_000,
        "row_bytes": 4 + 784,
        "page_size": 1024,
        "batch_size": 4096,
        "pyignite_pages": [256, 1024, 4096],
        "partitions": 1024,
        "describe": "long -> MnistRow {label: int, pixels: byte[784]}",
    },
    "W3": {
        "cache": "BENCH_W3",
        "rows": 2_000_000,
        "row_bytes": 3 * 8 + 3 * 4 + 3 * 8 + 4,
        "page_size": 1024,
        "batch_size": 4096,
        "pyignite_pages": [256, 1024, 4096],
        "describe": "SQL table: 3 BIGINT, 3 INT, 3 DOUBLE, 1 REAL; " + W3_QUERY,
    },
}
SMOKE_ROWS = {"W1": 48, "W2": 20_000, "W3": 40_000}
READERS = [
    "ignite_tf_numpy",
    "ignite_tf_parallel",
    "tf_batched",
    "tf_elements",
    "pyignite",
    "java_thin_client",
]
LABELS = {
    "ignite_tf_numpy": "ignite_tf NumPy",
    "ignite_tf_parallel": "ignite_tf NumPy parallel",
    "tf_batched": "ignite_tf tf.data batched",
    "tf_elements": "ignite_tf tf.data elements",
    "tf_memory_elements": "TensorFlow elements in memory",
    "pyignite": "pyignite",
    "java_thin_client": "Java thin client",
    "wire_limit": "server limit (no decoding)",
    "wire_limit_parallel": "server limit, parallel",
    "loopback": "loopback limit",
}


# ------------------------------------------------------------------------------------------------
# Reader processes: `throughput.py --reader NAME ...` prints one JSON line.


def _read(
    reader: str,
    workload: str,
    host: str,
    port: int,
    page: int,
    batch: int,
    limit: int,
    mark: Callable[[], None],
    parallel_reads: int = 1,
) -> int:
    """Reads the workload (at most `limit` rows when > 0); returns the rows read. A reader that
    warms up first calls `mark()` when its timed pass begins."""
    w = WORKLOADS[workload]
    if reader in ("ignite_tf_numpy", "ignite_tf_parallel"):
        from ignite_tf import Client

        with Client(host, port, timeout=600) as client:
            if workload == "W3":
                scan = client.sql_batches(W3_QUERY, page_size=page, batch_size=batch)
            else:
                scan = client.scan(
                    w["cache"],
                    page_size=page,
                    batch_size=batch,
                    num_parallel_reads=parallel_reads if reader == "ignite_tf_parallel" else 1,
                )
            rows = 0
            with scan:
                for columns in scan:
                    rows += len(next(iter(columns.values())))
            return rows
    if reader in ("tf_batched", "tf_elements"):
        # Consumed inside TensorFlow (Dataset.reduce), as a training loop consumes a dataset; a
        # Python for-loop would add TensorFlow's eager overhead per element (~50-100 us).
        from ignite_tf import IgniteDataset, SqlDataset

        batched = reader == "tf_batched"
        if workload == "W3":
            ds = SqlDataset(
                W3_QUERY, host=host, port=port, page_size=page, batch_size=batch, batched=batched
            )
            first = "C0"
        else:
            ds = IgniteDataset(
                w["cache"],
                host=host,
                port=port,
                page_size=page,
                batch_size=batch,
                batched=batched,
                timeout=600,
            )
            first = "key"
        if not batched and limit > 0:
            ds = ds.take(limit)
        return _count_in_tf(ds, batched, first, mark)
    if reader == "tf_memory_elements":
        # TensorFlow's own element-wise pipeline over the same structure held in memory: the
        # most an element-by-element dataset can give here, whatever its source.
        import numpy as np
        import tensorflow as tf

        n = limit or w["rows"]
        rng = np.random.default_rng(0)
        if workload == "W1":
            data = {"key": np.arange(n), "val": rng.integers(0, 256, (n, 1 << 20), np.uint8)}
        elif workload == "W2":
            data = {
                "key": np.arange(n),
                "val": {
                    "label": rng.integers(0, 10, n, np.int32),
                    "pixels": rng.integers(0, 256, (n, 784), np.uint8),
                },
            }
        else:
            data = {c: rng.integers(0, 1 << 30, n) for c in W3_COLUMNS}
        ds = tf.data.Dataset.from_tensor_slices(data)
        return _count_in_tf(ds, False, "C0" if workload == "W3" else "key", mark)
    if reader in ("wire_limit", "wire_limit_parallel"):
        from wire_reader import read_limit

        if workload == "W3":
            return read_limit(host, port, page, sql=W3_QUERY)["rows"]
        if reader == "wire_limit":
            return read_limit(host, port, page, cache=w["cache"])["rows"]
        return read_limit(
            host,
            port,
            page,
            cache=w["cache"],
            connections=parallel_reads,
            partitions=w["partitions"],
        )["rows"]
    if reader == "pyignite":
        from pyignite import Client as PyIgniteClient

        client = PyIgniteClient(timeout=600)
        rows = 0
        with client.connect(host, port):
            if workload == "W3":
                cursor = client.sql(W3_QUERY, page_size=page)
            else:
                cursor = client.get_cache(w["cache"]).scan(page_size=page)
            with cursor:
                for _ in cursor:
                    rows += 1
                    if rows == limit:
                        break
        return rows
    raise ValueError(f"unknown reader {reader}")


ELEMENTS_REBATCH = 32


def _count_in_tf(ds, batched: bool, first: str, mark: Callable[[], None]) -> int:
    """Rows of a dataset counted inside TensorFlow, on a second pass (the first traces the
    functions, once per program). An element-wise dataset is batched again by 32 rows first, as
    a training pipeline over it does: reducing element by element would time TensorFlow's
    function call per element (~30 us here), not the dataset."""
    import numpy as np
    import tensorflow as tf

    if not batched:
        ds = ds.batch(ELEMENTS_REBATCH)

    @tf.function
    def count(ds):
        return ds.reduce(np.int64(0), lambda n, b: n + tf.shape(b[first], tf.int64)[0])

    count(ds)
    mark()
    return int(count(ds).numpy())


def reader_main(args: argparse.Namespace) -> int:
    # Imports are not part of the read (the Java reader's JVM start is not either).
    if args.reader in ("tf_batched", "tf_elements", "tf_memory_elements"):
        import tensorflow  # noqa: F401
    if args.reader == "pyignite":
        import pyignite  # noqa: F401
    elif args.reader.startswith("wire_limit"):
        import wire_reader  # noqa: F401
    else:
        import ignite_tf  # noqa: F401
    if args.reader == "loopback":  # `limit` rows' worth of the workload's bytes
        from loopback import measure_loopback

        result = measure_loopback(args.limit * WORKLOADS[args.workload]["row_bytes"])
        result["rows"] = args.limit
        print(json.dumps(result))
        return 0
    import resource

    clock = {}

    def mark() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        clock["cpu"] = usage.ru_utime + usage.ru_stime
        clock["time"] = time.perf_counter()
        clock["wall"] = time.time()

    mark()
    rows = _read(
        args.reader,
        args.workload,
        args.host,
        args.port,
        args.page_size,
        args.batch_size,
        args.limit,
        mark,
        args.parallel_reads,
    )
    seconds = time.perf_counter() - clock["time"]
    window = [clock["wall"], time.time()]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - clock["cpu"]
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "peak_rss_bytes": peak_rss_bytes(),
                "cpu_seconds": cpu,
                "window": window,
            }
        )
    )
    return 0


# ------------------------------------------------------------------------------------------------
# Measuring from the outside: client RSS over time, the node's CPU.


def _proc_rss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _thread_cpu_seconds(pid: int | None) -> dict[str, float] | None:
    """CPU seconds of a process's threads, summed by thread name without its trailing number
    (the JVM's `client-connector-#12` and `client-connector-#13` are one pool; Linux keeps 15
    characters of a thread name, so that shows as `client-connecto`)."""
    if pid is None:
        return None
    groups: dict[str, float] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        fields = rest.split()
        group = re.sub(r"[-# ]*\d+$", "", name) or name
        ticks = int(fields[11]) + int(fields[12])
        groups[group] = groups.get(group, 0.0) + ticks / os.sysconf("SC_CLK_TCK")
    return groups


def _window_rate(samples: list, window: list[float]) -> tuple[tuple, tuple] | None:
    """The samples (time, value) just before and just after a reader's timed window."""
    if len(samples) < 2:
        return None
    before = [s for s in samples if s[0] <= window[0]] or samples[:1]
    after = [s for s in samples if s[0] >= window[1]] or samples[-1:]
    if after[0][0] <= before[-1][0]:
        return None
    return before[-1], after[0]


def _run_measured(command: list[str], node_pid: int | None, sample_rss: bool) -> dict:
    """Runs a reader process; returns its JSON plus the node's CPU use during the timed read
    (from samples every 50 ms around the reader's reported window; by thread pool every 250 ms)
    and an RSS curve."""
    samples: list[tuple[float, int | None, float | None]] = []  # (time, client RSS, node CPU s)
    thread_samples: list[tuple[float, dict[str, float]]] = []
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.time()

    def sample() -> None:
        tick = 0
        while proc.poll() is None:
            samples.append((time.time(), _proc_rss(proc.pid), _cpu_seconds(node_pid)))
            if tick % 5 == 0 and node_pid is not None:
                threads = _thread_cpu_seconds(node_pid)
                if threads is not None:
                    thread_samples.append((time.time(), threads))
            tick += 1
            time.sleep(0.05)
        samples.append((time.time(), None, _cpu_seconds(node_pid)))
        threads = _thread_cpu_seconds(node_pid)
        if threads is not None:
            thread_samples.append((time.time(), threads))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    window = result.pop("window", None)
    cpu = [(t, c) for t, _, c in samples if c is not None]
    span = _window_rate(cpu, window) if window else None
    if span:
        (t0, c0), (t1, c1) = span
        result["node_cpu_cores"] = (c1 - c0) / (t1 - t0)
    span = _window_rate(thread_samples, window) if window else None
    if span:
        (t0, g0), (t1, g1) = span
        pools = {name: (g1[name] - g0.get(name, 0.0)) / (t1 - t0) for name in g1}
        busiest = sorted(pools.items(), key=lambda item: -item[1])[:4]
        result["node_threads_cores"] = {name: round(c, 3) for name, c in busiest if c >= 0.01}
    if sample_rss:
        curve = [(t - started, r) for t, r, _ in samples if r is not None]
        step = max(1, len(curve) // 400)
        result["rss_curve"] = [[round(t, 3), r] for t, r in curve[::step]]
    return result


# ------------------------------------------------------------------------------------------------
# Loading.


def _progress(what: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.monotonic() - started, 1e-9)
    width = 30
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "." * (width - filled)
    end = "\n" if done >= total else ""
    print(
        f"\r  loading {what} [{bar}] {done:,}/{total:,} rows ({rate:,.0f}/s)", end=end, flush=True
    )


def load(client, workload: str, rows: int) -> None:
    import numpy as np

    from ignite_tf import BinaryObject

    w = WORKLOADS[workload]
    cache = w["cache"]
    if workload == "W3":
        if cache not in client.cache_names():
            client.sql(
                "CREATE TABLE BENCH_W3 (ID BIGINT PRIMARY KEY, C0 BIGINT, C1 BIGINT, C2 BIGINT, "
                "C3 INT, C4 INT, C5 INT, C6 DOUBLE, C7 DOUBLE, C8 DOUBLE, C9 REAL) WITH "
                '"CACHE_NAME=BENCH_W3, KEY_TYPE=java.lang.Long, VALUE_TYPE=BenchW3Row"'
            )
    else:
        client.get_or_create_cache(cache)  # W1's 2048 partitions come from the node config
    if client.size(cache) == rows:
        print(f"  {workload}: {rows:,} rows already loaded")
        return
    client.clear(cache)
    rng = np.random.default_rng(0)
    started = time.monotonic()
    chunk = {"W1": 16, "W2": 4000, "W3": 10000}[workload]
    for start in range(0, rows, chunk):
        end = min(rows, start + chunk)
        keys = range(start, end)
        if workload == "W1":
            entries = [(i, rng.integers(0, 256, w["row_bytes"], dtype=np.uint8)) for i in keys]
        elif workload == "W2":
            pixels = rng.integers(0, 256, (end - start, 784), dtype=np.uint8)
            entries = [
                (
                    i,
                    BinaryObject(
                        "MnistRow", {"label": np.int32(i % 10), "pixels": pixels[i - start]}
                    ),
                )
                for i in keys
            ]
        else:
            ints = rng.integers(-(2**31), 2**31, (end - start, 6))
            reals = rng.random((end - start, 4))
            entries = []
            for j, i in enumerate(keys):
                a, r = ints[j], reals[j]
                fields = {
                    "C0": int(a[0]) * 3,
                    "C1": int(a[1]) << 20,
                    "C2": i,
                    "C3": np.int32(a[3]),
                    "C4": np.int32(a[4]),
                    "C5": np.int32(i % 1000),
                    "C6": float(r[0]),
                    "C7": float(r[1]) * 1e6,
                    "C8": float(i),
                    "C9": np.float32(r[3]),
                }
                entries.append((i, BinaryObject("BenchW3Row", fields)))
        client.put_all(cache, entries)
        _progress(workload, end, rows, started)
    if client.size(cache) != rows:
        raise RuntimeError(f"{cache} holds {client.size(cache)} rows after loading {rows}")


def _node_config(directory: Path) -> Path:
    """The default node template plus BENCH_W1 with the article's 2048 partitions."""
    from ignite_tf.testing import DEFAULT_CONFIG_TEMPLATE

    text = Path(DEFAULT_CONFIG_TEMPLATE).read_text()
    caches = """<property name="cacheConfiguration">
            <list>
                <bean class="org.apache.ignite.configuration.CacheConfiguration">
                    <property name="name" value="BENCH_W1"/>
                    <property name="affinity">
                        <bean class=
                            "org.apache.ignite.cache.affinity.rendezvous.RendezvousAffinityFunction">
                            <property name="partitions" value="2048"/>
                        </bean>
                    </property>
                </bean>
            </list>
        </property>

        <property name="dataStorageConfiguration">"""
    marker = '<property name="dataStorageConfiguration">'
    if marker not in text:
        raise RuntimeError(f"{DEFAULT_CONFIG_TEMPLATE} has no {marker}")
    path = directory / "bench-node.xml"
    path.write_text(text.replace(marker, caches, 1))
    return path


# ------------------------------------------------------------------------------------------------
# The run.


def _reader_command(reader, workload, host, port, page, batch, limit=0, parallel=1) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--reader",
        reader,
        "--workload",
        workload,
        "--host",
        host,
        "--port",
        str(port),
        "--page-size",
        str(page),
        "--batch-size",
        str(batch),
        "--limit",
        str(limit),
        "--parallel-reads",
        str(parallel),
    ]


def _finish(result: dict, row_bytes: int) -> dict:
    result["rows_per_s"] = result["rows"] / result["seconds"]
    result["mb_per_s"] = result["rows"] * row_bytes / result["seconds"] / 1e6
    if result.get("cpu_seconds") is not None:
        result["client_cpu_us_per_row"] = result["cpu_seconds"] / max(result["rows"], 1) * 1e6
        result["client_cpu_cores"] = result["cpu_seconds"] / result["seconds"]
    if "node_cpu_cores" not in result and "node_cpu_seconds" in result:
        # Java: the node's CPU over the JVM's whole run (both passes and its start-up).
        result["node_cpu_cores"] = result["node_cpu_seconds"] / result["process_wall_seconds"]
    return result


def _have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run_workload(
    workload: str, rows: int, host: str, port: int, node_pid: int | None, args
) -> dict:
    from java_reader import run_java_reader

    w = WORKLOADS[workload]
    page, batch, row_bytes = w["page_size"], w["batch_size"], w["row_bytes"]
    print(f"{workload}: {rows:,} rows ({rows * row_bytes / 1e9:.2f} GB), page size {page}")
    results: dict[str, dict] = {}

    def record(name: str, result: dict) -> None:
        if result["rows"] <= 0:
            raise RuntimeError(f"{name} read no rows of {workload}")
        results[name] = _finish(result, row_bytes)
        extra = f" of {result['rows']:,} rows" if result["rows"] != rows else ""
        cpu = result.get("node_cpu_cores")
        cpu_text = f"  node {cpu:4.2f} cores" if cpu is not None else ""
        threads = result.get("node_threads_cores")
        if threads:
            busiest, cores = next(iter(threads.items()))
            cpu_text += f" (busiest pool {busiest} {cores:4.2f})"
        if result.get("client_cpu_us_per_row") is not None:
            cpu_text += (
                f"  client {result['client_cpu_us_per_row']:7.2f} us CPU/row"
                f" ({result['client_cpu_cores']:4.2f} cores)"
            )
        print(
            f"  {LABELS[name]:<28} {result['rows_per_s']:>12,.0f} rows/s {result['mb_per_s']:>9.1f}"
            f" MB/s  peak RSS {result['peak_rss_bytes'] / 2**20:7.0f} MiB{cpu_text}{extra}",
            flush=True,
        )

    def python_reader(name: str, limit: int = 0, page_size: int = page) -> dict:
        command = _reader_command(
            name, workload, host, port, page_size, batch, limit, args.parallel_reads
        )
        result = _run_measured(
            command,
            node_pid,
            sample_rss=name in ("ignite_tf_numpy", "ignite_tf_parallel", "tf_batched"),
        )
        if limit == 0 and result["rows"] != rows:
            raise RuntimeError(f"{name} read {result['rows']} rows of {workload}, expected {rows}")
        return result

    def best_of_two(name: str) -> dict:
        # These finish in seconds, where this machine's noise is tens of percent: the faster of
        # two runs (both in the JSON).
        runs = [python_reader(name), python_reader(name)]
        best = min(runs, key=lambda r: r["seconds"])
        best["runs_rows_per_s"] = [r["rows"] / r["seconds"] for r in runs]
        return best

    # One untimed pass first, so that no reader pays for the node's JIT and caches warming up.
    python_reader("ignite_tf_numpy")
    record("ignite_tf_numpy", best_of_two("ignite_tf_numpy"))
    if workload != "W3" and args.parallel_reads > 1:  # cache scans (SQL reads one cursor)
        record("ignite_tf_parallel", best_of_two("ignite_tf_parallel"))
        results["ignite_tf_parallel"]["parallel_reads"] = args.parallel_reads
    # What the node serves to a client that decodes nothing, with the same page size and
    # connections: the ceiling for every reader here.
    record("wire_limit", best_of_two("wire_limit"))
    if "ignite_tf_parallel" in results:
        record("wire_limit_parallel", best_of_two("wire_limit_parallel"))
        results["wire_limit_parallel"]["parallel_reads"] = args.parallel_reads
    if _have("tensorflow"):
        record("tf_batched", best_of_two("tf_batched"))
        limit = args.element_rows if rows > args.element_rows else 0
        record("tf_elements", python_reader("tf_elements", limit))
        memory_rows = min(rows, args.element_rows, 256 if workload == "W1" else rows)
        record("tf_memory_elements", python_reader("tf_memory_elements", memory_rows))
    else:
        print("  (TensorFlow is not installed: tf.data readers left out)")
    if _have("pyignite"):
        best, best_rate = page, 0.0
        sample = max(1, min(rows, {"W1": 256, "W2": 30_000, "W3": 60_000}[workload]))
        sweep = {}
        for candidate in w["pyignite_pages"]:
            r = python_reader("pyignite", sample, candidate)
            sweep[candidate] = r["rows"] / r["seconds"]
            if sweep[candidate] > best_rate:
                best, best_rate = candidate, sweep[candidate]
        result = python_reader(
            "pyignite", args.pyignite_rows if rows > args.pyignite_rows else 0, best
        )
        result["page_size"] = best
        result["page_size_sweep_rows_per_s"] = sweep
        record("pyignite", result)
    else:
        print("  (pyignite is not installed: left out)")
    # The node's CPU over both passes, so node_cpu_cores is a rough figure for this reader.
    cpu_before = _cpu_seconds(node_pid)
    java_started = time.perf_counter()
    java = run_java_reader(workload, host, port, page, max_heap="3g", passes=2)
    java_wall = time.perf_counter() - java_started
    cpu_after = _cpu_seconds(node_pid)
    if java["rows"] != rows or java["bytes"] != rows * row_bytes:
        raise RuntimeError(f"Java reader read {java} of {workload}, expected {rows} rows")
    if cpu_before is not None and cpu_after is not None:
        java["node_cpu_seconds"] = cpu_after - cpu_before
        java["process_wall_seconds"] = java_wall
    record("java_thin_client", java)
    # In its own process too, so that its RSS is the receiver's alone.
    record("loopback", python_reader("loopback", rows))

    base = results["ignite_tf_numpy"]["rows_per_s"]
    for r in results.values():
        r["ratio_to_ignite_tf_numpy"] = r["rows_per_s"] / base
    return {
        "describe": w["describe"],
        "rows": rows,
        "bytes": rows * row_bytes,
        "row_bytes": row_bytes,
        "page_size": page,
        "batch_size": batch,
        "results": results,
    }


def _targets(report: dict) -> list[dict]:
    out = []

    def target(name: str, value: float | None, goal: float, ceiling: float | None = None) -> None:
        """`ceiling`: the same ratio for the server limit (a client that decodes nothing), the
        most any client could reach against this node."""
        if value is not None:
            entry = {"target": name, "value": round(value, 3), "goal": goal, "met": value >= goal}
            if ceiling is not None:
                entry["server_limit"] = round(ceiling, 3)
                entry["reachable_on_this_node"] = ceiling >= goal
            out.append(entry)

    for workload, data in report["workloads"].items():
        r = data["results"]
        numpy_rate = r["ignite_tf_numpy"]["rows_per_s"]

        def ratio(other: str, r: dict = r, numpy_rate: float = numpy_rate) -> float | None:
            return numpy_rate / r[other]["rows_per_s"] if other in r else None

        java_ceiling = None
        if "wire_limit" in r and "java_thin_client" in r:
            java_ceiling = r["wire_limit"]["rows_per_s"] / r["java_thin_client"]["rows_per_s"]
        target(
            f"{workload} ignite_tf NumPy / Java thin client",
            ratio("java_thin_client"),
            1.0,
            java_ceiling,
        )

        def over_pyignite(name: str, r: dict = r) -> float | None:
            if name in r and "pyignite" in r:
                return r[name]["rows_per_s"] / r["pyignite"]["rows_per_s"]
            return None

        target(
            f"{workload} ignite_tf NumPy / pyignite",
            ratio("pyignite"),
            5.0 if workload == "W1" else 20.0,
            over_pyignite("wire_limit"),
        )
        if "ignite_tf_parallel" in r and "pyignite" in r:
            target(
                f"{workload} ignite_tf NumPy with parallel reads / pyignite",
                over_pyignite("ignite_tf_parallel"),
                5.0 if workload == "W1" else 20.0,
                over_pyignite("wire_limit_parallel"),
            )
        if "tf_batched" in r:
            target(
                f"{workload} tf.data batched / ignite_tf NumPy",
                r["tf_batched"]["rows_per_s"] / numpy_rate,
                0.8,
            )
    return out


def _rss_flatness(curve: list) -> dict | None:
    """Client RSS in the second quarter of a read (after imports and the first pages) against
    the second half: flat when the second half peaks no higher than the quarter + 10% + 8 MiB."""
    if len(curve) < 8:
        return None
    n = len(curve)
    early = max(r for _, r in curve[n // 4 : n // 2])
    late = max(r for _, r in curve[n // 2 :])
    flat = late <= early * 1.1 + (8 << 20)
    return {"early_peak_bytes": early, "late_peak_bytes": late, "flat": flat}


def chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = list(report["workloads"])
    fig, axes = plt.subplots(1, len(workloads) + 1, figsize=(6 * (len(workloads) + 1), 5))
    for ax, workload in zip(axes, workloads):
        data = report["workloads"][workload]
        names = [n for n in LABELS if n in data["results"]]
        rates = [data["results"][n]["mb_per_s"] for n in names]
        bars = ax.barh([LABELS[n] for n in names], rates, color="tab:blue")
        for bar, n in zip(bars, names):
            r = data["results"][n]
            ax.text(
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                f" {r['mb_per_s']:,.0f} MB/s, {r['rows_per_s']:,.0f} rows/s,"
                f" x{r['ratio_to_ignite_tf_numpy']:.2f}",
                va="center",
                fontsize=7,
            )
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_xlabel("MB/s of payload (log)")
        ax.set_title(f"{workload}: {data['rows']:,} rows, {data['bytes'] / 1e9:.2f} GB", fontsize=9)
        ax.set_xlim(right=max(rates) * 60)
    ax = axes[-1]
    for workload in workloads:
        for name in ("ignite_tf_numpy", "tf_batched"):
            r = report["workloads"][workload]["results"].get(name, {})
            curve = r.get("rss_curve")
            if curve:
                ax.plot(
                    [t for t, _ in curve],
                    [b / 2**20 for _, b in curve],
                    label=f"{workload} {LABELS[name]}",
                )
    ax.set_xlabel("seconds since the reader process started")
    ax.set_ylabel("client RSS (MiB)")
    ax.set_title("client RSS while reading (import, then the read)", fontsize=9)
    ax.legend(fontsize=7)
    save_figure(
        fig,
        path,
        f"ignite_tf read throughput, Ignite {report['ignite_version']}, "
        f"{report['machine']['cpus']} CPUs ({report['date']})",
    )


def save_figure(fig, path: Path, title: str) -> None:
    """Titles a benchmark's matplotlib figure, writes it as a PNG and closes it."""
    import matplotlib.pyplot as plt

    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["full", "smoke"], default="full")
    parser.add_argument("--workloads", default="W1,W2,W3")
    parser.add_argument("--address", help="host:port of a running node (default: start one)")
    parser.add_argument("--element-rows", type=int, default=200_000)
    parser.add_argument(
        "--parallel-reads",
        type=int,
        default=2,
        help="connections of the ignite_tf parallel reader (num_parallel_reads); 1 leaves it out",
    )
    parser.add_argument("--pyignite-rows", type=int, default=0, help="0: all rows")
    parser.add_argument("--out", default=str(HERE / "results" / "throughput.json"))
    parser.add_argument("--chart", default=None, help="PNG path (default: next to --out)")
    # Reader-process mode (internal).
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    parser.add_argument("--workload", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--page-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reader:
        return reader_main(args)
    if args.pyignite_rows <= 0:
        args.pyignite_rows = 1 << 62

    from ignite_tf import Client
    from ignite_tf.testing import IgniteNode, external_endpoint, ignite_version

    workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    sizes = {
        w: (SMOKE_ROWS[w] if args.scale == "smoke" else WORKLOADS[w]["rows"]) for w in workloads
    }
    endpoint = external_endpoint(args.address) if args.address else external_endpoint()
    node = None
    node_pid = None
    with tempfile.TemporaryDirectory(prefix="ignite-tf-bench-") as tmp:
        if endpoint is None:
            gigs = 10 if args.scale == "full" else 1
            node = IgniteNode(
                config_template=_node_config(Path(tmp)),
                region_max_size=gigs << 30,
                heap_options=("-Xms4g", "-Xmx4g") if args.scale == "full" else ("-Xmx1g",),
                startup_timeout=120,
            ).start()
            endpoint = (node.host, node.port)
            node_pid = node.pid
            print(f"node: {node.address}, pid {node_pid}")
        host, port = endpoint
        report = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "ignite_version": ignite_version(),
            "scale": args.scale,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "node": "started by the benchmark" if node else f"external {host}:{port}",
            },
            "element_rows": args.element_rows,
            "workloads": {},
        }
        try:
            with Client(host, port, timeout=600) as client:
                for w in workloads:
                    load(client, w, sizes[w])
            for w in workloads:
                report["workloads"][w] = run_workload(w, sizes[w], host, port, node_pid, args)
        finally:
            if node is not None:
                node.stop()
    report["targets"] = _targets(report)
    flat = {}
    for w, data in report["workloads"].items():
        curve = data["results"]["ignite_tf_numpy"].get("rss_curve")
        if curve:
            flat[w] = _rss_flatness(curve)
    report["rss_flat"] = flat
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    chart_path = Path(args.chart) if args.chart else out.with_suffix(".png")
    try:
        chart(report, chart_path)
        print(f"wrote {out} and {chart_path}")
    except ImportError:
        print(f"wrote {out} (matplotlib is not installed: no chart)")
    for t in report["targets"]:
        limit = ""
        if "server_limit" in t:
            limit = f"; the server limit is {t['server_limit']}" + (
                "" if t["reachable_on_this_node"] else ": out of reach on this node"
            )
        print(
            f"  {'met ' if t['met'] else 'MISS'} {t['target']}: {t['value']}"
            f" (goal {t['goal']}{limit})"
        )
    for w, f in flat.items():
        if f:
            print(
                f"  RSS {w}: second quarter {f['early_peak_bytes'] / 2**20:.0f} MiB, second half"
                f" {f['late_peak_bytes'] / 2**20:.0f} MiB ({'flat' if f['flat'] else 'GROWS'})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
