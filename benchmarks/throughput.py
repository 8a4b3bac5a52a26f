"""Read throughput of ignite_tf against Ignite's Java thin client, pyignite and the loopback limit,
side by side in one run on one real node; writes a JSON result and a PNG chart.

    python benchmarks/throughput.py                      # full size
    python benchmarks/throughput.py --scale smoke        # tiny sizes: checks that it all runs
    python benchmarks/throughput.py --workloads W2 --rows W2=200000 --runs 3
    python benchmarks/throughput.py --address host:port  # a running node (loads what is missing)

Workloads, loaded by the benchmark into the node (a progress line shows the loading):
  W1  the article's: BENCH_W1, 2048 partitions, long -> byte[1 MiB], 2048 rows (2.15 GB)
  W2  MNIST-shaped: BENCH_W2, long -> MnistRow {label: int, pixels: byte[784]}, 1,000,000 rows
  W3  a SQL table: BENCH_W3 (ID BIGINT PRIMARY KEY, C0..C2 BIGINT, C3..C5 INT, C6..C8 DOUBLE,
      C9 REAL), 2,000,000 rows, read with SELECT C0, ..., C9

Readers, each run in its own process (its peak RSS is its own). The ignite_tf rows call the API
as a user who leaves its arguments at their defaults does (only what defines the workload is
given: the cache or the SQL query, batched=True, num_parallel_reads for the parallel row):
  ignite_tf NumPy           Client.scan(cache) / Client.sql_batches(query)
  ignite_tf NumPy parallel  Client.scan(cache, num_parallel_reads=--parallel-reads)
  tf.data batched           IgniteDataset(cache, batched=True) / SqlDataset(query, batched=True)
  tf.data elements          IgniteDataset(cache) / SqlDataset(query), every row (or the first
                            --element-rows, through take()), batched again by 32 rows by the
                            consumer, as a training pipeline over an element-wise dataset does
  TensorFlow in memory      from_tensor_slices over the same structure (as many rows, 256 on W1),
                            the same consumer and the same take() when there is one: the
                            ceiling of any element-wise dataset
  tuned rows (--tuned)      NumPy and tf.data batched with the old hand-picked page and batch
                            sizes, labelled "tuned"
Peers, each with a page size that is fair for it (in the JSON): the official Java thin client
(java/ThinClientReader.java), pyignite (the fastest page size of a short sweep), the server limit
(wire_reader.py: the same requests from a client that decodes nothing) and the loopback limit
(one process streaming the workload's bytes to another over 127.0.0.1).

Every reader is measured the same way: each run is a process of its own that sets the reader up
(imports, connection, dataset, TensorFlow function; for Java the JVM and its client), reads the
workload once untimed (the warm-up: JIT, graph tracing, caches) and then once more, timed. Every
reader runs --runs times (3) in rounds, one run of each reader per round, so that noise from the
rest of the machine spreads over all of them; reported are the median rows/s and MB/s and the
min and max of the runs. The tf.data readers are consumed inside TensorFlow (Dataset.reduce), as
training consumes them. MB/s counts user payload bytes (W1 1 MiB, W2 788, W3 64 a row); the
node's CPU use during each timed read is reported in cores, the evidence when a reader is
server-bound. Every reader's arguments, given and (for ignite_tf and pyignite) left at their
defaults, are in the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loopback import peak_rss_bytes  # noqa: E402

W3_COLUMNS = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
W3_QUERY = f"SELECT {', '.join(W3_COLUMNS)} FROM BENCH_W3"

W3_TYPE = "BenchW3Row"
W3_DTYPES = {
    "C0": "int64",
    "C1": "int64",
    "C2": "int64",
    "C3": "int32",
    "C4": "int32",
    "C5": "int32",
    "C6": "float64",
    "C7": "float64",
    "C8": "float64",
    "C9": "float32",
}
# No KEY_TYPE: with KEY_TYPE=java.lang.Long, Ignite 2.17 wraps the key (ID is no primary key
# column in SYS.TABLE_COLUMNS, so write_table refuses the table), reads ID as
# NULL for rows put with plain long keys and INSERT fails with "Failed to prepare update plan";
# without it, ID is the long key itself.
W3_TABLE_DDL = (
    "CREATE TABLE {name} (ID BIGINT PRIMARY KEY, C0 BIGINT, C1 BIGINT, C2 BIGINT, "
    "C3 INT, C4 INT, C5 INT, C6 DOUBLE, C7 DOUBLE, C8 DOUBLE, C9 REAL) WITH "
    '"CACHE_NAME={name},VALUE_TYPE=' + W3_TYPE + '"'
)

# page_size: the peers' rows per page (the Java thin client, the server limit; pyignite's sweep
# starts from pyignite_pages) and the tuned rows'; batch_size: the tuned rows' batch. W1's 16
# rows (16 MiB pages): the Java thin client runs out of heap on 1024-row pages of 1 MiB values.
# The ignite_tf headline rows use neither: they run with the API's defaults.
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
LABELS = {
    "ignite_tf_numpy": "ignite_tf NumPy",
    "ignite_tf_parallel": "ignite_tf NumPy parallel",
    "tf_batched": "ignite_tf tf.data batched",
    "tf_elements": "ignite_tf tf.data elements",
    "tf_memory_elements": "TensorFlow elements in memory",
    "ignite_tf_numpy_tuned": "ignite_tf NumPy, tuned",
    "tf_batched_tuned": "ignite_tf tf.data batched, tuned",
    "pyignite": "pyignite",
    "java_thin_client": "Java thin client",
    "wire_limit": "server limit (no decoding)",
    "wire_limit_parallel": "server limit, parallel",
    "loopback": "loopback limit",
}
# Every reader, in the order of a round (--readers picks a subset; wire_limit_parallel comes
# with ignite_tf_parallel).
READERS = [n for n in LABELS if n != "wire_limit_parallel"]
TUNED = ["ignite_tf_numpy_tuned", "tf_batched_tuned"]
DEFAULT_READERS = [n for n in READERS if n not in TUNED]
IGNITE_TF_READERS = ["ignite_tf_numpy", "ignite_tf_parallel", "tf_batched", "tf_elements", *TUNED]
ELEMENTS_REBATCH = 32
JAVA_MAX_HEAP = "3g"  # a W1 page of 16 rows needs about 32 MiB; 1024 rows would need 2 GiB
PYIGNITE_CLIENT = {"timeout": 600}


# ------------------------------------------------------------------------------------------------
# Reader processes: `throughput.py --reader NAME --params JSON ...` prints one JSON line.


def _open_reader(
    reader: str, workload: str, host: str, port: int, params: dict, limit: int
) -> tuple[Callable[[], dict], Callable[[], None], dict]:
    """Sets a reader up and returns `(read_pass, close, info)`: `read_pass()` reads the workload
    once (at most `limit` rows when > 0) and returns `{"rows": n, ...}`; `params` are the
    keyword arguments of the reader's API call; `info` names the API and the defaults of the
    arguments it was not given."""
    w = WORKLOADS[workload]
    if reader in ("ignite_tf_numpy", "ignite_tf_parallel", "ignite_tf_numpy_tuned"):
        from ignite_tf import Client

        client = Client(host, port)
        if workload == "W3":
            api, name, target = client.sql_batches, "Client.sql_batches", W3_QUERY
        else:
            api, name, target = client.scan, "Client.scan", w["cache"]

        def read_pass() -> dict:
            rows = batches = 0
            with api(target, **params) as scan:
                for columns in scan:
                    rows += len(next(iter(columns.values())))
                    batches += 1
            return {"rows": rows, "batches": batches}

        return read_pass, client.close, {"api": name, "api_defaults": api_defaults(api, params)}
    if reader in ("tf_batched", "tf_elements", "tf_batched_tuned"):
        # Consumed inside TensorFlow (Dataset.reduce), as a training loop consumes a dataset; a
        # Python for-loop would add TensorFlow's eager overhead per element (~50-100 us).
        from ignite_tf import IgniteDataset, SqlDataset

        if workload == "W3":
            api, name, first = SqlDataset, "SqlDataset", "C0"
            ds = SqlDataset(W3_QUERY, host=host, port=port, **params)
        else:
            api, name, first = IgniteDataset, "IgniteDataset", "key"
            ds = IgniteDataset(w["cache"], host=host, port=port, **params)
        batched = params.get("batched", False)
        if not batched and limit > 0:
            ds = ds.take(limit)
        info = {"api": name, "api_defaults": api_defaults(api, {"host", "port", *params})}
        if not batched:
            info["take"] = limit or None
        return _tf_pass(ds, batched, first), lambda: None, info
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
        if params.get("take"):
            # The same pipeline as the element-wise reader it is compared with when that one
            # stops its scan with take(limit): a take costs TensorFlow time per element too.
            ds = ds.take(n)
        read_pass = _tf_pass(ds, False, "C0" if workload == "W3" else "key")
        info = {
            "api": "tf.data.Dataset.from_tensor_slices",
            "take": n if params.get("take") else None,
        }
        return read_pass, lambda: None, info
    if reader in ("wire_limit", "wire_limit_parallel"):
        from wire_reader import read_limit

        target = {"sql": W3_QUERY} if workload == "W3" else {"cache": w["cache"]}

        def read_pass() -> dict:
            return {"rows": read_limit(host, port, **target, **params)["rows"]}

        return read_pass, lambda: None, {"api": "wire_reader.read_limit"}
    if reader == "pyignite":
        from pyignite import Client as PyIgniteClient

        client = PyIgniteClient(**PYIGNITE_CLIENT)
        client.connect(host, port)
        if workload == "W3":
            api, name = client.sql, "pyignite Client.sql"

            def cursor():
                return client.sql(W3_QUERY, **params)
        else:
            cache = client.get_cache(w["cache"])
            api, name = cache.scan, "pyignite Cache.scan"

            def cursor():
                return cache.scan(**params)

        def read_pass() -> dict:
            rows = 0
            with cursor() as rows_of:
                for _ in rows_of:
                    rows += 1
                    if rows == limit:
                        break
            return {"rows": rows}

        return read_pass, client.close, {"api": name, "api_defaults": api_defaults(api, params)}
    if reader == "loopback":  # `limit` rows' worth of the workload's bytes, timed by itself
        from loopback import measure_loopback

        def read_pass() -> dict:
            return {"rows": limit, "seconds": measure_loopback(limit * w["row_bytes"])["seconds"]}

        return read_pass, lambda: None, {"api": "loopback.measure_loopback"}
    raise ValueError(f"unknown reader {reader}")


def _tf_pass(ds, batched: bool, first: str) -> Callable[[], dict]:
    """A pass over a dataset counted inside TensorFlow (the first pass also traces the function,
    once per program). An element-wise dataset is batched again by 32 rows first, as a training
    pipeline over it does: reducing element by element would time TensorFlow's function call
    per element (~30 us here), not the dataset.

    Timed, like every reader, to the last row: the reduction notes the time of each step
    (tf.timestamp, the wall clock). What follows the last row until the reduction returns is
    reported apart ("after_last_row_seconds"): TensorFlow 2.21 sometimes waits there, at the
    iterator's teardown, for its autotuning thread's next optimization tick (0.1-1 s here, in
    any tf.data pipeline, the in-memory one too), a wait that would otherwise swing a run's
    rows/s by a third."""
    import numpy as np
    import tensorflow as tf

    if not batched:
        ds = ds.batch(ELEMENTS_REBATCH)

    @tf.function
    def count(ds):
        return ds.reduce(
            (np.int64(0), np.int64(0), tf.constant(0.0, tf.float64)),
            lambda n, b: (n[0] + tf.shape(b[first], tf.int64)[0], n[1] + 1, tf.timestamp()),
        )

    def read_pass() -> dict:
        started = time.time()
        rows, batches, last_row = count(ds)
        returned = time.time()
        last_row = float(last_row.numpy()) if int(batches.numpy()) else returned
        return {
            "rows": int(rows.numpy()),
            "batches": int(batches.numpy()),
            "seconds": last_row - started,
            "after_last_row_seconds": returned - last_row,
        }

    return read_pass


def reader_main(args: argparse.Namespace) -> int:
    """One run of a reader: set up, one untimed warm-up pass, one timed pass; prints its JSON."""
    import resource

    params = json.loads(args.params)
    read_pass, close, info = _open_reader(
        args.reader, args.workload, args.host, args.port, params, args.limit
    )
    try:
        started = time.perf_counter()
        warmup = read_pass()
        warmup_seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_started = usage.ru_utime + usage.ru_stime
        wall_started = time.time()
        started = time.perf_counter()
        timed = read_pass()
        seconds = time.perf_counter() - started
        window = [wall_started, time.time()]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu_started
    finally:
        close()
    result = {
        **timed,
        "seconds": timed.get("seconds", seconds),
        "warmup_rows": warmup["rows"],
        "warmup_seconds": warmup.get("seconds", warmup_seconds),
        "peak_rss_bytes": peak_rss_bytes(),
        "cpu_seconds": cpu,
        "window": window,
        **info,
    }
    print(json.dumps(result))
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


# ------------------------------------------------------------------------------------------------
# The data: row i of every column is a function of i, the same in every writer (and in
# java/ThinClientWriter.java), so that any row can be checked after the write; the read
# benchmark loads the same rows.


def workload_data(workload: str, stop: int, start: int = 0) -> dict[str, Any]:
    """Rows start..stop-1 of a workload as columns: "key" (int64, the row index) and W1
    "value" (n x 1 MiB uint8), W2 "label" (int32) and "pixels" (n x 784 uint8), W3 C0..C9.
    Byte j of row i of W1's values and W2's pixels is (7 i + 13 j) mod 256."""
    import numpy as np

    keys = np.arange(start, stop, dtype=np.int64)
    if workload in ("W1", "W2"):
        width = 1 << 20 if workload == "W1" else 784
        column = (np.arange(width, dtype=np.int64) * 13 % 256).astype(np.uint8)
        rows = np.empty((len(keys), width), np.uint8)
        row_base = (keys * 7 % 256).astype(np.uint8)
        step = 1 if workload == "W1" else 65536
        for s in range(0, len(keys), step):
            np.add(column[None, :], row_base[s : s + step, None], out=rows[s : s + step])
        if workload == "W1":
            return {"key": keys, "value": rows}
        return {"key": keys, "label": (keys % 10).astype(np.int32), "pixels": rows}
    i = keys
    f = keys.astype(np.float64)
    columns = {
        "C0": i * 3,
        "C1": i << 20,
        "C2": -i,
        "C3": i * 7,
        "C4": i % 1000,
        "C5": -(i % 977),
        "C6": f * 0.5,
        "C7": f / 3.0,
        "C8": f * 1e-3,
        "C9": f * 0.25,
    }
    out = {"key": keys}
    for name in W3_COLUMNS:
        out[name] = columns[name].astype(W3_DTYPES[name])
    return out


def load(client, workload: str, rows: int) -> None:
    """Loads a workload's rows (workload_data's, as the write benchmark writes them) with
    Client.write / write_table (columns encoded in the compiled core), in chunks of about 256 MB
    so that the generated columns stay small."""
    w = WORKLOADS[workload]
    cache = w["cache"]
    if workload == "W3":
        if cache not in client.cache_names():
            client.sql(W3_TABLE_DDL.format(name=cache))
    else:
        client.get_or_create_cache(cache)  # W1's 2048 partitions come from the node config
    if client.size(cache) == rows:
        print(f"  {workload}: {rows:,} rows already loaded")
        return
    client.clear(cache)
    started = time.monotonic()
    chunk = {"W1": 256, "W2": 250_000, "W3": 500_000}[workload]
    for start in range(0, rows, chunk):
        end = min(rows, start + chunk)
        data = workload_data(workload, end, start)
        keys = data.pop("key")
        if workload == "W1":
            client.write(cache, data["value"], key=keys, progress=False)
        elif workload == "W2":
            client.write(cache, data, key=keys, type_name="MnistRow", progress=False)
        else:
            client.write_table(cache, {"ID": keys, **data}, primary_key="ID", progress=False)
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
# Shared with write_throughput.py: runs in rounds, their summary, arguments, output.

# Connection options, not read arguments: left out of the recorded defaults.
_CONNECTION_OPTIONS = {
    "username",
    "password",
    "certfile",
    "keyfile",
    "cert_password",
    "tls",
    "ca_file",
    "ca_dir",
    "tls_server_name",
    "tls_insecure_skip_verify",
    "schema_host",
    "schema_port",
}


def api_defaults(api: Callable, given) -> dict:
    """The defaults of the arguments of `api` that a call leaves alone (`given`: the names it
    passes), simple values only (numbers, strings, booleans, None), credentials and TLS options
    left out: for the JSON, so that a figure says what it was measured with."""
    import inspect

    given = set(given)
    return {
        name: p.default
        for name, p in inspect.signature(api).parameters.items()
        if name not in given
        and name not in _CONNECTION_OPTIONS
        and p.default is not p.empty
        and isinstance(p.default, (type(None), bool, int, float, str))
    }


def parse_rows(text: str | None) -> dict[str, int]:
    """`--rows W2=200000,W3=5e5` as {"W2": 200000, "W3": 500000}."""
    out = {}
    for part in (text or "").split(","):
        if part.strip():
            name, _, value = part.partition("=")
            out[name.strip().upper()] = int(float(value))
    return out


def workload_sizes(args: argparse.Namespace, table: dict) -> tuple[list[str], dict[str, int]]:
    """The workloads asked for (`--workloads`) and their rows: smoke or full size from `table`,
    then `--rows`."""
    workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    sizes = {w: (SMOKE_ROWS[w] if args.scale == "smoke" else table[w]["rows"]) for w in workloads}
    sizes.update({w: n for w, n in parse_rows(args.rows).items() if w in sizes})
    return workloads, sizes


@contextlib.contextmanager
def bench_node(args: argparse.Namespace) -> Iterator[tuple[str, int, int | None]]:
    """(host, port, node pid) of `--address` (or IGNITE_TF_TEST_ADDRESS), else of a node
    started here (4 GiB heap and a 10 GiB region at full size) and stopped afterwards; the pid
    is None for an external node."""
    from ignite_tf.testing import IgniteNode, external_endpoint

    endpoint = external_endpoint(args.address) if args.address else external_endpoint()
    if endpoint is not None:
        yield endpoint[0], endpoint[1], None
        return
    with tempfile.TemporaryDirectory(prefix="ignite-tf-bench-") as tmp:
        gigs = 10 if args.scale == "full" else 1
        node = IgniteNode(
            config_template=_node_config(Path(tmp)),
            region_max_size=gigs << 30,
            heap_options=("-Xms4g", "-Xmx4g") if args.scale == "full" else ("-Xmx1g",),
            startup_timeout=120,
        ).start()
        print(f"node: {node.address}, pid {node.pid}")
        try:
            yield node.host, node.port, node.pid
        finally:
            node.stop()


def report_header(args: argparse.Namespace, host: str, port: int, node_pid: int | None) -> dict:
    """The fields every benchmark report starts with: date, Ignite version, scale, machine,
    runs."""
    from ignite_tf.testing import ignite_version

    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "ignite_version": ignite_version(),
        "scale": args.scale,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "node": "started by the benchmark" if node_pid else f"external {host}:{port}",
        },
        "runs": args.runs,
    }


def save_report(
    report: dict,
    args: argparse.Namespace,
    print_summary: Callable[[str, dict], None],
    draw: Callable[[dict, Path], None],
) -> None:
    """Writes the JSON to `--out`, prints each workload's summary, draws the chart next to it
    (or at `--chart`)."""
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    for w, data in report["workloads"].items():
        print_summary(w, data)
    chart_path = Path(args.chart) if args.chart else out.with_suffix(".png")
    try:
        draw(report, chart_path)
        print(f"wrote {out} and {chart_path}")
    except ImportError:
        print(f"wrote {out} (matplotlib is not installed: no chart)")


def summarize_runs(runs: list[dict], row_bytes: int) -> dict:
    """A client's runs (each with rows, seconds, peak_rss_bytes, cpu_seconds and maybe
    node_cpu_cores): the median rows/s and MB/s of payload with their min, max and spread
    ((max - min) / median), the largest peak RSS, and the medians of the CPU figures."""
    rates = [r["rows"] / r["seconds"] for r in runs]
    median = statistics.median(rates)
    out = {
        "rows": runs[0]["rows"],
        "median_rows_per_s": median,
        "min_rows_per_s": min(rates),
        "max_rows_per_s": max(rates),
        "spread": (max(rates) - min(rates)) / median,
        "median_mb_per_s": median * row_bytes / 1e6,
        "min_mb_per_s": min(rates) * row_bytes / 1e6,
        "max_mb_per_s": max(rates) * row_bytes / 1e6,
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
        "client_cpu_us_per_row": statistics.median(
            r["cpu_seconds"] / r["rows"] * 1e6 for r in runs
        ),
        "client_cpu_cores": statistics.median(r["cpu_seconds"] / r["seconds"] for r in runs),
    }
    node = [r["node_cpu_cores"] for r in runs if r.get("node_cpu_cores") is not None]
    out["node_cpu_cores"] = statistics.median(node) if node else None
    if all("after_last_row_seconds" in r for r in runs):
        # tf.data passes: what the reduction took after the last row (TensorFlow's teardown),
        # and the rows/s had the pass been timed to its return instead.
        out["after_last_row_seconds"] = [r["after_last_row_seconds"] for r in runs]
        out["median_rows_per_s_to_return"] = statistics.median(
            r["rows"] / (r["seconds"] + r["after_last_row_seconds"]) for r in runs
        )
    return out


def run_line(label: str, result: dict, row_bytes: int, width: int = 30) -> str:
    """One run as a line of output: rows/s, MB/s, peak RSS, the node's CPU (and its busiest
    thread pool) and the client's CPU per row."""
    rate = result["rows"] / result["seconds"]
    text = (
        f"  {label:<{width}} {rate:>12,.0f} rows/s {rate * row_bytes / 1e6:>9.1f} MB/s"
        f"  peak RSS {result['peak_rss_bytes'] / 2**20:6.0f} MiB"
    )
    if result.get("node_cpu_cores") is not None:
        text += f"  node {result['node_cpu_cores']:4.2f} cores"
    if result.get("node_threads_cores"):
        busiest, cores = next(iter(result["node_threads_cores"].items()))
        text += f" (busiest pool {busiest} {cores:4.2f})"
    if result.get("cpu_seconds") is not None:
        text += f"  client {result['cpu_seconds'] / max(result['rows'], 1) * 1e6:7.2f} us CPU/row"
    return text


class Rounds:
    """The timed runs of the clients of one workload, which the caller takes in rounds (one run
    of each client per round, so that noise from the rest of the machine spreads over all of
    them). A client whose run fails (raises, or returns {"error": ...}) runs no more: its error
    is kept in `errors` ("failed: ..." for a failure, which sets `failed`)."""

    def __init__(self, row_bytes: int, width: int = 30) -> None:
        self.row_bytes = row_bytes
        self.width = width
        self.runs: dict[str, list[dict]] = {}
        self.errors: dict[str, dict] = {}
        self.failed = False

    def run(
        self,
        name: str,
        label: str,
        one_run: Callable[..., dict],
        *args: Any,
        note: Callable[[dict], str] = lambda result: "",
    ) -> None:
        """`one_run(name, *args)` once, recorded and printed (`note(result)` ends its line)."""
        if name in self.errors:
            return
        try:
            result = one_run(name, *args)
        except Exception as error:  # a failed process or check, an IgniteError
            self.failed = True
            self.errors[name] = {"error": f"failed: {error}"}
            print(f"  {label:<{self.width}} FAILED: {error}", flush=True)
            return
        if "error" in result:
            self.errors[name] = {"error": result["error"]}
            print(f"  {label:<{self.width}} {result['error']}", flush=True)
            return
        self.runs.setdefault(name, []).append(result)
        print(run_line(label, result, self.row_bytes, self.width) + note(result), flush=True)

    def warm_node(self, label: str, what: str, warm: Callable[[], Any]) -> float:
        """The node's warm-up before the first round: `warm()` once, untimed and not recorded
        (its JIT, caches and pages, which the first client of the first round would otherwise
        pay for alone); a failure sets `failed`. Returns its seconds."""
        started = time.perf_counter()
        try:
            warm()
        except Exception as error:
            print(f"  node warm-up by {label} FAILED: {error}", flush=True)
            self.failed = True
        seconds = time.perf_counter() - started
        print(
            f" node warm-up: one untimed {what} of all rows by {label}"
            f" ({seconds:.1f} s, not counted)",
            flush=True,
        )
        return seconds

    def results(self, summarize: Callable[[str, list[dict]], dict]) -> dict[str, dict]:
        """Every client's summary (`summarize(name, runs)`), or its error with the runs it had
        completed before it failed (`failed_after_runs`)."""
        out = {}
        for name, runs in self.runs.items():
            if name not in self.errors:
                out[name] = summarize(name, runs)
        for name, error in self.errors.items():
            out[name] = dict(error)
            if name in self.runs:
                out[name]["failed_after_runs"] = self.runs[name]
        return out


def draw_runs(ax, results: dict, labels: dict, ratio: tuple[str, str] | None = None) -> None:
    """One workload's panel of a chart: a bar per client (in the order of `labels`), its median
    MB/s with the min and max of its runs as error bars, on a log scale, labelled with the median
    MB/s, rows/s and `ratio` (a key of the results and the text after it); a client that failed
    shows its error in red."""
    import numpy as np

    names = [n for n in labels if n in results]
    y = np.arange(len(names))
    medians, low, high = [], [], []
    for n in names:
        r = results[n]
        m = r.get("median_mb_per_s", 0.0)
        medians.append(m)
        low.append(m - r.get("min_mb_per_s", m))
        high.append(r.get("max_mb_per_s", m) - m)
    ax.barh(y, medians, xerr=[low, high], color="tab:blue", capsize=3)
    top = max([m for m in medians if m > 0], default=1.0)
    left = min([m - d for m, d in zip(medians, low) if m > 0], default=top) / 3
    for i, n in enumerate(names):
        r = results[n]
        if "median_rows_per_s" in r:
            text = f" {r['median_mb_per_s']:,.1f} MB/s, {r['median_rows_per_s']:,.0f} rows/s"
            if ratio and r.get(ratio[0]):
                text += f", x{r[ratio[0]]:.2f}{ratio[1]}"
            ax.text(max(r["max_mb_per_s"], 1e-9), i, text, va="center", fontsize=7)
        else:
            error = r["error"].split(" (")[0].split("\n")[0][:80]
            ax.text(left, i, f" {error}", va="center", fontsize=7, color="red")
    ax.set_yticks(y, [labels[n] for n in names], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(left=left, right=top * 60)
    ax.invert_yaxis()


def save_figure(fig, path: Path, title: str) -> None:
    """Titles a benchmark's matplotlib figure, writes it as a PNG and closes it."""
    import matplotlib.pyplot as plt

    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# ------------------------------------------------------------------------------------------------
# The run.


def _reader_command(reader, workload, host, port, params: dict, limit: int = 0) -> list[str]:
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
        "--params",
        json.dumps(params),
        "--limit",
        str(limit),
    ]


def _reader_params(name: str, workload: str, parallel_reads: int) -> dict:
    """The keyword arguments of a reader's API call. The ignite_tf headline readers get only
    what defines them; the tuned ones the hand-picked page and batch sizes; the peers a page
    size that is fair for them (pyignite's comes from its sweep)."""
    w = WORKLOADS[workload]
    page = {"page_size": w["page_size"]}
    if workload == "W3":
        # The SQL query in Ignite's lazy mode, as ignite_tf's SQL readers ask by default: the
        # node produces rows page by page (without it, the whole result before the first page).
        page["lazy"] = True
    tuned = {"page_size": w["page_size"], "batch_size": w["batch_size"]}
    return {
        "ignite_tf_numpy": {},
        "ignite_tf_parallel": {"num_parallel_reads": parallel_reads},
        "tf_batched": {"batched": True},
        "tf_elements": {},
        "tf_memory_elements": {},
        "ignite_tf_numpy_tuned": tuned,
        "tf_batched_tuned": {"batched": True, **tuned},
        "pyignite": page,
        "java_thin_client": page,
        "wire_limit": page,
        "wire_limit_parallel": {
            **page,
            "connections": parallel_reads,
            "partitions": w.get("partitions", 0),
        },
        "loopback": {},
    }[name]


def _reader_note(name: str) -> str:
    if name in TUNED:
        return "tuned: page and batch sizes picked by hand (the headline row uses the defaults)"
    if name in IGNITE_TF_READERS:
        return "the API's defaults: only what defines the reader is given"
    if name in ("pyignite", "java_thin_client", "wire_limit", "wire_limit_parallel"):
        return "a page size that is fair for this client"
    return ""


def _readers_for(workload: str, args) -> list[str]:
    readers = [n for n in args.readers if n in READERS]
    if workload == "W3" or args.parallel_reads <= 1:  # SQL reads one cursor
        readers = [n for n in readers if n != "ignite_tf_parallel"]
    if "ignite_tf_parallel" in readers and "wire_limit" in readers:
        readers.append("wire_limit_parallel")
    if not _have("tensorflow"):
        print("  (TensorFlow is not installed: tf.data readers left out)")
        readers = [n for n in readers if not n.startswith("tf_")]
    if not _have("pyignite") and "pyignite" in readers:
        print("  (pyignite is not installed: left out)")
        readers.remove("pyignite")
    return [n for n in LABELS if n in readers]  # in the order of a round


def _median_run(runs: list[dict]) -> dict:
    """The run whose rate is the median's (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda r: r["rows"] / r["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def run_workload(
    workload: str, rows: int, host: str, port: int, node_pid: int | None, args
) -> tuple[dict, bool]:
    """Every reader's runs on one workload; returns its JSON part and whether all went well."""
    from java_reader import java_reader_command

    w = WORKLOADS[workload]
    page, row_bytes = w["page_size"], w["row_bytes"]
    readers = _readers_for(workload, args)
    print(
        f"{workload}: {rows:,} rows ({rows * row_bytes / 1e9:.2f} GB); {args.runs} run"
        f"{'s' if args.runs > 1 else ''} of each reader, each an untimed warm-up pass and a"
        f" timed pass in its own process; peers' page size {page}",
        flush=True,
    )
    params = {n: _reader_params(n, workload, args.parallel_reads) for n in readers}
    # Rows each reader reads (0: all).
    limits = {
        "tf_elements": args.element_rows if 0 < args.element_rows < rows else 0,
        "tf_memory_elements": min(
            rows, args.element_rows or rows, 256 if workload == "W1" else rows
        ),
        "pyignite": args.pyignite_rows if rows > args.pyignite_rows else 0,
        "loopback": rows,
    }
    if "tf_memory_elements" in params:
        # In-memory elements go through take() when the element-wise reader does (see there).
        params["tf_memory_elements"] = {"take": limits["tf_elements"] > 0}

    def one_run(name: str, sample_rss: bool = False, given: dict | None = None, limit=None):
        given = params[name] if given is None else given
        limit = limits.get(name, 0) if limit is None else limit
        expected = limit or rows
        if name == "java_thin_client":
            # One JVM per run; its --passes 2: one untimed warm-up pass, then the timed one.
            command = java_reader_command(
                workload,
                host,
                port,
                given["page_size"],
                max_heap=JAVA_MAX_HEAP,
                passes=2,
                lazy=given.get("lazy", False),
            )
        else:
            command = _reader_command(name, workload, host, port, given, limit)
        result = _run_measured(command, node_pid, sample_rss)
        if result["rows"] != expected or result.get("warmup_rows", expected) != expected:
            raise RuntimeError(
                f"read {result['rows']:,} rows (warm-up {result.get('warmup_rows')}),"
                f" expected {expected:,}"
            )
        if "bytes" in result and result["bytes"] != expected * row_bytes:
            raise RuntimeError(f"read {result['bytes']:,} bytes, expected {expected * row_bytes:,}")
        return result

    rounds = Rounds(row_bytes, width=max(len(LABELS[n]) for n in LABELS))
    # The node warms up once, before anything is measured, with one untimed read by the server
    # limit's client; every reader then warms up in its own process too.
    node_warmup = None
    if readers and not args.no_node_warmup:
        given = _reader_params("wire_limit", workload, 1)
        seconds = rounds.warm_node(
            LABELS["wire_limit"], "read", lambda: one_run("wire_limit", given=given, limit=0)
        )
        node_warmup = {"reader": "wire_limit", "seconds": seconds}
    # pyignite's page size: the fastest of a short sweep (one run each, on a sample of rows).
    sweep = {}
    if "pyignite" in readers:
        sample = max(1, min(rows, {"W1": 256, "W2": 30_000, "W3": 60_000}[workload]))
        for candidate in w["pyignite_pages"]:
            try:
                given = {**params["pyignite"], "page_size": candidate}
                r = one_run("pyignite", given=given, limit=sample)
            except Exception as error:
                print(f"  pyignite page size {candidate} FAILED: {error}", flush=True)
                continue
            sweep[candidate] = r["rows"] / r["seconds"]
        if sweep:
            params["pyignite"] = {**params["pyignite"], "page_size": max(sweep, key=sweep.get)}
        print(
            "  pyignite page size sweep ("
            + ", ".join(f"{p}: {rate:,.0f} rows/s" for p, rate in sweep.items())
            + f"): page size {params['pyignite']['page_size']}",
            flush=True,
        )
    for run in range(args.runs):
        print(f" run {run + 1} of {args.runs}", flush=True)
        for name in readers:
            sample_rss = run == 0 and name in ("ignite_tf_numpy", "tf_batched")
            rounds.run(name, LABELS[name], one_run, sample_rss)

    def summarize(name: str, runs: list[dict]) -> dict:
        summary = summarize_runs(runs, row_bytes)
        summary["node_threads_cores"] = _median_run(runs).get("node_threads_cores")
        given = params[name]
        api = runs[0].get("api")
        if name == "java_thin_client":
            api = "IgniteClient.query(SqlFieldsQuery)" if workload == "W3" else "ClientCache.query"
            given = {**given, "max_heap": JAVA_MAX_HEAP}
        summary["args"] = {
            "api": api,
            "given": given,
            "api_defaults": runs[0].get("api_defaults"),
            "rows": limits.get(name, 0) or rows,
            "warmup": "one untimed pass over the same rows in the same process",
            "note": _reader_note(name),
        }
        if name in ("tf_elements", "tf_memory_elements"):
            summary["args"]["consumer_rebatch"] = ELEMENTS_REBATCH
        if name == "pyignite":
            summary["args"]["client"] = PYIGNITE_CLIENT
            summary["args"]["page_size_sweep_rows_per_s"] = sweep
        if runs[0].get("rss_curve"):
            summary["rss_curve"] = runs[0]["rss_curve"]
        per_run = ("rss_curve", "api", "api_defaults")  # the curve and the API: once, above
        summary["runs"] = [{k: v for k, v in r.items() if k not in per_run} for r in runs]
        for r in summary["runs"]:
            r["rows_per_s"] = r["rows"] / r["seconds"]
        return summary

    results = rounds.results(summarize)
    results = {n: results[n] for n in LABELS if n in results}  # in the order of LABELS
    base = results.get("ignite_tf_numpy", {}).get("median_rows_per_s")
    for r in results.values():
        if "median_rows_per_s" in r:
            r["ratio_to_ignite_tf_numpy"] = r["median_rows_per_s"] / base if base else None
    return (
        {
            "describe": w["describe"],
            "rows": rows,
            "bytes": rows * row_bytes,
            "row_bytes": row_bytes,
            "peer_page_size": page,
            "tuned": {"page_size": page, "batch_size": w["batch_size"]},
            "node_warmup": node_warmup,
            "results": results,
        },
        not rounds.failed,
    )


def _print_summary(workload: str, data: dict) -> None:
    print(f"{workload} summary (median of the runs [min - max]):")
    width = max(len(LABELS[n]) for n in LABELS)
    for name, r in data["results"].items():
        label = LABELS[name]
        if "median_rows_per_s" not in r:
            print(f"  {label:<{width}} {r['error'][:200]}")
            continue
        ratio = r.get("ratio_to_ignite_tf_numpy")
        print(
            f"  {label:<{width}} {r['median_rows_per_s']:>12,.0f} rows/s"
            f" [{r['min_rows_per_s']:,.0f} - {r['max_rows_per_s']:,.0f}]"
            f" {r['median_mb_per_s']:>9.1f} MB/s  spread {r['spread']:5.1%}"
            + (f"  x{ratio:.2f} of NumPy" if ratio else "")
        )
        if "after_last_row_seconds" in r:
            waits = ", ".join(f"{t:.2f}" for t in r["after_last_row_seconds"])
            print(
                f"  {'':<{width}} to the return: {r['median_rows_per_s_to_return']:>12,.0f} rows/s"
                f" (after the last row: {waits} s)"
            )


def _targets(report: dict) -> list[dict]:
    """The goals of the issues (9: against Java and pyignite; 13: against the server limit and
    TensorFlow's own pipeline), from the medians; `range` is the ratio's extent over the runs
    (the lowest over the highest and the other way round), and `within_noise` says the goal lies
    inside it: the runs do not decide that goal."""
    out = []

    def target(name: str, a: dict, b: dict, goal: float, ceiling: float | None = None) -> None:
        """a / b; `ceiling`: the same ratio for the server limit (a client that decodes
        nothing), the most any client could reach against this node."""
        if "median_rows_per_s" not in a or "median_rows_per_s" not in b:
            return
        value = a["median_rows_per_s"] / b["median_rows_per_s"]
        low = a["min_rows_per_s"] / b["max_rows_per_s"]
        high = a["max_rows_per_s"] / b["min_rows_per_s"]
        entry = {
            "target": name,
            "value": round(value, 3),
            "range": [round(low, 3), round(high, 3)],
            "goal": goal,
            "met": value >= goal,
            "within_noise": low < goal < high,
        }
        if ceiling is not None:
            entry["server_limit"] = round(ceiling, 3)
            entry["reachable_on_this_node"] = ceiling >= goal
        out.append(entry)

    def rate(r: dict, name: str) -> float | None:
        return r.get(name, {}).get("median_rows_per_s")

    for workload, data in report["workloads"].items():
        r = data["results"]
        numpy = r.get("ignite_tf_numpy", {})
        java, pyignite = r.get("java_thin_client", {}), r.get("pyignite", {})
        ceiling = None
        if rate(r, "wire_limit") and rate(r, "java_thin_client"):
            ceiling = rate(r, "wire_limit") / rate(r, "java_thin_client")
        target(f"{workload} ignite_tf NumPy / Java thin client", numpy, java, 1.0, ceiling)
        goal = 5.0 if workload == "W1" else 20.0
        ceiling = None
        if rate(r, "wire_limit") and rate(r, "pyignite"):
            ceiling = rate(r, "wire_limit") / rate(r, "pyignite")
        target(f"{workload} ignite_tf NumPy / pyignite", numpy, pyignite, goal, ceiling)
        if rate(r, "ignite_tf_parallel"):
            ceiling = None
            if rate(r, "wire_limit_parallel") and rate(r, "pyignite"):
                ceiling = rate(r, "wire_limit_parallel") / rate(r, "pyignite")
            target(
                f"{workload} ignite_tf NumPy with parallel reads / pyignite",
                r["ignite_tf_parallel"],
                pyignite,
                goal,
                ceiling,
            )
        # Issue 13's goals: reads at the server's limit with default arguments, tf.data batched
        # at 0.9 of NumPy, element by element at 0.8 of TensorFlow's own in-memory pipeline.
        target(f"{workload} ignite_tf NumPy / server limit", numpy, r.get("wire_limit", {}), 0.95)
        target(f"{workload} tf.data batched / ignite_tf NumPy", r.get("tf_batched", {}), numpy, 0.9)
        if workload == "W2":
            target(
                "W2 tf.data elements / TensorFlow elements in memory",
                r.get("tf_elements", {}),
                r.get("tf_memory_elements", {}),
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
    fig, axes = plt.subplots(1, len(workloads) + 1, figsize=(7 * (len(workloads) + 1), 5))
    for ax, workload in zip(axes, workloads):
        data = report["workloads"][workload]
        draw_runs(ax, data["results"], LABELS, ("ratio_to_ignite_tf_numpy", ""))
        ax.set_xlabel(
            f"MB/s of payload (log; median of {report['runs']} runs, bars: min-max;"
            " x: ratio to ignite_tf NumPy)",
            fontsize=8,
        )
        ax.set_title(f"{workload}: {data['rows']:,} rows, {data['bytes'] / 1e9:.2f} GB", fontsize=9)
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
    ax.set_xlabel("seconds since the reader process started (its first run)")
    ax.set_ylabel("client RSS (MiB)")
    ax.set_title("client RSS: import and set-up, the warm-up pass, the timed pass", fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    save_figure(
        fig,
        path,
        f"ignite_tf read throughput, Ignite {report['ignite_version']}, "
        f"{report['machine']['cpus']} CPUs ({report['date']})",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["full", "smoke"], default="full")
    parser.add_argument("--workloads", default="W1,W2,W3")
    parser.add_argument("--rows", help="rows by workload, e.g. W2=200000,W3=500000")
    parser.add_argument(
        "--readers",
        default=",".join(DEFAULT_READERS),
        help="a subset of " + ", ".join(READERS) + " (the server limit's parallel run comes"
        " with ignite_tf_parallel and wire_limit)",
    )
    parser.add_argument(
        "--tuned",
        action="store_true",
        help="add the tuned rows: " + ", ".join(TUNED) + " (hand-picked page and batch sizes)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each reader")
    parser.add_argument(
        "--no-node-warmup",
        action="store_true",
        help="leave out the node's untimed warm-up read before the first round",
    )
    parser.add_argument("--address", help="host:port of a running node (default: start one)")
    parser.add_argument(
        "--element-rows",
        type=int,
        default=0,
        help="rows the element-wise readers read (0: all, so that no take() is timed)",
    )
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
    parser.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reader:
        return reader_main(args)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.pyignite_rows <= 0:
        args.pyignite_rows = 1 << 62
    args.readers = [n.strip() for n in args.readers.split(",") if n.strip()]
    unknown = set(args.readers) - set(READERS)
    if unknown:
        parser.error(f"unknown readers {sorted(unknown)}; choose from {READERS}")
    if args.tuned:
        args.readers += [n for n in TUNED if n not in args.readers]

    from ignite_tf import Client

    workloads, sizes = workload_sizes(args, WORKLOADS)
    all_ok = True
    with bench_node(args) as (host, port, node_pid):
        report = {
            **report_header(args, host, port, node_pid),
            "scheme": (
                "one process per run, in rounds: one run of every reader per round; each "
                "process sets its reader up, reads once untimed (the warm-up) and once timed"
            ),
            "timed": (
                "the second pass over the rows, from opening its cursor (for the tf.data "
                "datasets and the server limit, also their connections) to the last row (the "
                "tf.data readers: the time the reduction took its last step, by tf.timestamp; "
                "what followed until it returned is each run's after_last_row_seconds); the "
                "loopback limit from the first byte to the last"
            ),
            "node_warmup": not args.no_node_warmup,
            "element_rows": args.element_rows,
            "readers": args.readers,
            "workloads": {},
        }
        with Client(host, port, timeout=600) as client:
            for w in workloads:
                load(client, w, sizes[w])
        for w in workloads:
            report["workloads"][w], ok = run_workload(w, sizes[w], host, port, node_pid, args)
            all_ok = all_ok and ok
    report["targets"] = _targets(report)
    flat = {}
    for w, data in report["workloads"].items():
        curve = data["results"].get("ignite_tf_numpy", {}).get("rss_curve")
        if curve:
            flat[w] = _rss_flatness(curve)
    report["rss_flat"] = flat
    save_report(report, args, _print_summary, chart)
    for t in report["targets"]:
        limit = ""
        if "server_limit" in t:
            limit = f"; the server limit is {t['server_limit']}" + (
                "" if t["reachable_on_this_node"] else ": out of reach on this node"
            )
        noise = ", within the runs' noise" if t["within_noise"] else ""
        print(
            f"  {'met ' if t['met'] else 'MISS'} {t['target']}: {t['value']}"
            f" [{t['range'][0]} - {t['range'][1]}] (goal {t['goal']}{noise}{limit})"
        )
    for w, f in flat.items():
        if f:
            print(
                f"  RSS {w}: second quarter {f['early_peak_bytes'] / 2**20:.0f} MiB, second half"
                f" {f['late_peak_bytes'] / 2**20:.0f} MiB ({'flat' if f['flat'] else 'GROWS'})"
            )
    if not all_ok:
        print("FAILED: a reader failed or read other than it was given (see above)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
