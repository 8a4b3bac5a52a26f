"""igfs:// throughput: writes and reads one file through tf.io.gfile on igfs and on local disk,
and prints MB/s and the igfs/local ratios.

    python benchmarks/igfs_throughput.py --mb 1024              # starts a local Ignite node
    python benchmarks/igfs_throughput.py --address host:port    # against a node you run

Local reads usually come from the page cache (the file was just written), so the read ratio is
against memory speed, not the disk's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time


def run(tf, path: str, mb: int, chunk: bytes) -> tuple[float, float]:
    n = mb * (1 << 20) // len(chunk)
    started = time.perf_counter()
    with tf.io.gfile.GFile(path, "wb") as f:
        for i in range(n):
            f.write(chunk)
            if (i + 1) % max(1, n // 4) == 0:
                print(f"  {path}: wrote {(i + 1) * len(chunk) >> 20} MB", flush=True)
    write = time.perf_counter() - started
    started = time.perf_counter()
    with tf.io.gfile.GFile(path, "rb") as f:
        while f.read(len(chunk)):
            pass
    read = time.perf_counter() - started
    tf.io.gfile.remove(path)
    return mb / write, mb / read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="file size in MB")
    parser.add_argument("--address", help="host:port of a running node (default: start one)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.address:
            host, port = args.address.rsplit(":", 1)
        else:
            from ignite_tf.testing import IgniteNode

            node = stack.enter_context(IgniteNode(region_max_size=(args.mb + 512) << 20))
            host, port = node.host, str(node.port)
        os.environ["IGFS_HOST"], os.environ["IGFS_PORT"] = host, port
        import tensorflow as tf

        import ignite_tf  # noqa: F401

        chunk = os.urandom(8 << 20)
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        local_w, local_r = run(tf, os.path.join(tmp, "bench.bin"), args.mb, chunk)
        igfs_w, igfs_r = run(tf, "igfs:///bench.bin", args.mb, chunk)
        print(f"file size: {args.mb} MB, chunks of 8 MB")
        print(f"local disk  write {local_w:8.1f} MB/s   read {local_r:8.1f} MB/s")
        print(f"igfs        write {igfs_w:8.1f} MB/s   read {igfs_r:8.1f} MB/s")
        print(f"igfs/local  write {igfs_w / local_w:8.2f}        read {igfs_r / local_r:8.2f}")


if __name__ == "__main__":
    main()
