"""1,000 TLS connect/handshake/close cycles under valgrind memcheck: no leak, no memory error.

The cycles run in ``tls_cycles`` (tests/cpp/net/tls_cycles_main.cc, built with the C++ unit tests)
rather than in Python, so that valgrind sees only our code and OpenSSL, not the interpreter's
own noise. It takes several minutes under valgrind, so it is marked ``leak`` and deselected by
default; ``.ci/test.sh`` runs it as its own step (``pytest -m leak``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import start_node, tls_probe

pytestmark = pytest.mark.leak

CYCLES = int(os.environ.get("IGNITE_TF_TLS_CYCLES_COUNT", "1000"))
DEFAULT_BINARY = Path(__file__).resolve().parent.parent / "build" / "cpp-tests" / "tls_cycles"


def cycles_binary() -> Path:
    configured = os.environ.get("IGNITE_TF_TLS_CYCLES")
    path = Path(configured) if configured else DEFAULT_BINARY
    if not path.is_file():
        if configured:  # CI says where it built it: missing is a failure there
            pytest.fail(f"IGNITE_TF_TLS_CYCLES={configured} does not exist")
        pytest.skip(
            f"{path} is not built: cmake -S . -B build/cpp-tests -DIGNITE_TF_BUILD_PYTHON=OFF "
            "-DIGNITE_TF_BUILD_TESTS=ON && cmake --build build/cpp-tests"
        )
    return path


def test_thousand_tls_cycles_under_valgrind(tls_material, tmp_path) -> None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        pytest.skip("valgrind is not installed")
    binary = cycles_binary()
    m = tls_material
    node = start_node(tmp_path / "node", "tls.xml", m.node_substitutions(), tls_probe(m))
    try:
        proc = subprocess.run(
            [
                valgrind,
                "--tool=memcheck",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--error-exitcode=99",
                "--num-callers=30",
                str(binary),
                node.host,
                str(node.port),
                str(m.ca),
                str(m.client_cert),
                str(m.client_key_encrypted),
                m.key_password,
                str(CYCLES),
            ],
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        node.stop()
    report = proc.stderr[-6000:]
    assert proc.returncode == 0, report
    assert f"{CYCLES} cycles" in proc.stdout
    assert re.search(r"ERROR SUMMARY: 0 errors", proc.stderr), report
    assert re.search(r"definitely lost: 0 bytes", proc.stderr) or "no leaks are possible" in (
        proc.stderr
    ), report
