"""The NumPy-level API: a thin client whose scans yield batches of column arrays.

Works without TensorFlow::

    from ignite_tf import Client
    with Client("localhost", 10800) as client:
        for batch in client.scan("SQL_PUBLIC_KITTEN_CACHE", page_size=1024):
            print(batch["key"], batch["val.NAME"])   # NumPy arrays, one entry per row
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from ignite_tf import _writing
from ignite_tf._options import KEYWORDS, _core, connection_options, warn_if_unverified
from ignite_tf.errors import CacheNotFoundError, IgniteError, IgniteValueError

__all__ = ["Client", "RaggedColumn", "Scan", "SqlResult", "Column", "Schema"]


_DECIMALS = ("float64", "string")
# Reads: pages of about 16 MiB at most, batches of 16 MiB at most (see Client.scan): large rows
# come a page to a batch. Batches of 64 MiB read 1 MiB rows 10-15% slower: the batches alive at
# once (prefetched, decoding, held by the consumer) outgrew the core's cache of freed blocks, so
# every batch faulted in fresh memory.
DEFAULT_PAGE_BYTES = 16 << 20
DEFAULT_BATCH_BYTES = 16 << 20
_TIMESTAMP_UNITS = ("ns", "us", "ms")


def _check_representation(decimals: str, timestamp_unit: str) -> None:
    if decimals not in _DECIMALS:
        raise IgniteValueError(f"decimals must be 'float64' or 'string', not {decimals!r}")
    if timestamp_unit not in _TIMESTAMP_UNITS:
        raise IgniteValueError(f"timestamp_unit must be 'ns', 'us' or 'ms', not {timestamp_unit!r}")


class RaggedColumn:
    """A column of variable-length arrays (Ignite arrays such as ``byte[]``, object arrays,
    collections, and lists of lists).

    ``values`` holds every row's elements back to back; row ``i`` is
    ``values[row_offsets[i]:row_offsets[i + 1]]``.

    >>> col = batch["val.pixels"]
    >>> col[0]            # the first row's array
    >>> col.row_lengths   # int64 length of each row

    Large arrays (64 KiB and more) come from ``Client.scan`` as read-only views of the pages
    they arrived in, not copied: ``values`` gathers them into one flat array the first time it
    is used, and from then on rows are views of it.

    For lists of lists (an ``int[]`` field of the objects in a collection, an ``Object[]`` of
    ``int[]``, a ``List<List<String>>``) ``values`` is itself a RaggedColumn with one entry per
    inner list, so a row is a RaggedColumn of that row's inner lists, like a
    ``tf.RaggedTensor`` of ``ragged_rank`` 2:

    >>> col = batch["val.people.scores"]    # Collection<Person>, Person has int[] scores
    >>> col[0][1]         # the scores of the first row's second person (a NumPy array)
    >>> col.depth         # 2: levels of lists
    >>> col.flat_values, col.nested_row_offsets   # the ints, and (row_offsets, inner offsets)
    """

    __slots__ = ("values", "row_offsets")

    def __init__(self, values: np.ndarray | RaggedColumn, row_offsets: np.ndarray) -> None:
        self.values = values
        self.row_offsets = row_offsets

    def __len__(self) -> int:
        return len(self.row_offsets) - 1

    def __getitem__(self, i: int | slice) -> np.ndarray | RaggedColumn:
        n = len(self)
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            if step != 1:
                raise IndexError("RaggedColumn slices take every row (step 1)")
            stop = max(start, stop)
            # Shares values; the offsets keep pointing into them (they need not start at 0).
            return RaggedColumn(self.values, self.row_offsets[start : stop + 1])
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"row {i} out of range for a column of {n} rows")
        return self._row(i)

    def _row(self, i: int) -> np.ndarray | RaggedColumn:
        return self.values[self.row_offsets[i] : self.row_offsets[i + 1]]

    def __iter__(self) -> Iterator[np.ndarray | RaggedColumn]:
        for i in range(len(self)):
            yield self[i]

    @property
    def row_lengths(self) -> np.ndarray:
        return np.diff(self.row_offsets)

    @property
    def depth(self) -> int:
        """Levels of lists (1 for a list per row, 2 for a list of lists per row, ...)."""
        return 1 + (self.values.depth if isinstance(self.values, RaggedColumn) else 0)

    @property
    def flat_values(self) -> np.ndarray:
        """The innermost elements, back to back (for a slice, possibly more than its rows use)."""
        values = self.values
        return values.flat_values if isinstance(values, RaggedColumn) else values

    @property
    def nested_row_offsets(self) -> tuple[np.ndarray, ...]:
        """The offsets of every level, outermost first (``row_offsets`` and each inner
        ``row_offsets``), as ``tf.RaggedTensor.from_nested_row_splits`` takes them when they
        start at 0."""
        inner = self.values.nested_row_offsets if isinstance(self.values, RaggedColumn) else ()
        return (self.row_offsets, *inner)

    def to_list(self) -> list:
        """The rows as a list: NumPy arrays, or for lists of lists, lists of them."""
        if isinstance(self.values, RaggedColumn):
            return [row.to_list() for row in self]
        return list(self)

    def __repr__(self) -> str:
        depth = f", depth={self.depth}" if isinstance(self.values, RaggedColumn) else ""
        return f"RaggedColumn(rows={len(self)}, dtype={self.flat_values.dtype}{depth})"


# Arrays of at least this many bytes (a byte[] field of 1 MiB) reach a batch as views of the
# bytes received, not copied into their column (_ViewedRaggedColumn): on 1 MiB rows the copy cost
# nearly as much client CPU as receiving them, on cores the node needs (W1 NumPy, 2026-12-05:
# ~370 against ~200 us of CPU a row, 0.94x of the server limit against 0.97x).
_VIEW_MIN_BYTES = 64 << 10


class _ViewedRaggedColumn(RaggedColumn):
    """A RaggedColumn whose large arrays still lie in the pages they arrived in.

    Its rows are read-only arrays over those bytes; ``values`` copies them into one flat array
    the first time it is asked for (from then on rows are views of it, as in any RaggedColumn).
    Everything else behaves as in RaggedColumn.
    """

    __slots__ = ("_fill", "_rows")

    def __init__(self, fill: Any, row_offsets: np.ndarray, rows: list) -> None:
        RaggedColumn.row_offsets.__set__(self, row_offsets)
        self._fill = fill
        self._rows = rows

    @property
    def values(self) -> np.ndarray:  # type: ignore[override]
        if self._fill is not None:
            RaggedColumn.values.__set__(self, self._fill())
            self._fill = None
            self._rows = None
        return RaggedColumn.values.__get__(self, RaggedColumn)

    def _row(self, i: int) -> np.ndarray | RaggedColumn:
        return super()._row(i) if self._rows is None else self._rows[i]

    def __reduce__(self) -> tuple:
        # Pickled (for another process, copy.deepcopy) as the plain RaggedColumn it fills into:
        # the pages it views stay in this process.
        return (RaggedColumn, (self.values, self.row_offsets))


def _column(column: Any) -> Column:
    """A column as the core hands it over: an array, (values, row_offsets) pairs, nested for
    lists of lists, or (fill, row_offsets, rows) for arrays left in the received pages."""
    if isinstance(column, tuple):
        if len(column) == 3:
            return _ViewedRaggedColumn(*column)
        values, row_offsets = column
        return RaggedColumn(_column(values), row_offsets)
    return column


Column = Union[np.ndarray, RaggedColumn]
# A schema tree: a dict {field: tree} for objects, or a leaf (dtype_name, list_depth, column_path):
# list_depth 0 for one value per row, 1 for an array (a RaggedColumn), 2 for lists of lists.
Schema = Any


class Scan(Iterator[dict[str, Column]]):
    """Iterator over the batches of a scan; each batch maps column paths to columns.

    Column paths are ``"key"``, ``"val"`` for plain values, and ``"val.FIELD"`` /
    ``"val.metadata.label"`` for object fields. Fixed-width columns are NumPy arrays that share
    memory with the native buffers (64-byte aligned), strings are object arrays of ``bytes``, and
    arrays are :class:`RaggedColumn` (nested ones for lists of lists). A background thread fetches
    the next pages while you work.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._schema: tuple[Schema, Schema] | None = None
        self._skipped = 0
        self._partition_nodes: dict[int, str] = {}
        self._columns: list[str] | None = list(stream.sql_columns()) or None

    def __iter__(self) -> Scan:
        return self

    def __next__(self) -> dict[str, Column]:
        if self._stream is None:
            raise StopIteration
        batch = self._stream.next()
        if batch is None:
            self._schema = self._stream.schema()
            self.close()
            raise StopIteration
        return {path: _column(column) for path, column in batch.items()}

    @property
    def schema(self) -> tuple[Schema, Schema] | None:
        """(key_tree, val_tree), learned from the first row; None when the scan is empty."""
        if self._stream is not None and self._schema is None:
            self._schema = self._stream.schema()
        return self._schema

    @property
    def columns(self) -> list[str] | None:
        """The result's column names in query order for SQL queries, known before any row (even
        when the result is empty or its types are unknown); None for cache scans."""
        return self._columns

    @property
    def skipped_rows(self) -> int:
        """Rows left out so far because their structure did not fit (``on_mismatch="skip"``)."""
        if self._stream is not None:
            self._skipped = int(self._stream.skipped_rows())
        return self._skipped

    @property
    def partition_nodes(self) -> dict[int, str]:
        """For a read partition by partition (a cluster, ``partitions=``, ``partition=``, or
        ``deterministic=True``): the node id of the connection that served each partition
        read so far (still there after the scan ends). Empty for one whole-cache cursor."""
        if self._stream is not None:
            self._partition_nodes = dict(self._stream.partition_nodes())
        return dict(self._partition_nodes)

    def close(self) -> None:
        """Stops the prefetch thread and releases the server-side cursor."""
        if self._stream is not None:
            self._skipped = int(self._stream.skipped_rows())
            self._partition_nodes = dict(self._stream.partition_nodes())
            self._stream.close()
            self._stream = None

    def __enter__(self) -> Scan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


@dataclass
class SqlResult:
    """Rows of a SQL fields query, with the column names the server reported."""

    columns: list[str]
    rows: list[tuple]

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


# Cache settings by name, and the server's code of each value.
_CACHE_SETTING_CODES = {
    "mode": {"replicated": 1, "partitioned": 2},
    "atomicity": {"transactional": 0, "atomic": 1},
    "write_synchronization": {"full_sync": 0, "full_async": 1, "primary_sync": 2},
}
# RendezvousAffinityFunction's default partition count, the only one create_cache can give.
_DEFAULT_PARTITIONS = 1024


def _cache_settings(
    mode: str | None,
    backups: int | None,
    partitions: int | None,
    atomicity: str | None,
    write_synchronization: str | None,
) -> dict[str, int | None]:
    """The settings of create_cache as the core takes them (codes; None: not given)."""
    out: dict[str, int | None] = {}
    given = {"mode": mode, "atomicity": atomicity, "write_synchronization": write_synchronization}
    for setting, value in given.items():
        names = _CACHE_SETTING_CODES[setting]
        if value is None:
            out[setting] = None
        elif isinstance(value, str) and value.lower() in names:
            out[setting] = names[value.lower()]
        else:
            choices = ", ".join(repr(n) for n in names)
            raise IgniteValueError(f"{setting} must be one of {choices}, not {value!r}")
    if backups is not None and (isinstance(backups, bool) or not isinstance(backups, int)):
        raise IgniteValueError(f"backups must be an int, not {backups!r}")
    if backups is not None and backups < 0:
        raise IgniteValueError(f"backups must be 0 or more, not {backups}")
    out["backups"] = backups
    if partitions is not None and partitions != _DEFAULT_PARTITIONS:
        raise IgniteValueError(
            f"partitions={partitions}: the thin-client protocol cannot set a cache's partition "
            "count (Ignite's create-with-configuration request has no affinity setting), so "
            f"create_cache only takes the default, {_DEFAULT_PARTITIONS}. For another count, "
            "define a cache template with that RendezvousAffinityFunction on the nodes and "
            'create the cache through it (e.g. CREATE TABLE ... WITH "TEMPLATE=<name>").'
        )
    return out


def _partition_list(partitions: Iterable[int] | None) -> list[int]:
    """``partitions=`` as a list of ints ([] for None); an empty list or a non-integer entry is
    an IgniteValueError."""
    if partitions is None:
        return []
    chosen = list(partitions)
    if not chosen:
        raise IgniteValueError("partitions is empty: give at least one partition, or None")
    for p in chosen:
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
            raise IgniteValueError(f"partitions must be partition indices (ints), got {p!r}")
    return [int(p) for p in chosen]


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Client:
    """A client of an Apache Ignite cluster over the thin-client protocol.

    >>> with Client("localhost", 10800) as client:
    ...     client.sql("CREATE TABLE T (ID LONG PRIMARY KEY, V DOUBLE)")
    ...     client.put_all("SQL_PUBLIC_T", ...)
    >>> Client("node1:10800,node2:10800,node3")      # a cluster: several nodes
    >>> Client(["node1:10800", "node2:10800"])

    Args:
        host: a node's address, or several: ``"h1:10800,h2:10800"`` or a list or tuple of
            ``"host[:port]"`` strings (IPv6 in brackets: ``"[::1]:10800"``). They are tried in
            order; the first that answers is the default connection (a node that is down is
            skipped; when none answers, the error names each address and why). With several
            nodes and protocol 1.4+, key operations and partition scans go straight to the
            primary node of the key or partition; the other nodes are connected when first
            needed.
        port: the thin-client port of the addresses that do not give one (10800 by default).
        username, password: credentials when the cluster has authentication on.
        timeout: seconds to wait for any reply byte before failing (0 or less: forever).
        connect_timeout: seconds to wait for the TCP connection and for each byte of the TLS
            and thin-client handshakes (``timeout`` if that is shorter); 0 or less: forever.
        tls: connect over TLS. ``None`` (default): TLS when any option below is given.
        ca_file: PEM file of the CA certificate(s) that signed the node's certificate; without
            it (and ``ca_dir``) the system trust store is used.
        ca_dir: a hashed directory of CA certificates (``openssl rehash``), instead or as well.
        certfile: client certificate chain (PEM), for nodes with ``sslClientAuth``. It may also
            hold the private key, as in TensorFlow's original ``certfile``.
        keyfile: the client's private key (PEM) if it is not in ``certfile``.
        cert_password: password of an encrypted private key.
        tls_server_name: the name the node's certificate must carry (default: ``host``), also
            sent as SNI; for nodes reached by an address their certificate does not name.
        tls_insecure_skip_verify: accept any server certificate (self-signed test nodes only:
            anyone on the network path can then read and change the traffic). Warns with
            :class:`~ignite_tf.errors.IgniteInsecureTLSWarning`.

    The server certificate is always verified otherwise (chain, expiry, and name), with TLS 1.2
    or newer. Secrets (``password``, ``cert_password``) never appear in reprs or messages.
    """

    def __init__(
        self,
        host: str | list[str] | tuple[str, ...] = "localhost",
        port: int = 10800,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        tls: bool | None = None,
        ca_file: str | os.PathLike[str] | None = None,
        ca_dir: str | os.PathLike[str] | None = None,
        certfile: str | os.PathLike[str] | None = None,
        keyfile: str | os.PathLike[str] | None = None,
        cert_password: str | None = None,
        tls_server_name: str | None = None,
        tls_insecure_skip_verify: bool = False,
    ) -> None:
        # Every keyword of this signature that is a connection option, as given.
        given = {name: value for name, value in locals().items() if name in KEYWORDS}
        options = connection_options(host, port, **given)
        options.validate()
        warn_if_unverified(options, "TLS", stacklevel=2)
        self.host = options.host
        self.port = options.port
        # Every address given, "host:port" each, in the order they are tried.
        self.addresses = [_address(h, p) for h, p in options.addresses]
        self.tls = options.tls_enabled
        self.username = options.username or None
        self._native = _core.Client(options)
        # Large arrays as views of the received pages (_VIEW_MIN_BYTES); the datasets turn it off:
        # TensorFlow takes every array as one flat tensor anyway, and the copy costs less on the
        # core's decoding thread than in the map that hands batches to TensorFlow (W1 batched,
        # 2026-12-05: ~1,140 against ~1,100 rows/s).
        self._array_views = True

    def __repr__(self) -> str:
        extra = ", tls=True" if self.tls else ""
        if self.username:
            extra += f", username={self.username!r}"
        if len(self.addresses) > 1:
            return f"Client({','.join(self.addresses)!r}{extra})"
        return f"Client({self.host!r}, {self.port}{extra})"

    @property
    def tls_protocol(self) -> str | None:
        """The TLS version in use (e.g. ``"TLSv1.3"``), or ``None`` over plain TCP."""
        return self._native.tls_protocol or None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._native.close()

    @property
    def protocol_version(self) -> tuple[int, int, int]:
        """The thin-client protocol version agreed in the handshake."""
        return tuple(self._native.protocol_version)

    # Cluster --------------------------------------------------------------------------------

    def nodes(self) -> list[dict[str, Any]]:
        """The nodes this client reached: ``{"node_id": str, "host": str, "port": int}`` each,
        the default connection's first. Addresses not connected yet are tried first (the ones
        that do not answer are left out). ``node_id`` is the node's UUID as text (``""`` before
        protocol 1.4, which does not say)."""
        return [dict(node) for node in self._native.nodes()]

    def partition_map(self, cache_name: str) -> dict[int, str]:
        """Each partition of the cache and the node id of its primary node, from the server's
        partition map (protocol 1.4+). Raises IgniteError when the cache has no map the
        client can use (a replicated cache, a custom affinity function, an older server)."""
        return dict(self._native.partition_map(cache_name))

    def partition_of(self, cache_name: str, key: Any) -> int | None:
        """The partition the cache keeps ``key`` in (Ignite's key hash and
        RendezvousAffinityFunction), or None when the client cannot tell for this key's type
        (e.g. a Decimal or an array). Raises like :meth:`partition_map` without a usable map."""
        return self._native.partition_of(cache_name, key)

    def request_counts(self) -> dict[str, int]:
        """Requests sent so far over each node's connection, by node id (for tests: which node
        served an operation)."""
        return dict(self._native.request_counts())

    # Caches ---------------------------------------------------------------------------------

    def cache_names(self) -> list[str]:
        return list(self._native.cache_names())

    def create_cache(
        self,
        name: str,
        *,
        mode: str | None = None,
        backups: int | None = None,
        partitions: int | None = None,
        atomicity: str | None = None,
        write_synchronization: str | None = None,
    ) -> None:
        """Creates a cache; fails when it exists. Settings left None keep the cluster's
        defaults (partitioned, no backups, 1024 partitions, atomic, primary_sync).

        >>> client.create_cache("images", backups=1, write_synchronization="full_sync")

        Args:
            mode: ``"partitioned"`` (spread over the nodes) or ``"replicated"`` (every node
                holds all of it).
            backups: copies of each partition besides the primary (partitioned caches).
            partitions: the partition count. The thin-client protocol cannot set it (Ignite's
                create-with-configuration request carries no affinity function), so only the
                default, 1024, is accepted; set another count in a cache template on the nodes.
            atomicity: ``"atomic"`` or ``"transactional"``.
            write_synchronization: ``"full_sync"``, ``"primary_sync"`` or ``"full_async"``.
        """
        self._native.create_cache(
            name, **_cache_settings(mode, backups, partitions, atomicity, write_synchronization)
        )

    def get_or_create_cache(
        self,
        name: str,
        *,
        mode: str | None = None,
        backups: int | None = None,
        partitions: int | None = None,
        atomicity: str | None = None,
        write_synchronization: str | None = None,
    ) -> None:
        """Creates a cache unless it exists (an existing cache keeps its settings); the
        settings as in :meth:`create_cache`."""
        self._native.get_or_create_cache(
            name, **_cache_settings(mode, backups, partitions, atomicity, write_synchronization)
        )

    def cache_configuration(self, name: str) -> dict[str, Any]:
        """The cache's settings as the server reports them: ``{"mode": "partitioned",
        "backups": 1, "atomicity": "atomic", "write_synchronization": "primary_sync"}``."""
        codes = self._native.cache_configuration(name)
        out: dict[str, Any] = {"backups": int(codes["backups"])}
        for setting, names in _CACHE_SETTING_CODES.items():
            by_code = {code: text for text, code in names.items()}
            out[setting] = by_code.get(codes[setting], str(codes[setting]))
        return out

    def destroy_cache(self, name: str) -> None:
        self._native.destroy_cache(name)

    def size(self, cache_name: str) -> int:
        return int(self._native.size(cache_name))

    def clear(self, cache_name: str) -> None:
        self._native.clear(cache_name)

    def partitions(self, cache_name: str) -> list[int]:
        """Indices of the cache's partitions (to read them one by one with ``partition=``)."""
        return list(self._native.partitions(cache_name))

    # Key-value ------------------------------------------------------------------------------

    def put(self, cache_name: str, key: Any, value: Any) -> None:
        self._native.put(cache_name, key, value)

    def put_all(self, cache_name: str, entries: Iterable[tuple[Any, Any]] | dict) -> None:
        if isinstance(entries, dict):
            entries = entries.items()
        self._native.put_all(cache_name, list(entries))

    def get(self, cache_name: str, key: Any) -> Any:
        return self._native.get(cache_name, key)

    # Columnar writes ------------------------------------------------------------------------

    def write(
        self,
        cache_name: str,
        data: Any,
        *,
        key: str | np.ndarray | None = None,
        type_name: str | None = None,
        batch_size: int = _writing.DEFAULT_BATCH_SIZE,
        batch_bytes: int = _writing.DEFAULT_BATCH_BYTES,
        num_parallel_writes: int = _writing.DEFAULT_PARALLEL_WRITES,
        progress: bool = True,
        overwrite: bool = True,
    ) -> int:
        """Writes columns into a cache, one entry per row; returns the rows written.

        >>> client.write("mnist", {"label": labels, "pixels": images}, type_name="MnistRow")
        >>> client.write("images", images)               # values are byte[] rows, keys 0..n-1
        >>> client.write("people", frame, key="id")       # a pandas DataFrame

        The rows are encoded in the compiled core straight from the arrays' buffers (never one
        Python object per row) and sent as put_all pages of about ``batch_bytes``, several in
        flight per node, each page to the primary node of its keys when the client was given
        several nodes. The cache is created (with the cluster's defaults) when missing.

        Args:
            data: a dict of columns, a pandas DataFrame, or a ``tf.data.Dataset`` of dict
                elements (batched or not) — each row an object of ``type_name`` whose fields are
                the columns (``"a.b"`` names make nested objects); or one array or
                :class:`RaggedColumn`, each row's value written as it is. A column is a NumPy
                array (1-D: a value per row; 2-D and more: a Java array per row, e.g. ``uint8``
                images as ``byte[]``), a :class:`RaggedColumn` of numbers (arrays of any length),
                a sequence of ``str`` or ``bytes``, or a ``datetime64`` array (``Timestamp``).
                Types: int8/uint8 -> byte (uint8 keeps its bits), int16 -> short, uint16 ->
                char, int32 -> int, int64/uint32 -> long, float32 -> float, float64 -> double,
                bool -> boolean, str -> String, bytes -> byte[]. Nulls: masked entries of a
                ``numpy.ma`` array, ``None``, and in a DataFrame every missing value (NaN, None,
                NaT, pd.NA); a null field is written as null (SQL NULL; absent with
                ``masks=True`` on reads).
            key: ``None``: keys are generated, ``0 .. rows - 1`` as longs; a column's name:
                that column is the key (and not a field of the value); or an array of keys.
            type_name: the value objects' binary type (default: the cache's name); nested
                objects are named ``"<type_name>.<field>"``.
            batch_size: entries per put_all request at most.
            batch_bytes: a request is sent once its encoded entries reach this many bytes.
            num_parallel_writes: requests in flight per node, each on its own connection.
            progress: a progress bar (tqdm when installed, else a line on stderr) for writes
                that take more than half a second.
            overwrite: ``False``: an entry whose key is already in the cache keeps its value
                (put-if-absent), and the rows returned are those that were absent. The
                protocol has no bulk form of it: every row is its own request (a page's
                requests go out in one write, so it runs at about half the speed of a put_all
                load on small rows, not a round trip a row).

        Raises:
            TypeError, ValueError: a column that cannot be written, columns of different
                lengths, an integer that does not fit its type, a null or NaN key — before any
                row of the chunk it is in is sent (a chunk is about 64 MB; a whole NumPy or
                DataFrame input is checked chunk by chunk as it is written).
            IgniteError: the write failed; its message says how many rows were written (pages
                are acknowledged out of order, and writing every row again is safe).
        """
        plain = not _writing.is_columns(data)
        if plain and type_name is not None:
            raise TypeError(
                "type_name names the objects of a dict of columns; one array is "
                "written as plain values"
            )
        if key is not None and not isinstance(key, str):
            if plain:
                data = {"": data}
                plain = False
                type_name = ""
            data = _writing.with_key_column(data, key)
            key = _writing.KEY_COLUMN
        self.get_or_create_cache(cache_name)
        return self._write(
            cache_name,
            data,
            key=key,
            type_name="" if plain else (type_name if type_name is not None else cache_name),
            targets={},
            batch_size=batch_size,
            batch_bytes=batch_bytes,
            num_parallel_writes=num_parallel_writes,
            progress=progress,
            overwrite=overwrite,
        )

    def write_table(
        self,
        table: str,
        data: Any,
        *,
        primary_key: str | list[str] | None = None,
        create: bool = False,
        schema: str = "PUBLIC",
        batch_size: int = _writing.DEFAULT_BATCH_SIZE,
        batch_bytes: int = _writing.DEFAULT_BATCH_BYTES,
        num_parallel_writes: int = _writing.DEFAULT_PARALLEL_WRITES,
        progress: bool = True,
        overwrite: bool = True,
    ) -> int:
        """Writes columns as rows of a SQL table; returns the rows written.

        >>> client.write_table("POINTS", {"ID": ids, "X": xs, "Y": ys}, primary_key="ID",
        ...                    create=True)
        >>> client.sql("SELECT COUNT(*) FROM POINTS")

        The columns are matched to the table's by name (exactly, else ignoring case), converted
        to the table's column types (an integer that does not fit is an error before anything
        of its chunk is sent), and put as the table's key and value objects, the same bulk path
        as :meth:`write`: much faster than INSERT statements. Columns the data leaves out are
        NULL.

        Args:
            data: a dict of columns, a pandas DataFrame or a ``tf.data.Dataset`` of dict
                elements, as for :meth:`write`.
            primary_key: the primary key column, or columns (a composite key, written as an
                object of the table's key type). Needed with ``create=True``; for an existing
                table it must be the table's key when given.
            create: create the table when it does not exist, with a column per data column
                (BIGINT, INT, SMALLINT, TINYINT, DOUBLE, REAL, BOOLEAN, VARCHAR, TIMESTAMP from
                the dtypes; uint8/uint16/uint32 widen so their values keep their meaning).
            schema: the table's SQL schema.
            overwrite: ``False``: a row whose primary key is already in the table is left as
                it is (as INSERT would, without its error), and the rows returned are those
                that were added. See :meth:`write`.
        """
        info = _writing.table_info(self, schema, table)
        if info is None:
            if not create:
                raise CacheNotFoundError(
                    f"no table {schema}.{table}: create it first, or pass create=True"
                )
            if primary_key is None:
                raise ValueError("create=True needs primary_key, the column that keys the rows")
            self.sql(_writing.create_table_sql(schema, table, data, primary_key))
            info = _writing.table_info(self, schema, table)
            if info is None:
                raise IgniteError(f"table {schema}.{table} was created but cannot be found")
        data, key, targets, key_type = _writing.match_table(info, data, primary_key)
        return self._write(
            info.cache_name,
            data,
            key=key,
            key_type=key_type,
            type_name=info.value_type,
            targets=targets,
            batch_size=batch_size,
            batch_bytes=batch_bytes,
            num_parallel_writes=num_parallel_writes,
            progress=progress,
            overwrite=overwrite,
        )

    def _write(self, cache_name: str, data: Any, *, progress: bool, **options: Any) -> int:
        return _writing.write_chunks(
            self._native,
            cache_name,
            _writing.chunks_of(data),
            keep_chunks=not _writing._is_dataset(data),
            progress=_writing.Progress(
                progress, _writing.total_rows(data), f"writing {cache_name}"
            ),
            **options,
        )

    # Queries --------------------------------------------------------------------------------

    def sql(
        self,
        query: str,
        args: Iterable[Any] = (),
        *,
        schema: str = "PUBLIC",
        page_size: int = 1024,
        max_rows: int = 0,
        distributed_joins: bool = False,
        local: bool = False,
        timeout_ms: int = 0,
        lazy: bool = False,
    ) -> SqlResult:
        """Runs a SQL fields query (DDL, DML or SELECT) and returns all its rows. ``lazy=True``
        asks the node to produce a SELECT's rows page by page (see :meth:`sql_batches`)."""
        columns, rows = self._native.sql(
            query,
            tuple(args),
            schema,
            page_size,
            max_rows,
            distributed_joins,
            local,
            timeout_ms,
            bool(lazy),
        )
        return SqlResult(list(columns), list(rows))

    def sql_batches(
        self,
        query: str,
        args: Iterable[Any] = (),
        *,
        schema: str = "PUBLIC",
        page_size: int = 1024,
        batch_size: int = 1024,
        prefetch: int = 2,
        distributed_joins: bool = False,
        local: bool = False,
        timeout_ms: int = 0,
        masks: bool = False,
        column_types: dict[str, str] | None = None,
        type_lookahead_bytes: int = 64 << 20,
        decimals: str = "float64",
        timestamp_unit: str = "ns",
        lazy: bool = True,
    ) -> Scan:
        """Runs a SQL query and yields its rows as batches of column arrays, like :meth:`scan`.

        >>> for batch in client.sql_batches("SELECT label, pixels FROM images WHERE split = ?",
        ...                                 ["train"]):
        ...     batch["LABEL"], batch["PIXELS"]        # column names as the server reports them

        The server reports the result's column names but not their types. A column's type is
        the one given in ``column_types``, or else the type of its first non-null value: when a
        column is NULL in every row of the first page, the following pages are read ahead (and
        kept, then yielded in order) until it has a value, up to ``type_lookahead_bytes`` of
        pages. A SQL NULL reads as 0, ``b""`` or an empty list (``masks=True`` adds
        ``"<column>#valid"`` bool columns that say which rows were not NULL).

        Args:
            column_types: Ignite type names by column name, as the server reports it (usually
                upper case), e.g. ``{"SCORE": "double", "NOTE": "string"}`` (see
                :mod:`ignite_tf.schema`). They win over the types of the values; a row holding
                another type is an IgniteSchemaError naming the column and both types. With
                every column given, ``Scan.schema`` is known even when no row is returned.
            type_lookahead_bytes: the most bytes of pages held while looking for the first
                non-null value of a column. A column without a type after the whole result (or
                this many bytes) is an IgniteSchemaError that names it: pass its type in
                ``column_types`` or CAST it in the query.

        ``lazy`` (default True) runs the query in Ignite's lazy mode: the node produces the rows
        page by page as they are read, instead of building the whole result in its heap before
        the first page (on a 2,000,000-row table: the first page after milliseconds instead of
        seconds, a full read 1.1-1.2x faster, a partial one 6x). ``lazy=False`` is Ignite's
        default mode.

        An empty result yields no batches; ``Scan.columns`` names its columns and
        ``Scan.schema`` is None unless ``column_types`` gave every column's type.
        ``decimals`` and ``timestamp_unit`` choose how DECIMAL and TIMESTAMP columns read, as in
        :meth:`scan`.
        """
        _check_representation(decimals, timestamp_unit)
        types = {}
        if column_types:
            from ignite_tf.schema import column_type_codes

            types = column_type_codes(column_types)
        if type_lookahead_bytes <= 0:
            raise IgniteValueError(
                f"type_lookahead_bytes must be positive, got {type_lookahead_bytes}"
            )
        return Scan(
            self._native.sql_scan(
                query,
                tuple(args),
                schema,
                page_size=int(page_size),
                distributed_joins=bool(distributed_joins),
                local=bool(local),
                timeout_ms=int(timeout_ms),
                min_batch_rows=int(batch_size),
                prefetch=int(prefetch),
                masks=bool(masks),
                column_types=types,
                type_lookahead_bytes=int(type_lookahead_bytes),
                decimals=decimals,
                timestamp_unit=timestamp_unit,
                lazy=bool(lazy),
            )
        )

    def scan(
        self,
        cache_name: str,
        *,
        page_size: int = 1024,
        partition: int = -1,
        local: bool = False,
        batch_size: int = 1024,
        prefetch: int = 2,
        fields: Iterable[str] | None = None,
        masks: bool = False,
        schema: Any = None,
        on_mismatch: str = "error",
        num_parallel_reads: int | None = None,
        decimals: str = "float64",
        timestamp_unit: str = "ns",
        partitions: Iterable[int] | None = None,
        deterministic: bool = False,
        page_bytes: int = DEFAULT_PAGE_BYTES,
        batch_bytes: int = DEFAULT_BATCH_BYTES,
    ) -> Scan:
        """Scans a cache; yields batches of ``batch_size`` rows or more (the last may be smaller),
        or fewer rows once a batch holds ``batch_bytes``.

        Args:
            page_size: rows per network page at most.
            page_bytes: bytes per network page at most, about: the first row's size, read with
                a one-row page before the scan, sets the page size in rows (``page_bytes`` over
                it, at most ``page_size``), so 1 MiB rows come 16 to a page with the defaults
                and small rows ``page_size`` to a page. 0: ``page_size`` alone.
            partition: read only this partition index (-1 = the whole cache).
            local: read only entries held by the node this client is connected to.
            batch_size: merge pages until a batch has this many rows...
            batch_bytes: ...or its pages this many bytes (0: rows alone), so that large rows
                make batches of a bounded size.
            prefetch: decoded batches kept ready ahead of the consumer.
            fields: value fields to read, e.g. ``["label", "metadata.width"]``; the others are
                skipped without being decoded. None reads every field.
            masks: add a bool column ``"<path>#valid"`` per column: False where the row's value
                was null or absent (the column then holds 0, ``b""`` or an empty list).
            schema: the row structure to read (see :mod:`ignite_tf.schema`), instead of learning
                it from the first row; an empty cache then reports it as ``Scan.schema``.
            on_mismatch: ``"error"`` (default): a row whose structure differs from the schema is
                an IgniteSchemaError naming its key; ``"skip"``: such rows are left out and
                counted in ``Scan.skipped_rows`` (e.g. to read one value type of several).
            num_parallel_reads: readers of the cache at once (with ``partition=-1``), each with
                its own connection to one node: they are spread over the nodes holding the
                cache's primaries (at most ``ceil(num_parallel_reads / nodes)`` per node), each
                reads the next unread partition whose primary is its node, and reads other
                nodes' partitions (from their primaries) only when its node has none left.
                None (default): one per node when the client reaches several nodes, else 1.
                Rows then come in the order their pages arrive (see ``deterministic``), and up
                to ``2 * num_parallel_reads`` pages are held. A replicated cache, or one with a
                custom affinity function, has no partition map the client can use and is read
                through one connection. Read partition by partition, a cluster's cache is read
                on through the death of a node: with backups every row still arrives once;
                without, an IgnitePartitionLostError names the partitions lost (README,
                "Running on a cluster").
            partitions: read only these partitions (indices, each once), e.g. a worker's shard;
                checked against the cache's partition count (needs a partition map: not for a
                replicated cache). Not with ``partition=``.
            deterministic: deliver the partitions one after the other, each whole, in the order
                of ``partitions`` (index order for the whole cache), holding only a few
                partitions ahead; False (default): rows in the order pages arrive.
            decimals: ``"float64"`` (default): Decimal values (and Decimal[] elements, decimals in
                collections and maps) read as the nearest double; ``"string"``: as their exact
                text, Java's ``BigDecimal.toString()`` (``b"-12.3400"``, ``b"1E+3"``), which
                ``decimal.Decimal(text.decode())`` turns back into the same value and scale.
            timestamp_unit: the unit of Timestamp (and Timestamp[]) columns, int64 counted from
                the epoch: ``"ns"`` (default; years 1677 to 2262, a timestamp outside them is an
                IgniteValueError naming the field, row and date), ``"us"`` or ``"ms"`` (every
                date, e.g. the 0001-01-01 and 9999-12-31 sentinels). Date columns stay ms.

        An object with a raw data section (written by a ``Binarylizable`` class through
        ``rawWriter()``) gets a ``"<path>.$raw"`` column of ``bytes``: the section as written,
        ``b""`` for objects of that type without one.
        """
        if on_mismatch not in ("error", "skip"):
            raise IgniteValueError(f"on_mismatch must be 'error' or 'skip', not {on_mismatch!r}")
        _check_representation(decimals, timestamp_unit)
        if schema is not None:
            from ignite_tf.schema import normalize_schema

            schema = normalize_schema(schema)
        if num_parallel_reads is not None and num_parallel_reads < 1:
            raise IgniteValueError(
                f"num_parallel_reads must be at least 1 (or None), got {num_parallel_reads}"
            )
        if partition < -1:
            raise IgniteValueError(
                f"partition must be -1 (all) or a partition index, got {partition}"
            )
        chosen = _partition_list(partitions)
        if chosen and partition != -1:
            raise IgniteValueError("give partition= or partitions=, not both")
        return Scan(
            self._native.scan(
                cache_name,
                page_size=int(page_size),
                partition=int(partition),
                local=bool(local),
                min_batch_rows=int(batch_size),
                prefetch=int(prefetch),
                fields=list(fields or ()),
                masks=bool(masks),
                schema=schema,
                skip_mismatched=on_mismatch == "skip",
                parallel_reads=0 if num_parallel_reads is None else int(num_parallel_reads),
                decimals=decimals,
                timestamp_unit=timestamp_unit,
                partitions=chosen,
                deterministic=bool(deterministic),
                page_bytes=int(page_bytes),
                batch_bytes=int(batch_bytes),
                view_min_bytes=_VIEW_MIN_BYTES if self._array_views else 0,
            )
        )
