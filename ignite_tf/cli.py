"""``ignite-tf`` command line: a local Ignite node, the demo, the igfs:// store, caches and loads.

::

  ignite-tf node --port 10800                # a real Ignite node in the foreground, Ctrl-C stops it
  ignite-tf demo                             # the main job (see ignite_tf.demo)
  ignite-tf fs ls -l igfs://localhost:10800/ckpt # like `hdfs dfs` / `gsutil`: ls cat cp rm du mkdir
  ignite-tf fs cp -r ./logs igfs:///runs/1   # local <-> igfs, igfs <-> igfs (either backend)
  ignite-tf caches                           # names, sizes, partitions, mode and backups
  ignite-tf load points.csv --cache POINTS --key ID      # CSV, Parquet or .npz into a cache
  ignite-tf load points.parquet --table POINTS --primary-key ID --create   # or a SQL table

The cluster: ``--host`` / ``--port`` (several nodes: ``--host h1:10800,h2:10800``), else
``IGNITE_DATASET_HOST`` / ``IGNITE_DATASET_PORT``, else localhost:10800; credentials only from
``IGNITE_DATASET_USERNAME`` / ``IGNITE_DATASET_PASSWORD`` (never on a command line), TLS files from
the flags or their ``IGNITE_DATASET_*`` variables. igfs:// URLs name their node themselves
(``igfs:///path``: ``IGFS_HOST`` / ``IGFS_PORT``), on either backend (see the README).

Exit status: 0 done, 1 an error (the message on stderr, one line), 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

CHUNK = 8 << 20


class CliError(Exception):
    """An error to report in one line and exit 1 with."""


# ---- node and demo


def _node(args: argparse.Namespace) -> int:
    from ignite_tf.testing import IgniteNode

    node = IgniteNode(client_port=args.port)
    node.start()
    print(f"Ignite node up: thin-client port {node.address}; log {node.log_path}. Ctrl-C stops it.")
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
    return 0


# ---- the cluster


def _client(args: argparse.Namespace) -> Any:
    from ignite_tf import Client
    from ignite_tf._options import DEFAULT_HOST, DEFAULT_PORT, KEYWORDS, environment

    env = environment("SqlDataset")
    options = {k: v for k, v in env.items() if k in KEYWORDS}
    for flag in ("ca_file", "certfile", "keyfile", "tls_server_name"):
        if getattr(args, flag, None):
            options[flag] = getattr(args, flag)
    if getattr(args, "tls", False):
        options["tls"] = True
    host = args.host or env.get("host") or DEFAULT_HOST
    port = int(args.port or env.get("port") or DEFAULT_PORT)
    return Client(host, port, timeout=args.timeout, **options)


def _caches(args: argparse.Namespace) -> int:
    with _client(args) as client:
        names = sorted(client.cache_names())
        rows = [("CACHE", "SIZE", "PARTITIONS", "MODE", "BACKUPS")]
        for name in names:
            config = client.cache_configuration(name)
            rows.append(
                (
                    name,
                    str(client.size(name)),
                    str(len(client.partitions(name))),
                    str(config.get("mode", "")),
                    str(config.get("backups", "")),
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths))
            ).rstrip()
        )
    return 0


def _read_table(path: str) -> Any:
    """A pandas DataFrame (CSV, Parquet) or a dict of arrays (.npz) from a local path or URL."""
    lower = path.lower().split("?", 1)[0]
    if lower.endswith(".npz"):
        import fsspec
        import numpy as np

        with fsspec.open(path, "rb") as f, np.load(f, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    import pandas as pd

    if lower.endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    if lower.endswith((".csv", ".csv.gz", ".tsv")):
        return pd.read_csv(path, sep="\t" if lower.endswith(".tsv") else ",")
    raise CliError(f"{path}: cannot tell the format; name it .csv, .tsv, .parquet or .npz")


def _load(args: argparse.Namespace) -> int:
    if (args.cache is None) == (args.table is None):
        raise CliError("give --cache NAME or --table NAME (one of them)")
    if not args.file.startswith("igfs://") and not os.path.exists(args.file):
        raise CliError(f"{args.file}: no such file")
    data = _read_table(args.file)
    started = time.monotonic()
    with _client(args) as client:
        if args.cache is not None:
            rows = client.write(
                args.cache, data, key=args.key, type_name=args.type_name, progress=not args.quiet
            )
            where = f"cache {args.cache}"
        else:
            rows = client.write_table(
                args.table,
                data,
                primary_key=args.primary_key,
                create=args.create,
                progress=not args.quiet,
            )
            where = f"table {args.table}"
    seconds = time.monotonic() - started
    print(f"loaded {rows:,} rows from {args.file} into {where} in {seconds:.1f} s")
    return 0


# ---- the igfs:// store


def _is_igfs(target: str) -> bool:
    return target.startswith("igfs://")


def _filesystem(url: str) -> tuple[Any, str]:
    """The igfs filesystem serving `url` (one per node and options) and the path in it."""
    from ignite_tf.fsspec import IgfsFileSystem

    return IgfsFileSystem(**IgfsFileSystem._get_kwargs_from_urls(url)), (
        IgfsFileSystem._strip_protocol(url)
    )


def _join(base: str, name: str) -> str:
    """`base` + "/" + `name`, keeping an igfs URL's query at the end."""
    if not _is_igfs(base):
        return os.path.join(base, name)
    path, sep, query = base.partition("?")
    return f"{path.rstrip('/')}/{name}{sep}{query}"


def _base(target: str) -> str:
    """The last component of a local path or igfs URL."""
    path = target.partition("?")[0] if _is_igfs(target) else target
    return path.rstrip("/").rsplit("/", 1)[-1]


def _igfs_url(url: str, path: str) -> str:
    """The URL of `path` on the node `url` names (as the user wrote it, query kept)."""
    head, sep, query = url.partition("?")
    scheme_end = head.index("://") + 3
    slash = head.find("/", scheme_end)
    authority = head[scheme_end:] if slash < 0 else head[scheme_end:slash]
    return f"igfs://{authority}{path}{sep}{query}"


def _stat(target: str) -> dict | None:
    """{"type": "file"|"directory", "size": n} of a local path or igfs URL; None when absent."""
    if _is_igfs(target):
        fs, path = _filesystem(target)
        try:
            return fs.info(path)
        except FileNotFoundError:
            return None
    if not os.path.exists(target):
        return None
    is_dir = os.path.isdir(target)
    return {
        "type": "directory" if is_dir else "file",
        "size": 0 if is_dir else os.path.getsize(target),
    }


def _children(target: str) -> list[tuple[str, dict]]:
    """A directory's entries as (name, {"type": ...}), typed by the listing itself (no stats)."""
    if _is_igfs(target):
        fs, path = _filesystem(target)
        return [(entry["name"].rsplit("/", 1)[-1], entry) for entry in fs.ls(path, detail=True)]
    with os.scandir(target) as entries:
        typed = [(e.name, {"type": "directory" if e.is_dir() else "file"}) for e in entries]
    return sorted(typed, key=lambda child: child[0])


def _open(target: str, mode: str) -> BinaryIO:
    if _is_igfs(target):
        fs, path = _filesystem(target)
        return fs.open(path, mode, block_size=CHUNK)
    return open(target, mode)  # noqa: SIM115 - closed by the caller's with


def _copy_file(src: str, dst: str) -> int:
    copied = 0
    with _open(src, "rb") as fin, _open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            fout.write(chunk)
            copied += len(chunk)
    return copied


def _mkdirs(target: str) -> None:
    if _is_igfs(target):
        fs, path = _filesystem(target)
        fs.makedirs(path, exist_ok=True)
    else:
        os.makedirs(target, exist_ok=True)


def _copy(src: str, dst: str, recursive: bool) -> int:
    """Copies `src` to `dst`, or into it when it is a directory; returns the bytes copied."""
    info = _stat(src)
    if info is None:
        raise CliError(f"{src}: no such file or directory")
    into = _stat(dst)
    if into is not None and into["type"] == "directory":
        dst = _join(dst, _base(src))
    return _copy_to(src, info, dst, recursive)


def _copy_to(src: str, info: dict, dst: str, recursive: bool) -> int:
    if info["type"] == "file":
        return _copy_file(src, dst)
    if not recursive:
        raise CliError(f"{src} is a directory (copy it with -r)")
    _mkdirs(dst)
    total = 0
    for name, child_info in _children(src):
        total += _copy_to(_join(src, name), child_info, _join(dst, name), True)
    return total


def _walk(fs: Any, path: str) -> Iterator[dict]:
    for entry in fs.ls(path, detail=True):
        yield entry
        if entry["type"] == "directory":
            yield from _walk(fs, entry["name"])


def _human(n: float) -> str:
    for unit in ("B", "K", "M", "G", "T"):
        if n < 1024 or unit == "T":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return str(n)


def _need_igfs(url: str) -> None:
    if not _is_igfs(url):
        raise CliError(f"{url}: not an igfs:// URL (igfs://host:port/path, or igfs:///path)")


def _fs(args: argparse.Namespace) -> int:
    op = args.op
    if op == "cp":
        if not (_is_igfs(args.src) or _is_igfs(args.dst)):
            raise CliError("one side of cp must be an igfs:// URL (use cp for local copies)")
        n = _copy(args.src, args.dst, args.recursive)
        if not args.quiet:
            print(f"copied {n:,} bytes", file=sys.stderr)
        return 0
    for url in args.urls:
        _need_igfs(url)
    if op == "ls":
        for url in args.urls:
            fs, path = _filesystem(url)
            info = fs.info(path)  # the one stat; the listings below type their entries
            if info["type"] == "file":
                entries = [info]
            elif args.recursive:
                entries = list(_walk(fs, path))
            else:
                entries = fs.ls(path)
            for e in entries:
                name = _igfs_url(url, e["name"]) if args.url else e["name"]
                if args.long:
                    kind = "d" if e["type"] == "directory" else "-"
                    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.get("mtime", 0)))
                    size = _human(e["size"]) if args.human else str(e["size"])
                    print(f"{kind} {size:>12} {when} {name}")
                else:
                    print(name)
    elif op == "cat":
        out = sys.stdout.buffer
        for url in args.urls:
            with _open(url, "rb") as f:
                while chunk := f.read(CHUNK):
                    out.write(chunk)
        out.flush()
    elif op == "rm":
        for url in args.urls:
            fs, path = _filesystem(url)
            info = fs.info(path)
            if info["type"] == "directory" and not args.recursive:
                raise CliError(f"{url} is a directory (remove it with -r)")
            fs.rm(path, recursive=args.recursive)
    elif op == "mkdir":
        for url in args.urls:
            fs, path = _filesystem(url)
            if args.parents:
                fs.makedirs(path, exist_ok=True)
            else:
                fs.mkdir(path, create_parents=False)
    elif op == "du":
        for url in args.urls:
            fs, path = _filesystem(url)
            info = fs.info(path)
            rows = (
                [(path, info)]
                if args.summarize or info["type"] == "file"
                else [(e["name"], e) for e in fs.ls(path)]
            )
            for name, entry in rows:
                size = (
                    entry["size"]
                    if entry["type"] == "file"
                    else sum(e["size"] for e in _walk(fs, name) if e["type"] == "file")
                )
                print(f"{_human(size) if args.human else size}\t{name}")
    return 0


# ---- the parser


def _cluster_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="node(s): host or host:port, comma-separated")
    p.add_argument("--port", type=int, help="thin-client port of hosts without one (10800)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    p.add_argument("--tls", action="store_true", help="connect over TLS")
    p.add_argument("--ca-file", dest="ca_file", help="CA certificates (PEM)")
    p.add_argument("--certfile", help="client certificate chain (PEM)")
    p.add_argument("--keyfile", help="client private key (PEM)")
    p.add_argument("--tls-server-name", dest="tls_server_name", help="name the server proves")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ignite-tf", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    node = sub.add_parser("node", help="run a local Apache Ignite node")
    node.add_argument("--port", type=int, default=10800, help="thin-client port")
    demo = sub.add_parser("demo", help="load data into Ignite and train a model from it")
    demo.add_argument("rest", nargs=argparse.REMAINDER)

    caches = sub.add_parser("caches", help="list the caches: size, partitions, mode, backups")
    _cluster_options(caches)
    load = sub.add_parser("load", help="load a CSV, Parquet or .npz file into a cache or table")
    load.add_argument("file", help="a local path, or a URL fsspec opens (igfs://, ...)")
    load.add_argument("--cache", help="cache to write (one entry per row)")
    load.add_argument("--key", help="the column holding the keys (default: row numbers)")
    load.add_argument("--type-name", dest="type_name", help="binary type of the values")
    load.add_argument("--table", help="SQL table to write instead")
    load.add_argument("--primary-key", dest="primary_key", help="the table's key column(s)")
    load.add_argument("--create", action="store_true", help="create the table from the dtypes")
    load.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _cluster_options(load)

    fs = sub.add_parser("fs", help="the igfs:// store: ls cat cp rm du mkdir")
    ops = fs.add_subparsers(dest="op", required=True)
    ls = ops.add_parser("ls", help="list directories (a file lists itself)")
    ls.add_argument("-l", dest="long", action="store_true", help="type, size, time")
    ls.add_argument("-R", dest="recursive", action="store_true", help="everything under")
    ls.add_argument("-H", dest="human", action="store_true", help="sizes as 1.5M")
    ls.add_argument("--url", action="store_true", help="print igfs:// URLs, not paths")
    ls.add_argument("urls", nargs="+")
    cat = ops.add_parser("cat", help="write files to stdout")
    cat.add_argument("urls", nargs="+")
    cp = ops.add_parser("cp", help="copy between local paths and igfs:// (either way)")
    cp.add_argument("-r", dest="recursive", action="store_true", help="directories too")
    cp.add_argument("-q", dest="quiet", action="store_true", help="no byte count")
    cp.add_argument("src")
    cp.add_argument("dst")
    rm = ops.add_parser("rm", help="remove files (directories with -r)")
    rm.add_argument("-r", dest="recursive", action="store_true")
    rm.add_argument("urls", nargs="+")
    mkdir = ops.add_parser("mkdir", help="make a directory")
    mkdir.add_argument("-p", dest="parents", action="store_true", help="and its parents")
    mkdir.add_argument("urls", nargs="+")
    du = ops.add_parser("du", help="bytes of files under each path")
    du.add_argument("-s", dest="summarize", action="store_true", help="one total per path")
    du.add_argument("-H", dest="human", action="store_true", help="sizes as 1.5M")
    du.add_argument("urls", nargs="+")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "node":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        return _node(args)
    if args.command == "demo":
        from ignite_tf import demo as demo_module

        return demo_module.main(args.rest)
    from ignite_tf.errors import IgniteError

    run = {"caches": _caches, "load": _load, "fs": _fs}[args.command]
    try:
        return run(args)
    except KeyboardInterrupt:
        print("ignite-tf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ignite-tf fs cat ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CliError, IgniteError, OSError, ValueError) as err:
        message = str(err) or type(err).__name__
        if isinstance(err, FileNotFoundError) and not str(err).startswith("igfs"):
            message = f"{err.filename or message}: no such file or directory"
        print(f"ignite-tf: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
