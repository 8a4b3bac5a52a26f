"""Write throughput of ignite_tf against Ignite's Java thin client, pyignite and the server's
write limit, side by side in one run on one real node; writes a JSON result and a PNG chart.

    python benchmarks/write_throughput.py                       # full size
    python benchmarks/write_throughput.py --scale smoke         # tiny sizes: checks that it runs
    python benchmarks/write_throughput.py --workloads W2 --rows W2=200000
    python benchmarks/write_throughput.py --address host:port   # a running node

Workloads, the read benchmark's shapes (throughput.py), written into BENCH_W1, BENCH_W2 and the
SQL table BENCH_W3 (on a node of your own, their contents are replaced):
  W1  long -> byte[1 MiB], 2,048 rows (2.15 GB), 16 rows per request
  W2  long -> MnistRow {label: int, pixels: byte[784]}, 1,000,000 rows, 1024 rows per request
  W3  SQL table BENCH_W3 (ID BIGINT PRIMARY KEY, C0..C2 BIGINT, C3..C5 INT, C6..C8 DOUBLE,
      C9 REAL; VALUE_TYPE BenchW3Row), 2,000,000 rows put as binary objects of BenchW3Row keyed
      by ID (fields named as the columns), 1024 rows per request

Writers, each run in its own process (its peak RSS is its own), all given the same data (row i
of every column a function of i, generated in the process before timing, as arrays), the same
rows per request and the same warm-up: the first 5% of the rows (at least one request) written
into a separate warm-up cache by the same process, untimed, right before the timed write of all
rows into the emptied cache. Timed: from the arrays to the last reply, building each client's
row objects included.
  pyignite            Cache.put_all of {key: value}, values GenericObjectMeta classes
  Java thin client    java/ThinClientWriter.java: ClientCache.putAll of BinaryObjects built with
                      client.binary().builder(typeName), one JVM per run, timed inside the JVM
  ignite_tf put_all   Client.put_all of (key, BinaryObject) tuples (W1: NumPy byte rows)
  ignite_tf columnar  Client.write / Client.write_table with the arrays, default arguments;
                      recorded as not available when this ignite_tf has no such method
  overwrite=False     the same call with overwrite=False (put-if-absent: a request per row, a
                      page's requests in one write) into the emptied cache, so every row is put
  write limit         wire_writer.py: every request encoded once before timing, then only sent,
                      each waiting for its reply; with 1 connection, and again with as many
                      as the writer that used the most, when that is more than 1 (in the
                      same rounds)

Every writer runs --runs times (3), in rounds (one run of each writer per round, so that noise
from the rest of the machine spreads over all of them), after the node itself was warmed up by
one untimed write of all rows by the write limit's client. The caches are cleared before each
run and their sizes checked after it, with a few rows read back through ignite_tf's Client.get
(W3's also by ID through SQL) and compared (a writer that writes less or wrong fails loudly: its
runs stop, the JSON says why and the exit status is 1). Reported: median rows/s and MB/s of
payload (W1 1 MiB, W2 788, W3 64 bytes a row) with the min and max of the runs, peak RSS
(VmHWM), the client's CPU per row, the node's CPU in cores during the timed write (sampled as
throughput.py does), the connections the writer had open to the node (counted from
/proc/net/tcp), and the ratios to ignite_tf columnar and to the write limit.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from loopback import peak_rss_bytes  # noqa: E402
from throughput import (  # noqa: E402
    W3_COLUMNS,
    W3_DTYPES,
    W3_TABLE_DDL,
    W3_TYPE,
    Rounds,
    _have,
    _run_measured,
    api_defaults,
    bench_node,
    draw_runs,
    report_header,
    save_figure,
    save_report,
    summarize_runs,
    workload_data,
    workload_sizes,
)
from throughput import WORKLOADS as READ_WORKLOADS  # noqa: E402

WORKLOADS = {
    name: {
        "cache": READ_WORKLOADS[name]["cache"],
        "warmup_cache": READ_WORKLOADS[name]["cache"] + "_WARMUP",
        "rows": READ_WORKLOADS[name]["rows"],
        "row_bytes": READ_WORKLOADS[name]["row_bytes"],
        # The read benchmark's page sizes: the Java client runs out of heap on 1024-row
        # requests of 1 MiB values.
        "rows_per_request": READ_WORKLOADS[name]["page_size"],
    }
    for name in ("W1", "W2", "W3")
}
WORKLOADS["W1"]["describe"] = "long -> byte[1 MiB]; BENCH_W1 (2048 partitions on our node)"
WORKLOADS["W2"]["describe"] = "long -> MnistRow {label: int, pixels: byte[784]}"
WORKLOADS["W3"]["describe"] = (
    f"SQL table BENCH_W3 (3 BIGINT, 3 INT, 3 DOUBLE, 1 REAL), put as {W3_TYPE} objects by ID"
)
WRITERS = [
    "pyignite",
    "java_thin_client",
    "ignite_tf_put_all",
    "ignite_tf_columnar",
    "ignite_tf_put_if_absent",
    "wire_limit",
]
LABELS = {
    "pyignite": "pyignite put_all",
    "java_thin_client": "Java thin client putAll",
    "ignite_tf_put_all": "ignite_tf put_all",
    "ignite_tf_columnar": "ignite_tf columnar write",
    "ignite_tf_put_if_absent": "ignite_tf write, overwrite=False",
    "wire_limit": "write limit (pre-encoded)",
    "wire_limit_parallel": "write limit, parallel",
}
COLUMNAR = "ignite_tf_columnar"


def _head(data: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    return {k: v[:n] for k, v in data.items()}


# ------------------------------------------------------------------------------------------------
# Writer processes: `write_throughput.py --writer NAME ...` prints one JSON line.


class NotAvailableError(Exception):
    pass


def _make_writer(
    name: str,
    workload: str,
    host: str,
    port: int,
    data: dict[str, np.ndarray],
    per_request: int,
    connections: int,
    warmup_cache: str,
    warmup_rows: int,
) -> tuple[Callable[[str, int], None], Callable[[], None]]:
    """`write(cache, n)` writing rows 0..n-1 of `data` into a cache, and `close()`."""
    if name == "pyignite":
        return _pyignite_writer(workload, host, port, data, per_request)
    if name == "ignite_tf_put_all":
        return _ignite_tf_writer(workload, host, port, data, per_request)
    if name == COLUMNAR:
        return _columnar_writer(workload, host, port, data)
    if name == "ignite_tf_put_if_absent":
        return _columnar_writer(workload, host, port, data, overwrite=False)
    if name.startswith("wire_limit"):
        from wire_writer import WireWriter, encode_requests

        # Encoded once, here, before anything is timed; the arrays are not needed after.
        cache = WORKLOADS[workload]["cache"]
        frames = {cache: encode_requests(workload, data, cache, per_request)[0]}
        warm, layout = encode_requests(
            workload, _head(data, warmup_rows), warmup_cache, per_request
        )
        frames[warmup_cache] = warm
        data.clear()
        writer = WireWriter(host, port, connections)
        if layout is not None:
            writer.register(layout)

        def write(cache_name: str, n: int) -> None:
            writer.send_all(frames[cache_name])

        return write, writer.close
    raise ValueError(f"unknown writer {name}")


def _pyignite_writer(workload, host, port, data, per_request):
    from collections import OrderedDict

    from pyignite import Client as PyIgniteClient
    from pyignite import GenericObjectMeta
    from pyignite.datatypes import (
        ByteArrayObject,
        DoubleObject,
        FloatObject,
        IntObject,
        LongObject,
    )

    if workload == "W2":
        schema = OrderedDict([("label", IntObject), ("pixels", ByteArrayObject)])
        row_class = GenericObjectMeta("MnistRow", (), {}, type_name="MnistRow", schema=schema)
    elif workload == "W3":
        kinds = {
            "int64": LongObject,
            "int32": IntObject,
            "float64": DoubleObject,
            "float32": FloatObject,
        }
        schema = OrderedDict((c, kinds[W3_DTYPES[c]]) for c in W3_COLUMNS)
        row_class = GenericObjectMeta(W3_TYPE, (), {}, type_name=W3_TYPE, schema=schema)
    client = PyIgniteClient(timeout=600)
    client.connect(host, port)

    def write(cache_name: str, n: int) -> None:
        cache = client.get_cache(cache_name)
        for s in range(0, n, per_request):
            e = min(n, s + per_request)
            if workload == "W1":
                values = data["value"]
                pairs = {i: values[i].tobytes() for i in range(s, e)}
            elif workload == "W2":
                pixels = data["pixels"]
                pairs = {
                    i: row_class(label=label, pixels=pixels[i].tobytes())
                    for i, label in zip(range(s, e), data["label"][s:e].tolist())
                }
            else:
                columns = [data[c][s:e].tolist() for c in W3_COLUMNS]
                pairs = {
                    i: row_class(**dict(zip(W3_COLUMNS, values)))
                    for i, *values in zip(range(s, e), *columns)
                }
            cache.put_all(pairs)

    return write, client.close


def _ignite_tf_writer(workload, host, port, data, per_request):
    from ignite_tf import BinaryObject, Client

    client = Client(host, port, timeout=600)

    def write(cache_name: str, n: int) -> None:
        for s in range(0, n, per_request):
            e = min(n, s + per_request)
            if workload == "W1":
                values = data["value"]
                entries = [(i, values[i]) for i in range(s, e)]
            elif workload == "W2":
                entries = [
                    (i, BinaryObject("MnistRow", {"label": label, "pixels": pixels}))
                    for i, label, pixels in zip(
                        range(s, e), data["label"][s:e], data["pixels"][s:e]
                    )
                ]
            else:
                # 64-bit columns as Python ints and floats (long, double); INT and REAL columns
                # as NumPy int32 and float32 scalars, which keep their exact type.
                columns = [
                    data[c][s:e].tolist() if data[c].itemsize == 8 else data[c][s:e]
                    for c in W3_COLUMNS
                ]
                entries = [
                    (i, BinaryObject(W3_TYPE, dict(zip(W3_COLUMNS, values))))
                    for i, *values in zip(range(s, e), *columns)
                ]
            client.put_all(cache_name, entries)

    return write, client.close


def _columnar_writer(workload, host, port, data, overwrite=True):
    from ignite_tf import Client

    client = Client(host, port, timeout=600)
    method = "write_table" if workload == "W3" else "write"
    try:
        api = getattr(client, method)
    except AttributeError as error:
        client.close()
        raise NotAvailableError(
            f"not available: this ignite_tf has no Client.{method} ({error})"
        ) from None
    # The defaults of the keyword arguments this benchmark leaves alone (batching, connections):
    # in the JSON, since they decide its rows per request.
    given = {"W1": (), "W2": ("type_name",), "W3": ("primary_key",)}[workload]
    extra = {} if overwrite else {"overwrite": False}
    defaults = api_defaults(api, (*given, *extra))

    def write(cache_name: str, n: int) -> None:
        # As a user calls them, with the default arguments.
        # (overwrite=False: every key is absent, the cache was emptied: each row is put.)
        if workload == "W1":
            client.write(cache_name, data["value"][:n], **extra)
        elif workload == "W2":
            client.write(
                cache_name,
                {"label": data["label"][:n], "pixels": data["pixels"][:n]},
                type_name="MnistRow",
                **extra,
            )
        else:
            table = {"ID": data["key"][:n], **{c: data[c][:n] for c in W3_COLUMNS}}
            client.write_table(cache_name, table, primary_key="ID", **extra)

    write.info = {"api": f"Client.{method}", "api_defaults": defaults, "given": extra}
    return write, client.close


def writer_main(args: argparse.Namespace) -> int:
    import resource

    # Imports, the data and the connection come before the timed write.
    if args.writer == "pyignite":
        import pyignite  # noqa: F401
    else:
        import ignite_tf  # noqa: F401
    data = workload_data(args.workload, args.rows)
    try:
        write, close = _make_writer(
            args.writer,
            args.workload,
            args.host,
            args.port,
            data,
            args.rows_per_request,
            args.connections,
            args.warmup_cache,
            args.warmup_rows,
        )
    except NotAvailableError as error:
        print(json.dumps({"error": str(error)}))
        return 0
    try:
        if args.warmup_rows > 0:
            write(args.warmup_cache, args.warmup_rows)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_started = usage.ru_utime + usage.ru_stime
        wall_started = time.time()
        started = time.perf_counter()
        write(args.cache, args.rows)
        seconds = time.perf_counter() - started
        wall_finished = time.time()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu_started
    finally:
        close()
    result = {
        "rows": args.rows,
        "seconds": seconds,
        "warmup_rows": args.warmup_rows,
        "peak_rss_bytes": peak_rss_bytes(),
        "cpu_seconds": cpu,
        "window": [wall_started, wall_finished],
        **getattr(write, "info", {}),
    }
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------------------------------------------
# Measuring from the outside: connections to the node, and what the node holds afterwards.


def _established_to(port: int) -> int:
    """TCP connections (IPv4 and IPv6) in state ESTABLISHED whose remote port is `port`: the
    client ends of connections to the node (the benchmark's own client is closed meanwhile)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port:
                        count += 1
        except OSError:
            continue
    return count


class ConnectionSampler:
    """The most connections to the node seen at once, sampled every 50 ms in a thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _established_to(self.port))
            self._stop.wait(0.05)

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class WriteCheckError(RuntimeError):
    pass


def _prepare_caches(client, workload: str) -> None:
    """Creates the workload's cache and warm-up cache; W3's tables are dropped and created
    again, so that their definition is this benchmark's (a node may hold throughput.py's)."""
    w = WORKLOADS[workload]
    for cache in (w["cache"], w["warmup_cache"]):
        if workload == "W3":
            client.sql(f"DROP TABLE IF EXISTS {cache}")
            if cache in client.cache_names():  # a cache of that name that is no table
                client.destroy_cache(cache)
            client.sql(W3_TABLE_DDL.format(name=cache))
        else:
            client.get_or_create_cache(cache)  # W1's 2048 partitions come from the node config


def _empty_caches(client, workload: str) -> None:
    w = WORKLOADS[workload]
    for cache in (w["cache"], w["warmup_cache"]):
        client.clear(cache)
        if client.size(cache) != 0:
            raise RuntimeError(f"{cache} holds {client.size(cache)} rows after clear()")


def _same(expected, got) -> bool:
    if isinstance(expected, np.ndarray):
        return got is not None and np.array_equal(np.asarray(got), expected)
    return got == expected


def _check_written(client, workload: str, rows: int, warmup_rows: int) -> None:
    """The cache holds exactly `rows` rows and the warm-up cache `warmup_rows`; a few rows read
    back equal the data. Raises WriteCheckError."""
    w = WORKLOADS[workload]
    for cache, expected in ((w["cache"], rows), (w["warmup_cache"], warmup_rows)):
        size = client.size(cache)
        if size != expected:
            raise WriteCheckError(f"{cache} holds {size:,} rows after writing {expected:,}")
    rng = np.random.default_rng()
    keys = sorted({0, rows // 2, rows - 1, *rng.integers(0, rows, 3).tolist()})
    for key in keys:
        row = workload_data(workload, key + 1, key)
        got = client.get(w["cache"], key)
        if workload == "W1":
            fields = {"value": (row["value"][0], got)}
        else:
            if getattr(got, "type_name", None) != ("MnistRow" if workload == "W2" else W3_TYPE):
                raise WriteCheckError(f"{w['cache']}[{key}] is {got!r:.200}")
            names = ["label", "pixels"] if workload == "W2" else W3_COLUMNS
            fields = {n: (row[n][0], got.fields.get(n)) for n in names}
        for name, (want, have) in fields.items():
            if not isinstance(want, np.ndarray):
                want = want.item()
            if not _same(want, have):
                raise WriteCheckError(
                    f"{w['cache']}[{key}].{name} is {have!r:.120}, expected {want!r:.120}"
                )
        if workload == "W3":  # the row is the table's, found by its key column
            found = client.sql(f"SELECT C0, C9 FROM {w['cache']} WHERE ID = ?", [key]).rows
            if found != [(row["C0"][0].item(), row["C9"][0].item())]:
                raise WriteCheckError(f"SQL finds {found!r:.200} in {w['cache']} for ID = {key}")


# ------------------------------------------------------------------------------------------------
# The run.


def _writer_command(name, workload, host, port, rows, per_request, warmup_rows, connections=1):
    w = WORKLOADS[workload]
    if name == "java_thin_client":
        from java_writer import java_writer_command

        return java_writer_command(
            workload, host, port, rows, per_request, w["cache"], w["warmup_cache"], warmup_rows
        )
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--writer",
        "wire_limit" if name.startswith("wire_limit") else name,
        "--workload",
        workload,
        "--host",
        host,
        "--port",
        str(port),
        "--rows",
        str(rows),
        "--rows-per-request",
        str(per_request),
        "--cache",
        w["cache"],
        "--warmup-cache",
        w["warmup_cache"],
        "--warmup-rows",
        str(warmup_rows),
        "--connections",
        str(connections),
    ]


def _warmup_rows(rows: int, per_request: int, fraction: float) -> int:
    return min(rows, max(per_request, math.ceil(rows * fraction)))


def run_workload(
    workload: str, rows: int, host: str, port: int, node_pid: int | None, args
) -> tuple[dict, bool]:
    """Every writer's runs on one workload; returns its JSON part and whether all went well."""
    from ignite_tf import Client

    w = WORKLOADS[workload]
    per_request = w["rows_per_request"]
    row_bytes = w["row_bytes"]
    warmup_rows = _warmup_rows(rows, per_request, args.warmup_fraction)
    print(
        f"{workload}: {rows:,} rows ({rows * row_bytes / 1e9:.2f} GB of payload) into"
        f" {w['cache']}, {per_request} rows per request; warm-up {warmup_rows:,} rows into"
        f" {w['warmup_cache']}; {args.runs} run{'s' if args.runs > 1 else ''} of each writer",
        flush=True,
    )
    with Client(host, port, timeout=600) as client:
        _prepare_caches(client, workload)
    writers = [n for n in args.writers if n in WRITERS]
    if not _have("pyignite") and "pyignite" in writers:
        print("  (pyignite is not installed: left out)")
        writers.remove("pyignite")
    writer_rows = {n: rows for n in writers}
    if "pyignite" in writer_rows and 0 < args.pyignite_rows < rows:
        writer_rows["pyignite"] = args.pyignite_rows
    rounds = Rounds(row_bytes)

    def one_run(name: str, connections: int = 1) -> dict:
        n = writer_rows.get(name, rows)
        warm = _warmup_rows(n, per_request, args.warmup_fraction)
        with Client(host, port, timeout=600) as client:
            _empty_caches(client, workload)
        command = _writer_command(name, workload, host, port, n, per_request, warm, connections)
        with ConnectionSampler(port) as sampler:
            result = _run_measured(command, node_pid, sample_rss=False)
        if "error" in result:
            return result
        result["connections"] = sampler.peak
        with Client(host, port, timeout=600) as client:
            _check_written(client, workload, n, warm)
        return result

    def conn(result: dict) -> str:
        return f"  {result['connections']} conn"

    # The node warms up once, before the first round, with one untimed write of all rows by the
    # write limit's client (not recorded): its JIT and its data region's pages, which the first
    # writer of the first round would otherwise pay for alone.
    node_warmup = None
    warmer = "wire_limit" if "wire_limit" in writers else writers[0] if writers else None
    if warmer is not None and not args.no_node_warmup:
        seconds = rounds.warm_node(LABELS[warmer], "write", lambda: one_run(warmer))
        node_warmup = {"writer": warmer, "seconds": seconds}
    # The write limit runs again, in the same rounds, with as many connections as the writer
    # that used the most (set by the first round, kept for the others): in the rounds, not
    # after them, so that it meets the node in the same state as the writers it bounds.
    connections = 1
    for run in range(args.runs):
        print(f" run {run + 1} of {args.runs}", flush=True)
        for name in writers:
            rounds.run(name, LABELS[name], one_run, note=conn)
        if "wire_limit" not in writers:
            continue
        if run == 0:
            used = [
                r["connections"]
                for n, name_runs in rounds.runs.items()
                if not n.startswith("wire_limit") and n not in rounds.errors
                for r in name_runs
            ]
            connections = max(used, default=1)
        if connections > 1:
            rounds.run(
                "wire_limit_parallel",
                LABELS["wire_limit_parallel"],
                one_run,
                connections,
                note=conn,
            )

    def summarize(name: str, name_runs: list[dict]) -> dict:
        summary = summarize_runs(name_runs, row_bytes)
        summary["connections"] = max(r["connections"] for r in name_runs)
        summary["args"] = {
            "rows": writer_rows.get(name, rows),
            "rows_per_request": per_request if name != COLUMNAR else None,
            "warmup_rows": name_runs[0]["warmup_rows"],
            "connections": summary["connections"],
        }
        if name == COLUMNAR:
            summary["args"]["api"] = name_runs[0].get("api")
            summary["args"]["api_defaults"] = name_runs[0].get("api_defaults")
            summary["args"]["note"] = "called with its defaults: its own rows per request"
        if name.startswith("wire_limit"):
            summary["args"]["connections_configured"] = 1 if name == "wire_limit" else connections
        summary["runs"] = name_runs
        return summary

    results = rounds.results(summarize)
    results = {n: results[n] for n in LABELS if n in results}  # in the order of LABELS

    # The write limit: the faster median of its runs with 1 connection and with the fastest
    # writer's connections, the better estimate of what the node can take.
    limits = [
        n
        for n in ("wire_limit", "wire_limit_parallel")
        if "median_rows_per_s" in results.get(n, {})
    ]
    limit_name = max(limits, key=lambda n: results[n]["median_rows_per_s"], default="wire_limit")
    limit = results.get(limit_name, {}).get("median_rows_per_s")
    columnar = results.get(COLUMNAR, {}).get("median_rows_per_s")
    for r in results.values():
        if "median_rows_per_s" not in r:
            continue
        r["ratio_to_ignite_tf_columnar"] = r["median_rows_per_s"] / columnar if columnar else None
        r["ratio_to_write_limit"] = r["median_rows_per_s"] / limit if limit else None
    return (
        {
            "describe": w["describe"],
            "cache": w["cache"],
            "warmup_cache": w["warmup_cache"],
            "rows": rows,
            "bytes": rows * row_bytes,
            "row_bytes": row_bytes,
            "rows_per_request": per_request,
            "warmup_rows": warmup_rows,
            "node_warmup": node_warmup,
            "write_limit": limit_name if limit else None,
            "results": results,
        },
        not rounds.failed,
    )


def _print_summary(workload: str, data: dict) -> None:
    print(f"{workload} summary (median of the runs [min - max]):")
    for name, r in data["results"].items():
        label = LABELS[name]
        if "median_rows_per_s" not in r:
            print(f"  {label:<30} {r['error']}")
            continue
        to_columnar = r["ratio_to_ignite_tf_columnar"]
        to_limit = r["ratio_to_write_limit"]
        print(
            f"  {label:<30} {r['median_rows_per_s']:>12,.0f} rows/s"
            f" [{r['min_rows_per_s']:,.0f} - {r['max_rows_per_s']:,.0f}]"
            f" {r['median_mb_per_s']:>8.1f} MB/s"
            f"  x{to_limit:.2f} of the limit"
            + (f", x{to_columnar:.2f} of columnar" if to_columnar else "")
        )


def chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = list(report["workloads"])
    fig, axes = plt.subplots(1, len(workloads), figsize=(7 * len(workloads), 4.5), squeeze=False)
    for ax, workload in zip(axes[0], workloads):
        data = report["workloads"][workload]
        draw_runs(ax, data["results"], LABELS, ("ratio_to_write_limit", " of limit"))
        ax.set_xlabel("MB/s of payload written (log; median, bars: min-max of the runs)")
        ax.set_title(
            f"{workload}: {data['rows']:,} rows, {data['bytes'] / 1e6:,.0f} MB,"
            f" {data['rows_per_request']} rows per request",
            fontsize=9,
        )
    save_figure(
        fig,
        path,
        f"ignite_tf write throughput, Ignite {report['ignite_version']}, "
        f"{report['machine']['cpus']} CPUs ({report['date']})",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["full", "smoke"], default="full")
    parser.add_argument("--workloads", default="W1,W2,W3")
    parser.add_argument("--rows", help="rows by workload, e.g. W2=200000,W3=500000")
    parser.add_argument(
        "--writers", default=",".join(WRITERS), help="a subset of " + ", ".join(WRITERS)
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each writer")
    parser.add_argument("--warmup-fraction", type=float, default=0.05)
    parser.add_argument(
        "--no-node-warmup",
        action="store_true",
        help="leave out the node's untimed warm-up write before the first round",
    )
    parser.add_argument("--pyignite-rows", type=int, default=0, help="0: all rows")
    parser.add_argument("--address", help="host:port of a running node (default: start one)")
    parser.add_argument("--out", default=str(HERE / "results" / "write_throughput.json"))
    parser.add_argument("--chart", default=None, help="PNG path (default: next to --out)")
    # Writer-process mode (internal).
    parser.add_argument("--writer", help=argparse.SUPPRESS)
    parser.add_argument("--workload", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rows-per-request", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--warmup-cache", help=argparse.SUPPRESS)
    parser.add_argument("--warmup-rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--connections", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer:
        args.rows = int(args.rows)
        return writer_main(args)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.writers = [n.strip() for n in args.writers.split(",") if n.strip()]
    unknown = set(args.writers) - set(WRITERS)
    if unknown:
        parser.error(f"unknown writers {sorted(unknown)}; choose from {WRITERS}")

    workloads, sizes = workload_sizes(args, WORKLOADS)
    all_ok = True
    with bench_node(args) as (host, port, node_pid):
        report = {
            **report_header(args, host, port, node_pid),
            "warmup": (
                f"the first {args.warmup_fraction:.0%} of the rows (at least one request) into "
                "the warm-up cache, untimed, by the same process right before each timed write"
            ),
            "timed": (
                "from the data as in-memory arrays to the last put-all reply, building each "
                "client's row objects included; the write limit sends requests encoded before"
            ),
            "workloads": {},
        }
        for w in workloads:
            report["workloads"][w], ok = run_workload(w, sizes[w], host, port, node_pid, args)
            all_ok = all_ok and ok
    save_report(report, args, _print_summary, chart)
    if not all_ok:
        print("FAILED: a writer failed or wrote less than it was given (see above)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
