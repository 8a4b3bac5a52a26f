"""Scan throughput of ignite_tf against its peers, side by side in one run, on one real node.

    python benchmarks/scan_throughput.py [--rows 200000] [--address host:port] [--out result.json]

Workload (W2-like, MNIST-shaped): key long, value object {label: int, pixels: byte[784]}, loaded by
the benchmark. Readers, each reading the whole cache with the same page size:
  ignite_tf NumPy scan, ignite_tf tf.data (batched and element-wise), pyignite scan.
Reports rows/s, MB/s of user data (4 + 784 bytes a row), and every reader's ratio to ignite_tf
NumPy. Numbers depend on the machine: compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

from ignite_tf import BinaryObject, Client
from ignite_tf.testing import IgniteNode, external_endpoint

ROW_BYTES = 4 + 784
CACHE = "BENCH_MNIST"


def load(client: Client, rows: int) -> None:
    client.get_or_create_cache(CACHE)
    if client.size(CACHE) == rows:
        return
    client.clear(CACHE)
    rng = np.random.default_rng(0)
    started = time.monotonic()
    chunk = 2000
    for start in range(0, rows, chunk):
        end = min(rows, start + chunk)
        pixels = rng.integers(0, 256, (end - start, 784), dtype=np.uint8)
        client.put_all(
            CACHE,
            [
                (
                    i,
                    BinaryObject(
                        "MnistRow", {"label": np.int32(i % 10), "pixels": pixels[i - start]}
                    ),
                )
                for i in range(start, end)
            ],
        )
        rate = end / (time.monotonic() - started)
        print(f"\r  loading {end}/{rows} rows ({rate:,.0f} rows/s)", end="", flush=True)
    print()


def timed(name: str, fn, rows: int) -> dict:
    started = time.perf_counter()
    seen = fn()
    seconds = time.perf_counter() - started
    if seen != rows:
        raise RuntimeError(f"{name} read {seen} rows, expected {rows}")
    result = {
        "reader": name,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "mb_per_s": rows * ROW_BYTES / seconds / 1e6,
    }
    print(f"  {name:<28} {result['rows_per_s']:>12,.0f} rows/s {result['mb_per_s']:>9.1f} MB/s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--page-size", type=int, default=1024)
    parser.add_argument("--address")
    parser.add_argument("--out", default=str(Path(__file__).with_name("scan_throughput.json")))
    args = parser.parse_args(argv)

    endpoint = external_endpoint(args.address) if args.address else external_endpoint()
    node = None
    if endpoint is None:
        node = IgniteNode(region_max_size=4 << 30, heap_options=("-Xms1g", "-Xmx2g")).start()
        endpoint = (node.host, node.port)
    host, port = endpoint
    try:
        with Client(host, port) as client:
            load(client, args.rows)

            def numpy_scan() -> int:
                n = 0
                for batch in client.scan(CACHE, page_size=args.page_size, batch_size=4096):
                    n += len(batch["key"])
                return n

            results = [timed("ignite_tf numpy", numpy_scan, args.rows)]

        try:
            import tensorflow as tf

            from ignite_tf import IgniteDataset

            ds = IgniteDataset(
                CACHE, host=host, port=port, page_size=args.page_size, batch_size=4096
            )

            def tf_batched() -> int:
                return sum(int(b["key"].shape[0]) for b in ds.batch(4096))

            def tf_elements() -> int:
                n = 0
                for _ in ds:
                    n += 1
                return n

            results.append(timed("ignite_tf tf.data batched", tf_batched, args.rows))
            results.append(timed("ignite_tf tf.data elements", tf_elements, args.rows))
            del tf
        except ImportError:
            print("  (TensorFlow absent: tf.data readers skipped)")

        try:
            from pyignite import Client as PyIgniteClient

            def pyignite_scan() -> int:
                c = PyIgniteClient()
                with c.connect(host, port):
                    cache = c.get_cache(CACHE)
                    n = 0
                    with cache.scan(page_size=args.page_size) as cursor:
                        for _ in cursor:
                            n += 1
                    return n

            results.append(
                timed(f"pyignite scan (page {args.page_size})", pyignite_scan, args.rows)
            )
        except ImportError:
            print("  (pyignite absent: skipped)")
    finally:
        if node is not None:
            node.stop()

    base = results[0]["rows_per_s"]
    for r in results:
        r["ratio_to_ignite_tf_numpy"] = r["rows_per_s"] / base
    report = {
        "workload": f"{args.rows} rows of {{label:int, pixels:byte[784]}}",
        "page_size": args.page_size,
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "results": results,
    }
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(json.dumps([(r["reader"], round(r["ratio_to_ignite_tf_numpy"], 3)) for r in results]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
