"""Legacy IGFS (issue 15, phase 1): an Ignite 2.8.1 node serving IGFS over its native protocol,
and the C++ core's IGFS client (src/core/igfs) against it.

The client's tests are GoogleTests in ``igfs_integration`` (tests/cpp/igfs/igfs_integration.cc,
built with the C++ unit tests); this module starts the node (the ``legacy_igfs_node`` fixture,
or ``$IGNITE_TF_TEST_IGFS_ADDRESS``) and runs them against it. conftest.py orders these tests
last, so the 2.8.1 JVM never runs beside the 2.17 nodes' tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ignite_tf.node.legacy_igfs import LegacyIgfsNode, probe_igfs
from ignite_tf.node.maven import packaged_pom
from ignite_tf.testing import (
    LEGACY_IGFS_POM_PATH,
    POM_PATH,
    IgniteNodeError,
    ignite_libs_dir,
    ignite_version,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BINARY = ROOT / "build" / "cpp-tests" / "igfs_integration"
ENV_BINARY = "IGNITE_TF_IGFS_INTEGRATION"


def integration_binary() -> Path:
    configured = os.environ.get(ENV_BINARY)
    path = Path(configured) if configured else DEFAULT_BINARY
    if not path.is_file():
        pytest.fail(
            f"{path} is not built (set {ENV_BINARY} to where it is, or build it: cmake -S . -B "
            "build/cpp-tests -DIGNITE_TF_BUILD_PYTHON=OFF -DIGNITE_TF_BUILD_TESTS=ON && "
            "cmake --build build/cpp-tests --target igfs_integration)",
            pytrace=False,
        )
    return path


def test_packaged_poms_pin_both_versions() -> None:
    assert ignite_version(LEGACY_IGFS_POM_PATH) == "2.8.1"
    assert packaged_pom("2.8.1") == LEGACY_IGFS_POM_PATH
    assert packaged_pom(ignite_version()) == POM_PATH
    assert ignite_libs_dir(pom=LEGACY_IGFS_POM_PATH).parent.name == "ignite-2.8.1"
    with pytest.raises(IgniteNodeError, match="2.8.1"):
        packaged_pom("2.9.0")


def test_node_serves_igfs_on_tcp(legacy_igfs_node: Any) -> None:
    node = legacy_igfs_node
    assert probe_igfs(node.host, node.igfs_port)
    if isinstance(node, LegacyIgfsNode):  # ours: its log says which Ignite runs
        log = node.log_path.read_text(errors="replace")
        assert "ver. 2.8.1" in log
        assert f"127.0.0.1:{node.discovery_ports[0]}" in node.config_path.read_text()
        assert "@" not in node.config_path.read_text().split("-->", 1)[1]


def test_probe_refuses_what_is_not_igfs(closed_port: int) -> None:
    assert not probe_igfs("127.0.0.1", closed_port, 1.0)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        assert not probe_igfs("127.0.0.1", silent.getsockname()[1], 0.5)


def test_cpp_client_against_the_node(legacy_igfs_node: Any, tmp_path: Path) -> None:
    binary = integration_binary()
    env = dict(os.environ)
    env["IGNITE_TF_IGFS_HOST"] = legacy_igfs_node.host
    env["IGNITE_TF_IGFS_PORT"] = str(legacy_igfs_node.igfs_port)
    report = tmp_path / "igfs_integration.xml"
    proc = subprocess.run(
        [str(binary), f"--gtest_output=xml:{report}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"{binary} failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-2000:]}"
    # Every test ran: a filter or a crash that skipped some would show here.
    assert "[  PASSED  ] 12 tests." in proc.stdout, proc.stdout[-4000:]
