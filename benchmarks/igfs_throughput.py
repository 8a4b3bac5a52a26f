"""igfs:// throughput: writes and reads one file through tf.io.gfile on igfs and on local disk,
and prints MB/s and the igfs/local ratios (and writes them as JSON).

    python benchmarks/igfs_throughput.py --mb 1024              # starts a local Ignite node
    python benchmarks/igfs_throughput.py --address host:port    # against a node you run

The local file is read twice: right after it was written (from the page cache, i.e. memory
speed) and again after its pages were dropped from the cache (posix_fadvise DONTNEED after
fsync, which touches only that file), which is the disk's own read speed. Local writes go to
the page cache (no fsync), as tf.io.gfile's do. The issue's target compares igfs reads with
local disk reads: igfs/local >= 0.5.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write(tf, path: str, mb: int, chunk: bytes) -> float:
    n = mb * (1 << 20) // len(chunk)
    started = time.perf_counter()
    with tf.io.gfile.GFile(path, "wb") as f:
        for i in range(n):
            f.write(chunk)
            if (i + 1) % max(1, n // 4) == 0:
                print(f"  {path}: wrote {(i + 1) * len(chunk) >> 20} MB", flush=True)
    return mb / (time.perf_counter() - started)


def read(tf, path: str, mb: int, chunk: bytes) -> float:
    started = time.perf_counter()
    got = 0
    with tf.io.gfile.GFile(path, "rb") as f:
        while data := f.read(len(chunk)):
            got += len(data)
    seconds = time.perf_counter() - started
    if got != mb << 20:
        raise SystemExit(f"{path}: read {got} bytes, wrote {mb << 20}")
    return mb / seconds


def drop_from_page_cache(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="file size in MB")
    parser.add_argument("--address", help="host:port of a running node (default: start one)")
    parser.add_argument(
        "--out",
        default=str(HERE / "results" / "igfs_throughput.json"),
        help="JSON result file ('' for none)",
    )
    parser.add_argument("--tmpdir", help="local directory to compare with (default: $TMPDIR)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.address:
            host, port = args.address.rsplit(":", 1)
            node_desc = "given (--address)"
        else:
            from ignite_tf.testing import IgniteNode

            node = stack.enter_context(IgniteNode(region_max_size=(args.mb + 512) << 20))
            host, port = node.host, str(node.port)
            node_desc = "started by the benchmark"
        os.environ["IGFS_HOST"], os.environ["IGFS_PORT"] = host, port
        import tensorflow as tf

        import ignite_tf  # noqa: F401

        chunk = os.urandom(8 << 20)
        tmp = stack.enter_context(tempfile.TemporaryDirectory(dir=args.tmpdir))
        local = os.path.join(tmp, "bench.bin")
        local_w = write(tf, local, args.mb, chunk)
        local_cached_r = read(tf, local, args.mb, chunk)
        drop_from_page_cache(local)
        local_disk_r = read(tf, local, args.mb, chunk)
        os.remove(local)
        remote = "igfs:///bench.bin"
        igfs_w = write(tf, remote, args.mb, chunk)
        igfs_r = read(tf, remote, args.mb, chunk)
        tf.io.gfile.remove(remote)
        print(f"file size: {args.mb} MB, chunks of 8 MB")
        print(f"local disk  write {local_w:8.1f} MB/s   read {local_disk_r:8.1f} MB/s (disk)")
        print(f"{'':35}read {local_cached_r:8.1f} MB/s (page cache)")
        print(f"igfs        write {igfs_w:8.1f} MB/s   read {igfs_r:8.1f} MB/s")
        print(
            f"igfs/local  write {igfs_w / local_w:8.2f}        read {igfs_r / local_disk_r:8.2f} "
            f"(disk), {igfs_r / local_cached_r:.2f} (page cache); target read >= 0.50 (disk)"
        )
        if args.out:
            report = {
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "tensorflow": tf.__version__,
                    "node": node_desc,
                },
                "file_mb": args.mb,
                "chunk_bytes": len(chunk),
                "mb_per_s": {
                    "local_write": local_w,
                    "local_read_disk": local_disk_r,
                    "local_read_page_cache": local_cached_r,
                    "igfs_write": igfs_w,
                    "igfs_read": igfs_r,
                },
                "ratios": {
                    "write": igfs_w / local_w,
                    "read_vs_disk": igfs_r / local_disk_r,
                    "read_vs_page_cache": igfs_r / local_cached_r,
                },
                "target": "igfs read >= 0.5 x local disk read",
                "target_met": igfs_r / local_disk_r >= 0.5,
            }
            Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
            print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
