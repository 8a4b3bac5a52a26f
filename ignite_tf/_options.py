"""Connection options and the environment, for every Python product (Client, IgniteDataset,
SqlDataset, the fsspec filesystem).

The options themselves are the core's ``ConnectionOptions`` (``_core.ConnectionOptions``, one C++
struct with one ``Validate()``); this module only checks the Python types of the keyword
arguments (so that a secret of the wrong type is named, never shown) and reads the environment.
To add a connection option: a field in ``src/core/client/connection_options.h`` (and its check in
``Validate()``), its property in ``src/python/connection_options.cc``, and its keyword in
``KEYWORDS`` below; Client, the datasets and fsspec then accept it.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from ignite_tf.errors import IgniteInsecureTLSWarning, IgniteValueError


def _core_import_problem(error: ImportError) -> str:
    """What went wrong importing the compiled core: the file is not there (an uninstalled source
    tree), or it is and the loader refused it (a missing shared library, a wrong platform) — then
    the loader's own words, which name the library."""
    import importlib.machinery
    from pathlib import Path

    here = Path(__file__).resolve().parent
    found = [
        p for suffix in importlib.machinery.EXTENSION_SUFFIXES for p in here.glob(f"_core{suffix}")
    ]
    if not found:
        return (
            f"ignite_tf's compiled core (ignite_tf._core) is missing from {here}. Install the "
            "package (pip install . or pip install ignite-tf) and import it from outside the "
            "source tree."
        )
    return (
        f"ignite_tf's compiled core {found[0]} is installed but could not be loaded: {error}. "
        "Reinstall a wheel built for this platform (pip install --force-reinstall ignite-tf), "
        "or install the shared library the loader names."
    )


try:
    from ignite_tf import _core
except ImportError as e:  # depends on how the package was installed
    raise ImportError(_core_import_problem(e)) from e

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 10800

# Keyword arguments that are connection options, with their kind: "text", "secret" (a str never
# shown), "path" (str or os.PathLike), "seconds" (<= 0: no timeout), "flag" (bool), "tls" (bool
# or None: TLS when any TLS option is given).
KEYWORDS = {
    "username": "text",
    "password": "secret",
    "timeout": "seconds",
    "connect_timeout": "seconds",
    "tls": "tls",
    "ca_file": "path",
    "ca_dir": "path",
    "certfile": "path",
    "keyfile": "path",
    "cert_password": "secret",
    "tls_server_name": "text",
    "tls_insecure_skip_verify": "flag",
}


def _text(value: Any, name: str, *, secret: bool = False) -> str:
    """``value`` as the native core takes it ("" for None); a wrong type is named, and a secret's
    value is never shown."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    what = "" if secret else f" ({value!r})"
    raise TypeError(f"{name} must be a str, not {type(value).__name__}{what}")


def _path(value: Any, name: str) -> str:
    if not value:
        return ""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, not {type(value).__name__}")
    return os.fspath(value)


def _seconds(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}") from None


def _converted(name: str, value: Any) -> Any:
    kind = KEYWORDS[name]
    if kind == "seconds":
        return _seconds(value, name)
    if kind == "path":
        return _path(value, name)
    if kind == "flag":
        return bool(value)
    if kind == "tls":
        return None if value is None else bool(value)
    return _text(value, name, secret=kind == "secret")


def address_text(host: Any) -> str:
    """``host`` as the core parses it: a str ("h1:10800,h2"), or a list or tuple of
    "host[:port]" strings joined by commas. A wrong type is a TypeError."""
    if isinstance(host, (list, tuple)):
        if not host:
            raise IgniteValueError("host is an empty list: name at least one node")
        return ",".join(_text(entry, "each host entry") for entry in host)
    return _text(host, "host")


def connection_options(host: Any = None, port: Any = None, **keywords: Any) -> Any:
    """A ``_core.ConnectionOptions`` from keyword arguments (None: not given), not yet validated
    (connecting validates it). ``host`` may name several nodes: "h1:10800,h2:10800" or a list
    of "host[:port]" strings; ``port`` is the port of the entries without one. A keyword that
    is not an option is a TypeError naming it; a malformed address list an IgniteValueError."""
    options = _core.ConnectionOptions()
    default_port = DEFAULT_PORT
    if port is not None:
        try:
            default_port = int(port)
        except (TypeError, ValueError):
            raise TypeError(f"port must be an int, not {type(port).__name__}") from None
    options.set_addresses(address_text(DEFAULT_HOST if host is None else host), default_port)
    for name, value in keywords.items():
        if name not in KEYWORDS:
            raise TypeError(f"unexpected connection option {name!r}")
        if value is not None or KEYWORDS[name] == "seconds":
            setattr(options, name, _converted(name, value))
    return options


# The environment, read here only. The datasets' variables override their arguments, as in
# TensorFlow's original integration; the igfs filesystem takes its variables where neither its
# arguments nor the URI give a value.
_CONNECTION_VARIABLES = {
    "IGNITE_DATASET_USERNAME": "username",
    "IGNITE_DATASET_PASSWORD": "password",
    "IGNITE_DATASET_CERTFILE": "certfile",
    "IGNITE_DATASET_KEYFILE": "keyfile",
    "IGNITE_DATASET_CERT_PASSWORD": "cert_password",
    "IGNITE_DATASET_CA_FILE": "ca_file",
    "IGNITE_DATASET_CA_DIR": "ca_dir",
    "IGNITE_DATASET_TLS_SERVER_NAME": "tls_server_name",
}
_VARIABLES = {
    "IgniteDataset": {
        "IGNITE_DATASET_CACHE_NAME": "cache_name",
        "IGNITE_DATASET_HOST": "host",
        "IGNITE_DATASET_PORT": "port",
        "IGNITE_DATASET_LOCAL": "local",
        "IGNITE_DATASET_PART": "part",
        "IGNITE_DATASET_PAGE_SIZE": "page_size",
        **_CONNECTION_VARIABLES,
    },
    "SqlDataset": {
        "IGNITE_DATASET_HOST": "host",
        "IGNITE_DATASET_PORT": "port",
        "IGNITE_DATASET_LOCAL": "local",
        "IGNITE_DATASET_PAGE_SIZE": "page_size",
        **_CONNECTION_VARIABLES,
    },
    "igfs": {
        "IGFS_HOST": "host",
        "IGFS_PORT": "port",
        "IGFS_FS_NAME": "fs_name",
        "IGFS_PROTOCOL": "protocol",
        **_CONNECTION_VARIABLES,
    },
}
_INTEGERS = ("port", "part", "page_size")


def environment(product: str) -> dict[str, Any]:
    """The settings the environment gives ``product`` ("IgniteDataset", "SqlDataset" or
    "igfs"), by keyword name. ``IGNITE_DATASET_LOCAL`` set to any value means ``local=True`` (as
    in the original); an integer setting that is not one is an IgniteValueError naming the
    variable; an empty variable of the igfs filesystem counts as unset."""
    found: dict[str, Any] = {}
    for variable, name in _VARIABLES[product].items():
        value = os.environ.get(variable)
        if value is None or (product == "igfs" and not value):
            continue
        if name == "local":
            found[name] = True
        elif name in _INTEGERS:
            try:
                found[name] = int(value)
            except ValueError:
                raise IgniteValueError(
                    f"the environment variable {variable}={value!r} is not an integer"
                ) from None
        else:
            found[name] = value
    return found


def native(constructor: Any, *args: Any, **kwargs: Any) -> Any:
    """Calls a native function that receives secrets. pybind11's TypeError for an argument of the
    wrong type lists the value of every argument, the password among them: the error raised here
    keeps only the expected signature (and is raised outside the handler, so that the original is
    not attached as its context either)."""
    try:
        return constructor(*args, **kwargs)
    except TypeError as err:
        message = str(err).split("Invoked with", 1)[0].rstrip()
    raise TypeError(f"{message}\n(the values given are not shown: they include secrets)")


def warn_if_unverified(options: Any, what: str, stacklevel: int) -> None:
    """Warns (IgniteInsecureTLSWarning) when ``options`` connect over TLS without verifying the
    server certificate; ``stacklevel`` is warnings.warn's, as if the caller had called it."""
    if options.tls_enabled and options.tls_insecure_skip_verify:
        warnings.warn(
            f"{what} to {options.address_text} without verifying the server certificate "
            "(tls_insecure_skip_verify=True): anyone on the network path can impersonate the "
            "node and read or change the data. Pass ca_file instead.",
            IgniteInsecureTLSWarning,
            stacklevel=stacklevel + 1,
        )
