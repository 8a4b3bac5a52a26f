"""Reads a cache through ``IgniteDataset`` in a fresh interpreter, with ``tensorflow`` imported
before or after ``ignite_tf``, for the tests of TLS inside a TensorFlow process.

TensorFlow's ``libtensorflow_framework`` carries BoringSSL and exports it under OpenSSL's names
(``SSL_new``, ``SSL_CTX_new``, ...) into the process's global scope; a module that took its
OpenSSL from there, or gave ours to TensorFlow, crashes or misbehaves. Each run reports which
library answers to ``SSL_new`` for a global lookup, so that a test can show that the hazard is
really present while ignite_tf reads over TLS. Import order only means something in a new
process, hence the subprocess.

Everything the run prints (its own lines, Python warnings and logging at DEBUG, TensorFlow's
C++ logs, tracebacks of refused cases) comes back to the test, which checks that no secret
appears anywhere in it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

_SCRIPT = textwrap.dedent(
    """
    import ctypes, json, logging, os, sys, traceback, warnings

    logging.basicConfig(level=logging.DEBUG)
    warnings.simplefilter("always")
    spec = json.loads(os.environ["IGNITE_TF_TEST_RUN"])
    order = sys.argv[1]

    def ssl_new_owner():
        # The library a global lookup of SSL_new finds (what a dynamically linked OpenSSL user
        # would bind to).
        class DlInfo(ctypes.Structure):
            _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                        ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]
        libc = ctypes.CDLL(None)
        libc.dlsym.restype = ctypes.c_void_p
        libc.dlsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
        address = libc.dlsym(None, b"SSL_new")
        info = DlInfo()
        if not address or not libc.dladdr(address, ctypes.byref(info)):
            return None
        return os.path.realpath(info.fname.decode())

    before = None
    if order == "tensorflow-first":
        import tensorflow as tf
        import ignite_tf
    else:
        import ignite_tf
        from ignite_tf import Client
        # A TLS connection before TensorFlow is even loaded.
        with Client(spec["host"], spec["port"], **spec["client"]) as c:
            before = c.tls_protocol
        assert "tensorflow" not in sys.modules
        import tensorflow as tf

    results = []
    for case in spec["cases"]:
        os.environ.update(case.get("env", {}))
        try:
            ds = ignite_tf.IgniteDataset(spec["cache"], host=spec["host"], port=spec["port"],
                                         **case.get("kwargs", {}))
            rows = {int(e["key"]): float(e["val"]) for e in ds}
            results.append({"name": case["name"], "rows": len(rows), "sum": sum(rows.values())})
        except Exception as e:
            traceback.print_exc()  # to stderr, which the test searches for secrets
            results.append({"name": case["name"], "error": type(e).__name__, "message": str(e)})
        finally:
            for name in case.get("env", {}):
                del os.environ[name]
    print(json.dumps({"ssl_new": ssl_new_owner(), "before": before, "results": results}))
    """
)


def run_dataset_process(
    order: str,
    host: str,
    port: int,
    cache: str,
    client: dict[str, Any],
    cases: list[dict[str, Any]],
    cwd: Path,
) -> tuple[dict[str, Any], str]:
    """Runs the cases (``{"name", "kwargs", "env"}``: IgniteDataset keyword arguments and
    IGNITE_DATASET_* variables) in a fresh interpreter; ``client`` are the Client options of the
    TLS connection made before TensorFlow is imported (``ignite_tf-first``). Returns the run's
    report and everything it printed (stdout and stderr)."""
    spec = {"host": host, "port": port, "cache": cache, "client": client, "cases": cases}
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("IGNITE_DATASET_"):
            del env[name]
    env.update(
        IGNITE_TF_TEST_RUN=json.dumps(spec, default=str),
        TF_CPP_MIN_LOG_LEVEL="0",  # TensorFlow's C++ logs too: no secret may appear there
    )
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, order],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return report, proc.stdout + proc.stderr


def secrets_in(text: str, *secrets: str) -> list[str]:
    """The secrets that appear in ``text`` (for a readable assertion)."""
    return [s for s in secrets if s and s in text]
