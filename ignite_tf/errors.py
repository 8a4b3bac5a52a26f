"""Exceptions raised by ignite_tf.

Every error derives from :class:`IgniteError`; catch a subclass to handle one cause::

    try:
        ds = ignite_tf.IgniteDataset("IMAGES", port=10801)
    except ignite_tf.IgniteConnectionError as e:
        print("node down:", e)
"""

from __future__ import annotations

__all__ = [
    "CacheNotFoundError",
    "IgniteAuthenticationError",
    "IgniteConflictError",
    "IgniteConnectionError",
    "IgniteError",
    "IgniteFileExistsError",
    "IgniteFileNotFoundError",
    "IgniteFileSystemError",
    "IgniteIsADirectoryError",
    "IgniteNotADirectoryError",
    "IgniteInsecureTLSWarning",
    "IgnitePartitionLostError",
    "IgniteProtocolError",
    "IgniteSchemaError",
    "IgniteServerError",
    "IgniteTLSError",
    "IgniteTimeoutError",
    "IgniteUnsupportedTypeError",
    "IgniteValueError",
]


class IgniteError(Exception):
    """Base class of every ignite_tf error."""


class IgniteConnectionError(IgniteError, ConnectionError):
    """The server cannot be reached, or the connection broke."""


class IgniteTimeoutError(IgniteConnectionError, TimeoutError):
    """The server did not answer within the timeout."""


class IgniteTLSError(IgniteConnectionError):
    """TLS setup or the TLS handshake failed."""


class IgniteAuthenticationError(IgniteError):
    """The server refused the username or password."""


class IgniteProtocolError(IgniteError):
    """The server sent bytes that are not valid Ignite thin-client protocol."""


class CacheNotFoundError(IgniteError, LookupError):
    """The named cache does not exist."""


class IgniteSchemaError(IgniteError, ValueError):
    """The data does not fit the schema (e.g. rows of different structure)."""


class IgniteUnsupportedTypeError(IgniteSchemaError):
    """A valid Ignite value whose type ignite_tf cannot read yet."""


class IgniteServerError(IgniteError):
    """The server ran the request and reported a failure (e.g. a SQL error)."""


class IgnitePartitionLostError(IgniteError):
    """Nodes left the cluster during a read, taking the only copies of some partitions not read
    yet (more nodes left than the cache keeps backups). The message names the partitions and
    the nodes; the rows delivered before came from the other partitions."""


class IgniteValueError(IgniteError, ValueError):
    """An argument is invalid (e.g. a value that cannot be written to Ignite)."""


class IgniteFileSystemError(IgniteError, OSError):
    """An igfs operation that the file system's state forbids (e.g. a non-empty directory)."""


class IgniteFileNotFoundError(IgniteFileSystemError, FileNotFoundError):
    """An igfs path does not exist."""


class IgniteFileExistsError(IgniteFileSystemError, FileExistsError):
    """An igfs path already exists."""


class IgniteIsADirectoryError(IgniteFileSystemError, IsADirectoryError):
    """A file operation on an igfs directory."""


class IgniteNotADirectoryError(IgniteFileSystemError, NotADirectoryError):
    """A directory operation on an igfs file, or a path under a file."""


class IgniteConflictError(IgniteError):
    """Another writer replaced, renamed or deleted the igfs file this one was writing."""


class IgniteInsecureTLSWarning(UserWarning):
    """A TLS connection was made without verifying the server certificate
    (``tls_insecure_skip_verify=True``)."""


# The exception class of each error kind the core reports, by the kind's name: the names of
# src/core/common/error_kinds.inc and src/core/fs/error_kinds.inc (the extension module checks
# at import that every kind has a class here). A status without a kind raises IgniteValueError
# for an invalid argument and IgniteError otherwise, never an OSError.
_CLASS_BY_KIND: dict[str, type[IgniteError]] = {
    "connection": IgniteConnectionError,
    "timeout": IgniteTimeoutError,
    "authentication": IgniteAuthenticationError,
    "tls": IgniteTLSError,
    "protocol": IgniteProtocolError,
    "cache_not_found": CacheNotFoundError,
    "schema": IgniteSchemaError,
    "server": IgniteServerError,
    "unsupported": IgniteUnsupportedTypeError,
    "no_partition_map": IgniteError,
    "partition_lost": IgnitePartitionLostError,
    "fs_not_found": IgniteFileNotFoundError,
    "fs_exists": IgniteFileExistsError,
    "fs_is_a_directory": IgniteIsADirectoryError,
    "fs_not_a_directory": IgniteNotADirectoryError,
    "fs_state": IgniteFileSystemError,
    "fs_conflict": IgniteConflictError,
}
