"""ignite_tf: Apache Ignite as a data source for TensorFlow and NumPy.

>>> import ignite_tf
>>> ds = ignite_tf.IgniteDataset(cache_name="SQL_PUBLIC_KITTEN_CACHE")   # a tf.data.Dataset
>>> with ignite_tf.Client() as client:                                    # NumPy, no TensorFlow
...     for batch in client.scan("SQL_PUBLIC_KITTEN_CACHE"):
...         print(batch["val.NAME"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ignite_tf.binary import BinaryEnum, BinaryObject
from ignite_tf.errors import (
    CacheNotFoundError,
    IgniteAuthenticationError,
    IgniteConnectionError,
    IgniteError,
    IgniteInsecureTLSWarning,
    IgnitePartitionLostError,
    IgniteProtocolError,
    IgniteSchemaError,
    IgniteServerError,
    IgniteTimeoutError,
    IgniteTLSError,
    IgniteUnsupportedTypeError,
    IgniteValueError,
)

if TYPE_CHECKING:
    from ignite_tf.client import Client, RaggedColumn, Scan, SqlResult
    from ignite_tf.dataset import IgniteDataset, SqlDataset
    from ignite_tf.igfs import register_tensorflow_plugin


def _version() -> str:
    # The installed distribution's version, which the build takes from CMakeLists.txt.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ignite-tf")
    except PackageNotFoundError:  # pragma: no cover - imported from a source tree
        return "0+unknown"


__version__ = _version()

__all__ = [
    "BinaryEnum",
    "BinaryObject",
    "CacheNotFoundError",
    "Client",
    "IgniteAuthenticationError",
    "IgniteConnectionError",
    "IgniteDataset",
    "IgniteError",
    "IgniteInsecureTLSWarning",
    "IgniteProtocolError",
    "IgniteSchemaError",
    "IgnitePartitionLostError",
    "IgniteServerError",
    "IgniteTLSError",
    "IgniteTimeoutError",
    "IgniteUnsupportedTypeError",
    "IgniteValueError",
    "RaggedColumn",
    "Scan",
    "SqlDataset",
    "SqlResult",
    "register_tensorflow_plugin",
]


# Loaded on first use: the client needs the compiled core, the dataset needs TensorFlow (slow to
# import); ignite_tf.testing and the pytest plugin need neither.
_LAZY = {
    "Client": "ignite_tf.client",
    "RaggedColumn": "ignite_tf.client",
    "Scan": "ignite_tf.client",
    "SqlResult": "ignite_tf.client",
    "IgniteDataset": "ignite_tf.dataset",
    "SqlDataset": "ignite_tf.dataset",
    "register_tensorflow_plugin": "ignite_tf.igfs",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ignite_tf' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


# igfs:// in TensorFlow: registered now if TensorFlow is loaded, else right after its import.
def _install_igfs() -> None:
    from ignite_tf import igfs

    igfs.install()


_install_igfs()
