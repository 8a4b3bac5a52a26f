"""fsspec filesystem for igfs:// (files kept in Ignite caches, or in Ignite 2.8's own IGFS).

Registered for the ``igfs`` protocol through the ``fsspec.specs`` entry point, so pandas, PyArrow
and TensorBoard (without TensorFlow) open igfs:// paths::

    import pandas as pd
    df = pd.read_csv("igfs://localhost:10800/data/table.csv")

    import fsspec
    fs = fsspec.filesystem("igfs", host="localhost", port=10800)
    fs.ls("/data")

It uses the same C++ filesystems as the TensorFlow plugin. ``igfs:///path`` (no host) uses
IGFS_HOST / IGFS_PORT, then localhost:10800. The port's protocol picks the backend: a thin-client
port (any Ignite 2.x) keeps files in caches, an IGFS endpoint of Ignite 2.8 (port 10500) serves its
own IGFS; ``protocol="thin"|"native"`` (or IGFS_PROTOCOL, or ``?protocol=`` in a URL) chooses
without asking. IGFS_FS_NAME picks the filesystem (the cache store's default is ``default``; an
IGFS endpoint's, its one IGFS). A timeout of 0 or less means none.
"""

from __future__ import annotations

import io
import os
from typing import Any

from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

from ignite_tf._options import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    KEYWORDS,
    _core,
    connection_options,
    environment,
    native,
    warn_if_unverified,
)

__all__ = ["IgfsFile", "IgfsFileSystem"]


def _split(url: str) -> tuple[list[tuple[str, int]], str, dict[str, Any]]:
    """The nodes, path and query options of an igfs URL (no authority: IGFS_HOST/IGFS_PORT)."""
    env = environment("igfs")
    return _core.parse_igfs_uri(
        url, env.get("host", DEFAULT_HOST), int(env.get("port", DEFAULT_PORT))
    )


def _authority(nodes: list[tuple[str, int]]) -> str:
    """ "h1:p1,h2:p2" (IPv6 hosts in brackets), as an igfs URL names the nodes."""
    return ",".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in nodes)


class IgfsFileSystem(AbstractFileSystem):
    """An igfs filesystem on one Ignite cluster (one thin-client connection).

    >>> fs = IgfsFileSystem(host="localhost", port=10800)
    >>> fs = IgfsFileSystem(host=["node1:10800", "node2:10800"])   # any node that answers
    >>> fsspec.open("igfs://node1:10800,node2:10800/data.csv")        # the same, in a URL
    >>> with fs.open("/hello.txt", "wb") as f:
    ...     f.write(b"Hello, world!")

    Secured clusters take the options of :class:`ignite_tf.Client` (``username``, ``password``,
    ``tls``, ``ca_file``, ``ca_dir``, ``certfile``, ``keyfile``, ``cert_password``,
    ``tls_server_name``, ``tls_insecure_skip_verify``), as keyword arguments or fsspec
    ``storage_options``; the non-secret ones also as URI query parameters
    (``igfs://host:port/path?ca_file=/etc/ca.pem``). What none of these gives comes from
    ``IGNITE_DATASET_USERNAME``, ``_PASSWORD``, ``_CERT_PASSWORD``, ``_CERTFILE``, ``_KEYFILE``,
    ``_CA_FILE``, ``_CA_DIR`` and ``_TLS_SERVER_NAME``. Secrets never appear in the repr.
    """

    protocol = "igfs"
    root_marker = "/"

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        fs_name: str | None = None,
        block_size: int = 1 << 20,
        timeout: float = 30.0,
        *,
        username: str | None = None,
        password: str | None = None,
        tls: bool | None = None,
        ca_file: str | os.PathLike[str] | None = None,
        ca_dir: str | os.PathLike[str] | None = None,
        certfile: str | os.PathLike[str] | None = None,
        keyfile: str | os.PathLike[str] | None = None,
        cert_password: str | None = None,
        tls_server_name: str | None = None,
        tls_insecure_skip_verify: bool = False,
        connect_timeout: float = 10.0,
        protocol: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        env = environment("igfs")
        hosts = host or env.get("host") or DEFAULT_HOST
        # None: the backend's default ("default" for the cache store, the node's one IGFS).
        self.fs_name = fs_name or env.get("fs_name") or None
        # Every keyword of this signature that is a connection option, as given.
        given = {name: value for name, value in locals().items() if name in KEYWORDS}
        # `host` may name several nodes ("h1:10800,h2" or a list): the first that answers serves.
        options = connection_options(hosts, int(port or env.get("port") or DEFAULT_PORT), **given)
        self.host, self.port = options.host, options.port  # the first node
        self.nodes = list(options.addresses)  # every node given, for igfs:// URLs
        # What neither the arguments nor the URI give comes from the environment.
        options.fill_from(
            connection_options(
                **{k: v for k, v in env.items() if k not in ("host", "port", "fs_name", "protocol")}
            )
        )
        options.validate()
        warn_if_unverified(options, "igfs over TLS", stacklevel=2)
        if isinstance(block_size, bool) or not isinstance(block_size, int):
            raise TypeError(f"block_size must be an int (bytes), not {type(block_size).__name__}")
        protocol = protocol or env.get("protocol") or "auto"
        self.store = native(_core.IgfsStore, options, self.fs_name, block_size, protocol)
        self.protocol_in_use = self.store.protocol  # "thin" or "native": what the port spoke
        self.tls = options.tls_enabled
        self.username = options.username or None

    def __repr__(self) -> str:
        extra = ", tls=True" if self.tls else ""
        if self.username:
            extra += f", username={self.username!r}"
        if len(self.nodes) > 1:
            return f"IgfsFileSystem({_authority(self.nodes)!r}{extra})"
        return f"IgfsFileSystem({self.host!r}, {self.port}{extra})"

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = str(path)
        if path.startswith("igfs://"):
            path = _split(path)[1]
        path = "/" + path.strip("/")
        return path

    @staticmethod
    def _get_kwargs_from_urls(path: str) -> dict[str, Any]:
        if not path.startswith("igfs://"):
            return {}
        nodes, _, options = _split(path)
        if path.startswith("igfs:///"):
            return options
        if len(nodes) > 1:
            return {"host": _authority(nodes), **options}
        (host, port), *_ = nodes
        return {"host": host, "port": port, **options}

    def unstrip_protocol(self, name: str) -> str:
        return f"igfs://{_authority(self.nodes)}{self._strip_protocol(name)}"

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path)
        try:  # a directory (what walk, find and glob list): no stat of its own before
            entries = self.store.ls(path)
        except NotADirectoryError:  # a file lists itself (a path under a file raises again)
            entries = [self.store.info(path)]
        return entries if detail else [e["name"] for e in entries]

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.store.info(self._strip_protocol(path))

    def exists(self, path: str, **kwargs: Any) -> bool:
        try:
            self.info(path)
            return True
        except OSError:
            return False

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        path = self._strip_protocol(path)
        if create_parents:
            self.store.makedirs(path)
        else:
            self.store.mkdir(path)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        path = self._strip_protocol(path)
        if not exist_ok and self.exists(path):
            raise FileExistsError(path)
        self.store.makedirs(path)

    def rmdir(self, path: str) -> None:
        self.store.rmdir(self._strip_protocol(path))

    def _rm(self, path: str) -> None:
        path = self._strip_protocol(path)
        if self.isdir(path):
            self.store.rmdir(path)
        else:
            self.store.rm_file(path)

    def rm_file(self, path: str) -> None:
        self.store.rm_file(self._strip_protocol(path))

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        paths = path if isinstance(path, list) else [path]
        for p in paths:
            p = self._strip_protocol(p)
            if recursive and maxdepth is None:
                self.store.rm_recursive(p)
            else:
                super().rm(p, recursive=recursive, maxdepth=maxdepth)
        self.invalidate_cache()

    def mv(self, path1: str, path2: str, recursive: bool = False, maxdepth: Any = None, **kw: Any):
        """Renames (a file atomically replaces an existing destination file)."""
        self.store.rename(self._strip_protocol(path1), self._strip_protocol(path2))
        self.invalidate_cache()

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        self.store.copy(self._strip_protocol(path1), self._strip_protocol(path2))

    def created(self, path: str) -> Any:
        return self.modified(path)

    def modified(self, path: str) -> Any:
        import datetime

        return datetime.datetime.fromtimestamp(self.info(path)["mtime"], datetime.timezone.utc)

    def gc(self, min_age_seconds: float = 3600.0) -> dict[str, int]:
        """Deletes orphan blocks (of killed writers) older than ``min_age_seconds``."""
        return self.store.gc(min_age_seconds)

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> IgfsFile:
        return IgfsFile(
            self,
            self._strip_protocol(path),
            mode=mode,
            block_size=block_size or "default",
            autocommit=autocommit,
            cache_options=cache_options,
            **kwargs,
        )


class IgfsFile(AbstractBufferedFile):
    """A file of :class:`IgfsFileSystem`: reads fetch blocks; writes stream and publish on close."""

    DEFAULT_BLOCK_SIZE = 1 << 20

    def __init__(self, fs: IgfsFileSystem, path: str, mode: str = "rb", **kwargs: Any) -> None:
        self._reader = None
        self._writer = None
        if mode == "ab":
            # Appends go to the store's own append (same content id), not a rewrite.
            self._writer = fs.store.open_write(path, append=True)
            kwargs.pop("size", None)
            super().__init__(fs, path, mode="wb", **kwargs)
            self.mode = "ab"
            self.loc = self._writer.tell()
            return
        if mode == "wb":  # open now, so a bad path fails at open(), not at close()
            self._writer = fs.store.open_write(path, append=False)
        if mode == "rb":
            self._reader = fs.store.open_read(path)
            kwargs["size"] = self._reader.length
        super().__init__(fs, path, mode=mode, **kwargs)

    def _fetch_range(self, start: int, end: int) -> bytes:
        assert self._reader is not None
        return self._reader.read(start, end - start)

    def _initiate_upload(self) -> None:
        if self._writer is None:
            self._writer = self.fs.store.open_write(self.path, append=False)

    def _push(self) -> None:
        """Streams the buffered bytes to the store (not yet visible to readers)."""
        if self._writer is None:
            self._initiate_upload()
        data = self.buffer.getvalue()
        if data:
            self._writer.write(data)
            self.offset = (self.offset or 0) + len(data)
        self.buffer = io.BytesIO()

    def _upload_chunk(self, final: bool = False) -> bool:
        self._push()
        if final:
            self._writer.close()
        return True

    def write(self, data: Any) -> int:
        if self.mode not in ("wb", "ab"):
            raise ValueError("File not in write mode")
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        n = self.buffer.write(data)
        self.loc += n
        if self.buffer.tell() >= self.blocksize:
            self._push()
        return n

    def flush(self, force: bool = False) -> None:
        """Publishes what is written so far (readers see it); ``force`` also closes."""
        if self.mode not in ("wb", "ab") or self.closed:
            return
        if force:
            if not self.forced:
                self._upload_chunk(final=True)
                self.forced = True
            return
        self._push()
        self._writer.sync()

    def close(self) -> None:
        if not hasattr(self, "mode") or self.closed:  # construction failed, or closed
            return
        if self.mode in ("wb", "ab"):
            if not self.forced:
                self.flush(force=True)
            self.closed = True
            self.fs.invalidate_cache(self.path)
            return
        super().close()

    def discard(self) -> None:
        """Drops a file being written without publishing it (on the cache store; Ignite 2.8's
        IGFS keeps what was already sent)."""
        if self._writer is not None:
            self._writer.abort()
        self.closed = True
