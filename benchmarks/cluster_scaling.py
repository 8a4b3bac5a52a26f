"""Aggregate read throughput of one client against 1, 2 and 3 Ignite nodes, each behind a link
of its own shaped with tc, in a network namespace the benchmark makes; writes JSON + PNG.

    python benchmarks/cluster_scaling.py                  # full size, by hand (~10 minutes)
    python benchmarks/cluster_scaling.py --scale smoke    # tiny sizes: checks that it all runs
    python benchmarks/cluster_scaling.py --no-netns       # unshaped, on the host's 127.0.0.1

This machine has two cores and one loopback, so nodes on it are bounded by the cores, not by a
network. To simulate a network the benchmark re-runs itself under ``unshare --net`` (its own
loopback, brought up inside, which nothing else on the machine shares), and shapes each node's
outgoing traffic there: an htb qdisc on ``lo``, one class per node (``--rate-mbit``, 200 Mbit/s
by default), a u32 filter per port of that node that sends replies to clients (source port =
the node's thin-client port). So each node has a link of 200 Mbit/s to the client, and the
client can read at most n times that from n nodes. The nodes' own traffic to each other
(discovery and communication ports) is not shaped. ``tc -s class show dev lo`` after each node
count shows the bytes that went through each class (in the JSON, with each run's bytes per
link).

For each node count (a fresh cluster each time; small heaps): the cache (1024 partitions, one
backup from two nodes on; ``--row-kib`` KiB byte[] rows) is created and loaded, then read by

- ``ignite_tf``: ``Client(host="h1:p1,h2:p2,...").scan(cache, num_parallel_reads=2 * n)``
  (``--connections-per-node``), all nodes' addresses, when this ignite_tf takes many addresses
  (mode ``all nodes``); else ``Client(first node)`` (mode ``first node only``: every row leaves
  through the first node's link; the other nodes send theirs to it over the unshaped cluster
  network). The JSON records the mode and each run's bytes per link: which nodes served.
- ``server limit``: ``wire_reader.py`` with the same connections spread over the nodes, each
  partition scanned through a connection of its primary node (the cache's partition map, op
  1101), decoding nothing: what a partition-aware client can get through the n links.
- ``loopback ceiling``: raw TCP, one sender process per node streaming its share of the bytes
  from a port in that node's class, in parallel: the shaped links themselves.

Every reader gets the same untimed warm-up (``--warmup``) and the same number of timed runs
(``--runs``); the JSON has every run, the median and the spread (min, max). Without a network
namespace or tc (not root, unshare refused, no tc) the benchmark says so and runs unshaped on
the host's 127.0.0.1, where the figures measure the two cores, not links.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loopback import measure_loopback_links  # noqa: E402
from throughput import _have, _progress, save_figure  # noqa: E402
from wire_reader import read_limit  # noqa: E402

# Set by the benchmark when it runs itself again inside a network namespace: how it got there.
ENV_NETNS = "IGNITE_TF_SCALING_NETNS"
NAMESPACE_COMMANDS = (["unshare", "--net"], ["unshare", "--map-root-user", "--net"])

CACHE = "BENCH_SCALING"
PARTITIONS = 1024  # Ignite's default for a partitioned cache
SCALES = {
    # rows of --row-kib KiB: 6,144 x 64 KiB = 403 MB, about 16 s through one 200 Mbit/s link
    "full": {"rows": 6144},
    "smoke": {"rows": 192},
}
READERS = ("ignite_tf", "server_limit", "loopback")
LABELS = {
    "ignite_tf": "ignite_tf Client.scan",
    "server_limit": "server limit (each partition from its primary, no decoding)",
    "loopback": "loopback ceiling (raw TCP through the shaped links)",
}
UNSHAPED_LABELS = {**LABELS, "loopback": "loopback ceiling (raw TCP, unshaped)"}
TARGET_SPEEDUP = 2.5  # 1 -> 3 nodes, the cluster issue's goal


# ------------------------------------------------------------------------------------------------
# The network: a namespace of our own, and tc shaping inside it.


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def enter_namespace(argv: list[str]) -> tuple[int | None, str]:
    """Runs this benchmark again inside a new network namespace and returns its exit code, or
    ``(None, why not)`` when no namespace can be made here."""
    missing = [tool for tool in ("unshare", "ip") if shutil.which(tool) is None]
    if missing:
        return None, f"{' and '.join(missing)} not installed"
    reasons = []
    for command in NAMESPACE_COMMANDS:
        probe = _run([*command, "true"])
        if probe.returncode == 0:
            env = {**os.environ, ENV_NETNS: " ".join(command)}
            print(f"network: a namespace of its own ({' '.join(command)})", flush=True)
            inner = [*command, sys.executable, str(Path(__file__).resolve()), *argv]
            return subprocess.run(inner, env=env, check=False).returncode, ""
        reasons.append(f"{' '.join(command)}: {probe.stderr.strip() or probe.returncode}")
    return None, "; ".join(reasons)


def bring_up_loopback() -> None:
    result = _run(["ip", "link", "set", "lo", "up"])
    if result.returncode != 0:
        raise RuntimeError(f"cannot bring up lo in the namespace: {result.stderr.strip()}")


class Shaper:
    """An htb qdisc on ``lo`` with one class (a link) per node: the node's replies to clients
    (packets from its ports) leave through its class at ``rate_mbit``; all else is unshaped
    (htb's direct queue). Only ever used inside the benchmark's own network namespace."""

    def __init__(self, rate_mbit: float) -> None:
        self.rate_mbit = rate_mbit
        self.commands: list[str] = []

    def _tc(self, *args: str, check: bool = True) -> None:
        command = ["tc", *args]
        result = _run(command)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
        if check:
            self.commands.append(" ".join(command))

    def shape(self, links: list[list[int]]) -> None:
        """One class per entry of ``links`` (the source ports of one node), replacing what was
        there (and so zeroing the counters)."""
        self.commands = []
        self._tc("qdisc", "del", "dev", "lo", "root", check=False)
        self._tc("qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb")
        rate = f"{self.rate_mbit:g}mbit"
        for i, ports in enumerate(links):
            classid = f"1:{10 + i}"
            # Loopback packets are up to 64 KiB (GSO): a burst of a few of them keeps the rate
            # exact; quantum only matters between siblings that borrow, which these do not.
            self._tc(
                "class", "add", "dev", "lo", "parent", "1:", "classid", classid, "htb",
                "rate", rate, "ceil", rate, "burst", "256k", "cburst", "256k", "quantum", "65536",
            )  # fmt: skip
            for port in ports:
                self._tc(
                    "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1",
                    "u32", "match", "ip", "sport", str(port), "0xffff", "flowid", classid,
                )  # fmt: skip

    @staticmethod
    def show() -> str:
        return _run(["tc", "-s", "class", "show", "dev", "lo"]).stdout

    @classmethod
    def sent_bytes(cls) -> dict[str, int]:
        """Bytes sent through each class so far, from ``tc -s class show dev lo``."""
        found = re.findall(r"class htb (\S+) .*?\n\s*Sent (\d+) bytes", cls.show())
        return {classid: int(sent) for classid, sent in found}

    def clear(self) -> None:
        self._tc("qdisc", "del", "dev", "lo", "root", check=False)


# ------------------------------------------------------------------------------------------------
# The cache.


def create_cache(client, address: str, name: str, backups: int, partitions: int) -> str:
    """Creates the benchmark's cache with ignite_tf's cache configuration; returns how. (The
    thin-client protocol cannot set the partition count: only Ignite's default, 1024.)"""
    client.create_cache(name, backups=backups, partitions=partitions)
    return "ignite_tf create_cache(name, backups=..., partitions=...)"


def load(client, rows: int, row_bytes: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    chunk = max(1, (256 << 20) // row_bytes)  # about 256 MB of generated rows a write
    started = time.monotonic()
    for start in range(0, rows, chunk):
        end = min(rows, start + chunk)
        values = rng.integers(0, 256, (end - start, row_bytes), dtype=np.uint8)
        # Client.write: byte[] values keyed by long, each page to its keys' primary node.
        client.write(CACHE, values, key=np.arange(start, end, dtype=np.int64), progress=False)
        _progress(CACHE, end, rows, started)
    # Every read checks the row count.


# ------------------------------------------------------------------------------------------------
# The readers: each returns the rows it read and the seconds it took.


def connect(cluster, timeout: float = 600):
    """A ``Client`` of the whole cluster (every node's address), how it was made, and no error
    (the report's "mode" and "list_error" fields, kept for comparison with older reports)."""
    from ignite_tf import Client

    return Client(cluster.addresses, timeout=timeout), "all nodes", None


def read_ignite_tf(cluster, args, parallel: int) -> tuple[int, float]:
    client, _, _ = connect(cluster)
    with client:
        started = time.perf_counter()
        rows = 0
        scan = client.scan(
            CACHE, page_size=args.page_size, batch_size=args.page_size, num_parallel_reads=parallel
        )
        with scan:
            for columns in scan:
                rows += len(columns["key"])
        return rows, time.perf_counter() - started


def read_server_limit(cluster, args, parallel: int) -> tuple[int, float]:
    endpoints = [(n.host, n.port) for n in cluster]
    first = endpoints[0]
    result = read_limit(
        *first,
        args.page_size,
        cache=CACHE,
        connections=parallel,
        partitions=PARTITIONS,
        endpoints=endpoints,
        by_primary=True,
    )
    return result["rows"], result["seconds"]


def read_loopback(ceiling_ports: list[int], total_bytes: int) -> tuple[int, float]:
    each = -(-total_bytes // len(ceiling_ports))
    result = measure_loopback_links(each, ceiling_ports)
    return 0, result["seconds"]


def _summary(runs: list[dict]) -> dict:
    rates = [r["mb_per_s"] for r in runs]
    median = statistics.median(rates)
    return {
        "median_mb_per_s": median,
        "min_mb_per_s": min(rates),
        "max_mb_per_s": max(rates),
        "spread": (max(rates) - min(rates)) / median if median else None,
        "runs": runs,
    }


# ------------------------------------------------------------------------------------------------
# One node count.


def measure_nodes(count: int, args, shaper: Shaper | None, work: Path) -> dict:
    from ignite_tf import Client
    from ignite_tf.testing import IgniteCluster, allocate_ports

    rows, row_bytes = args.rows, args.row_kib << 10
    total_bytes = rows * row_bytes
    labels = LABELS if shaper is not None else UNSHAPED_LABELS
    backups = 1 if count >= 2 else 0
    parallel = args.connections_per_node * count
    # Each node holds its primaries and backups: all of it with two nodes and a backup.
    region = max(128 << 20, int(total_bytes * (1 + backups) * 1.3) + (64 << 20))
    print(f"{count} node(s): starting (heap {args.heap}, region {region >> 20} MiB)", flush=True)
    cluster = IgniteCluster(
        count,
        work_root=work / f"nodes-{count}",
        heap_options=tuple(args.heap.split()),
        region_max_size=region,
        startup_timeout=180,
    )
    with cluster:
        cluster.wait_for_topology(count)
        ceiling_ports = allocate_ports(count)
        links = [[node.port, ceiling_ports[i]] for i, node in enumerate(cluster)]
        if shaper is not None:
            shaper.shape(links)
        with Client(cluster[0].host, cluster[0].port, timeout=600) as client:
            created = create_cache(client, cluster[0].address, CACHE, backups, PARTITIONS)
            load(client, rows, row_bytes)
            partitions = len(client.partitions(CACHE))
        if partitions != PARTITIONS:
            raise RuntimeError(f"{CACHE} has {partitions} partitions, expected {PARTITIONS}")
        client, mode, list_error = connect(cluster)
        client.close()
        readers = {
            "ignite_tf": lambda: read_ignite_tf(cluster, args, parallel),
            "server_limit": lambda: read_server_limit(cluster, args, parallel),
            "loopback": lambda: read_loopback(ceiling_ports, total_bytes),
        }
        results = {}
        for name in READERS:
            for _ in range(args.warmup):
                readers[name]()
            runs = []
            for _ in range(args.runs):
                before = Shaper.sent_bytes() if shaper is not None else {}
                got, seconds = readers[name]()
                if name != "loopback" and got != rows:
                    raise RuntimeError(f"{name} read {got} rows of {rows}")
                run = {"seconds": seconds, "mb_per_s": total_bytes / seconds / 1e6}
                if shaper is not None:
                    after = Shaper.sent_bytes()
                    run["bytes_by_link"] = [
                        after.get(f"1:{10 + i}", 0) - before.get(f"1:{10 + i}", 0)
                        for i in range(count)
                    ]
                runs.append(run)
            results[name] = _summary(runs)
            r = results[name]
            shares = ""
            if shaper is not None:
                sent = [sum(run["bytes_by_link"][i] for run in runs) for i in range(count)]
                shares = "  bytes by link " + " ".join(f"{s / max(sum(sent), 1):.0%}" for s in sent)
            print(
                f"  {labels[name]:<60} {r['median_mb_per_s']:8.1f} MB/s median"
                f" ({r['min_mb_per_s']:.1f}-{r['max_mb_per_s']:.1f}){shares}",
                flush=True,
            )
        tc_show = Shaper.show() if shaper is not None else None
        if tc_show:
            print(tc_show, flush=True)
    return {
        "nodes": count,
        "addresses": cluster.address,
        "backups": backups,
        "cache_created_with": created,
        "partitions": partitions,
        "client_mode": mode,
        "client_list_error": list_error,
        "num_parallel_reads": parallel,
        "links": [
            {"class": f"1:{10 + i}", "node_client_port": ports[0], "loopback_sender_port": ports[1]}
            for i, ports in enumerate(links)
        ],
        "tc_commands": list(shaper.commands) if shaper is not None else None,
        "tc_class_show": tc_show,
        "readers": results,
    }


# ------------------------------------------------------------------------------------------------
# The report.


def verify_shaping(report: dict) -> dict:
    """Evidence that each link carried its node's bytes at its rate: every class saw about its
    share of each loopback-ceiling run, and a link's rate is near the configured one."""
    rate = report["network"]["rate_mbit"] * 1e6 / 8 / 1e6  # MB/s on the wire
    checks = {}
    for count, data in report["node_counts"].items():
        runs = data["readers"]["loopback"]["runs"]
        share = report["workload"]["bytes"] / int(count)
        every_class = all(b >= 0.99 * share for run in runs for b in run["bytes_by_link"])
        per_link = data["readers"]["loopback"]["median_mb_per_s"] / int(count)
        checks[count] = {
            "every_class_carried_its_share": every_class,
            "loopback_mb_per_s_per_link": round(per_link, 2),
            "configured_mb_per_s_per_link": rate,
            "rate_within_15_percent": abs(per_link - rate) <= 0.15 * rate,
        }
    return checks


def speedups(report: dict) -> dict:
    counts = sorted(report["node_counts"], key=int)
    out = {}
    for name in READERS:
        base = report["node_counts"][counts[0]]["readers"][name]["median_mb_per_s"]
        out[name] = {
            c: round(report["node_counts"][c]["readers"][name]["median_mb_per_s"] / base, 3)
            for c in counts
        }
    return out


def chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = sorted(report["node_counts"], key=int)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]})
    width = 0.8 / len(READERS)
    colors = {"ignite_tf": "tab:blue", "server_limit": "tab:orange", "loopback": "tab:gray"}
    for j, name in enumerate(READERS):
        xs = [i + (j - (len(READERS) - 1) / 2) * width for i in range(len(counts))]
        data = [report["node_counts"][c]["readers"][name] for c in counts]
        med = [d["median_mb_per_s"] for d in data]
        err = [
            [m - d["min_mb_per_s"] for m, d in zip(med, data)],
            [d["max_mb_per_s"] - m for m, d in zip(med, data)],
        ]
        label = (LABELS if report["network"]["shaped"] else UNSHAPED_LABELS)[name]
        if name == "ignite_tf":
            modes = sorted({report["node_counts"][c]["client_mode"] for c in counts})
            label += f" ({', '.join(modes)})"
        ax.bar(xs, med, width, yerr=err, capsize=3, label=label, color=colors[name])
        for x, m, c in zip(xs, med, counts):
            ax.text(x, m, f"{m:.0f}\nx{report['speedup'][name][c]:.2f}", ha="center",
                    va="bottom", fontsize=7)  # fmt: skip
    ax.set_xticks(range(len(counts)), [f"{c} node{'s' if c != '1' else ''}" for c in counts])
    ax.set_ylabel(f"MB/s of payload (median of {report['arguments']['runs']} runs, min-max)")
    net = report["network"]
    shaped = f"{net['rate_mbit']:g} Mbit/s per node link" if net["shaped"] else "UNSHAPED"
    ax.set_title(f"one client, {report['workload']['describe']}; {shaped}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    ax.margins(y=0.25)
    # Which nodes served the client: ignite_tf's bytes through each link.
    for i, c in enumerate(counts):
        runs = report["node_counts"][c]["readers"]["ignite_tf"]["runs"]
        if not runs or "bytes_by_link" not in runs[0]:
            continue
        sent = [sum(r["bytes_by_link"][k] for r in runs) for k in range(int(c))]
        bottom = 0.0
        for k, s in enumerate(sent):
            frac = s / max(sum(sent), 1)
            label = f"node {k + 1}" if c == counts[-1] else None
            ax2.bar(i, frac, 0.6, bottom=bottom, color=f"C{k}", label=label)
            bottom += frac
    ax2.set_xticks(range(len(counts)), [f"{c} node(s)" for c in counts])
    ax2.set_ylabel("share of ignite_tf's bytes per node link (tc class counters)")
    ax2.set_title("which nodes served the client", fontsize=9)
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend(fontsize=7)
    save_figure(
        fig,
        path,
        f"ignite_tf cluster read scaling, Ignite {report['ignite_version']}, "
        f"{report['scale']} scale, {report['date']}",
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--nodes", default="1,2,3", help="node counts to measure")
    parser.add_argument("--rows", type=int, default=0, help="rows (default: by --scale)")
    parser.add_argument("--row-kib", type=int, default=64, help="KiB of byte[] a row")
    parser.add_argument("--page-size", type=int, default=64, help="rows a page (and a batch)")
    parser.add_argument("--rate-mbit", type=float, default=200.0, help="each node link's rate")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of every reader")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs before them")
    parser.add_argument(
        "--connections-per-node",
        type=int,
        default=2,
        help="the readers' connections per node (ignite_tf's num_parallel_reads = this x nodes)",
    )
    parser.add_argument("--heap", default="-Xms256m -Xmx512m", help="each node's heap options")
    parser.add_argument(
        "--no-netns", action="store_true", help="run unshaped on the host's 127.0.0.1"
    )
    parser.add_argument("--out", default=str(HERE / "results" / "cluster_scaling.json"))
    parser.add_argument("--chart", default=None, help="PNG path (default: next to --out)")
    args = parser.parse_args(argv)
    if args.runs < 3 and args.scale == "full":
        parser.error("--runs must be at least 3 at full scale")
    args.rows = args.rows or SCALES[args.scale]["rows"]
    counts = [int(c) for c in args.nodes.split(",") if c.strip()]

    from ignite_tf.testing import ignite_version, resolve_ignite_classpath

    network = {"namespace": None, "shaped": False, "rate_mbit": args.rate_mbit, "note": ""}
    inside = os.environ.get(ENV_NETNS)
    if inside is None and not args.no_netns:
        # Inside there is no network at all: the jars must come from the cache, so resolve
        # them here first (Maven, once per machine).
        resolve_ignite_classpath()
        code, why_not = enter_namespace(argv)
        if code is not None:
            return code
        network["note"] = f"no network namespace ({why_not}): unshaped on the host's 127.0.0.1"
    elif args.no_netns:
        network["note"] = "--no-netns: unshaped on the host's 127.0.0.1"
    shaper = None
    if inside is not None:
        network["namespace"] = inside
        bring_up_loopback()
        shaper = Shaper(args.rate_mbit)
        try:
            shaper.shape([[1]])  # does tc work here?
            network["shaped"] = True
            network["note"] = (
                f"own network namespace ({inside}); htb on lo, one class per node at "
                f"{args.rate_mbit:g} Mbit/s for the packets from its thin-client port (and its "
                "loopback sender's port); cluster-internal traffic unshaped"
            )
        except (RuntimeError, OSError) as error:
            shaper = None
            network["note"] = f"own network namespace ({inside}) but no tc shaping: {error}"
    if not network["shaped"]:
        print(f"NOTE: {network['note']}; the figures measure the cores, not links", flush=True)

    rows, row_bytes = args.rows, args.row_kib << 10
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "ignite_version": ignite_version(),
        "scale": args.scale,
        "arguments": vars(args),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "network": network,
        "workload": {
            "cache": CACHE,
            "rows": rows,
            "row_bytes": row_bytes,
            "bytes": rows * row_bytes,
            "partitions": PARTITIONS,
            "page_size": args.page_size,
            "describe": f"{rows:,} rows of byte[{args.row_kib} KiB] ({rows * row_bytes / 1e6:.0f}"
            f" MB), {PARTITIONS} partitions, 1 backup from 2 nodes",
        },
        "node_counts": {},
    }
    print(f"workload: {report['workload']['describe']}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="ignite-tf-scaling-") as tmp:
            for count in counts:
                report["node_counts"][str(count)] = measure_nodes(count, args, shaper, Path(tmp))
    finally:
        if shaper is not None:
            shaper.clear()
    report["speedup"] = speedups(report)
    if shaper is not None:
        report["shaping_verified"] = verify_shaping(report)
    last = str(max(counts))
    if len(counts) > 1:
        value = report["speedup"]["ignite_tf"][last]
        report["target"] = {
            "target": f"ignite_tf aggregate read, {min(counts)} -> {last} nodes",
            "value": value,
            "goal": TARGET_SPEEDUP,
            "met": value >= TARGET_SPEEDUP,
            "client_modes": {c: d["client_mode"] for c, d in report["node_counts"].items()},
            "links_ceiling": report["speedup"]["loopback"][last],
        }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    chart_path = Path(args.chart) if args.chart else out.with_suffix(".png")
    if _have("matplotlib"):
        chart(report, chart_path)
        print(f"wrote {out} and {chart_path}")
    else:
        print(f"wrote {out} (matplotlib is not installed: no chart)")
    labels = LABELS if network["shaped"] else UNSHAPED_LABELS
    for name in READERS:
        text = ", ".join(f"{c} nodes x{s:.2f}" for c, s in report["speedup"][name].items())
        print(f"  speedup {labels[name]}: {text}")
    if "shaping_verified" in report:
        for c, check in report["shaping_verified"].items():
            print(f"  shaping, {c} node(s): {check}")
    if "target" in report:
        t = report["target"]
        print(
            f"  {'met ' if t['met'] else 'MISS'} {t['target']}: x{t['value']:.2f} (goal "
            f"x{t['goal']}; client mode {t['client_modes']}; the "
            f"{'links allow' if network['shaped'] else 'unshaped loopback allows'} "
            f"x{t['links_ceiling']:.2f})"
        )
    if not network["shaped"]:
        print(f"NOTE: {network['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
