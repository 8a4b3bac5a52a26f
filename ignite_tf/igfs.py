"""igfs:// for TensorFlow: registers the bundled filesystem plugin.

``import ignite_tf`` calls :func:`register_tensorflow_plugin` when TensorFlow is already imported,
and otherwise arranges for it to run right after TensorFlow is first imported, so importing
ignite_tf stays cheap without TensorFlow. Registration happens once per process::

    import ignite_tf
    import tensorflow as tf

    # igfs:///path uses IGFS_HOST/IGFS_PORT, else localhost:10800
    with tf.io.gfile.GFile("igfs:///hello.txt", "w") as f:
        f.write("Hello, world!")
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

__all__ = ["plugin_path", "register_tensorflow_plugin"]

_lock = threading.Lock()
_registered = False


def plugin_path() -> Path:
    """Path of the compiled plugin (``_igfs_tf_plugin.so`` next to the core module)."""
    from ignite_tf import _core

    return Path(_core.__file__).with_name("_igfs_tf_plugin.so")


def register_tensorflow_plugin() -> bool:
    """Registers the igfs:// scheme with TensorFlow (imports it); True once registered.

    >>> ignite_tf.register_tensorflow_plugin()
    True
    """
    global _registered
    with _lock:
        if _registered:
            return True
        import tensorflow as tf

        try:
            tf.experimental.register_filesystem_plugin(str(plugin_path()))
        except Exception as e:  # e.g. another copy of ignite_tf registered "igfs" first
            if "igfs" in str(e) and "already" in str(e).lower():
                _registered = True
                return True
            raise
        _registered = True
        return True


def _problem(e: Exception) -> str:
    return (
        f"ignite_tf: the igfs:// plugin {plugin_path()} could not be loaded into TensorFlow, so "
        f"igfs:// paths will not work in this process: {e}"
    )


def _register_now() -> None:
    """At ``import ignite_tf`` with TensorFlow loaded: a plugin that does not load is an error
    now (naming the loader's reason), not a later "scheme 'igfs' not implemented"."""
    try:
        register_tensorflow_plugin()
    except Exception as e:
        raise ImportError(_problem(e)) from e


def _register_quietly() -> None:
    """Right after ``import tensorflow`` (ignite_tf came first): raising would break TensorFlow's
    own import for a scheme the program may never use, so this warns, with the same reason."""
    try:
        register_tensorflow_plugin()
    except Exception as e:
        warnings.warn(_problem(e), stacklevel=2)


class _LoaderWrapper(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        _register_quietly()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _TensorFlowImportHook(importlib.abc.MetaPathFinder):
    """Registers the plugin right after ``import tensorflow`` completes."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _LoaderWrapper(spec.loader)
        return spec


def install() -> None:
    """Registers now if TensorFlow is imported (ImportError when the plugin does not load), else
    after its import (a warning then). Called by ignite_tf."""
    if "tensorflow" in sys.modules and hasattr(sys.modules["tensorflow"], "experimental"):
        _register_now()
    elif not any(isinstance(f, _TensorFlowImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _TensorFlowImportHook())
