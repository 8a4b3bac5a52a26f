"""One wheel, unchanged, across TensorFlow: the shipped manylinux wheel (dist/, from .ci/wheels.sh)
is installed (with its dependencies, so its NumPy floor must admit each TensorFlow) beside the
oldest TensorFlow 2.x that pip offers for this Python and beside the newest, each in a venv of its
own, and tests/tf_matrix_check.py runs there in both import orders: IgniteDataset, SqlDataset, an
igfs:// checkpoint, Keras save/load through igfs:// and TensorBoard logs. This is the property the
old tf.contrib / tensorflow-io integrations died for (they were built against one TensorFlow).

The venvs live in build/tf-matrix/ and are reused; the wheel is reinstalled into them each run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
CHECK = Path(__file__).resolve().with_name("tf_matrix_check.py")
VENVS = ROOT / "build" / "tf-matrix"
DIST = Path(os.environ.get("IGNITE_TF_DIST", ROOT / "dist"))
# The oldest TensorFlow pip offers for CPython 3.11 (2.12.0 pins NumPy below what 2.12.1 takes)
# and the newest; pyproject.toml's tensorflow extra starts at the oldest.
OLDEST = "2.12.1"
NEWEST = "2.21.0"

pytest.importorskip("tensorflow")


def _pip(python: Path, *args: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, f"pip install {' '.join(args)}:\n{done.stderr[-4000:]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manylinux wheel `bash .ci/wheels.sh` left in dist/ for this Python (the one users get;
    the README's test command builds it first), or else one built here from the checkout."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    shipped = sorted(DIST.glob(f"ignite_tf-*-{tag}-{tag}-manylinux*.whl"))
    if shipped:
        return shipped[-1]
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-build-isolation",
            "--no-deps",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    (built,) = out.glob("ignite_tf-*.whl")
    return built


def _venv(version: str, wheel: Path) -> Path:
    venv = VENVS / f"tf-{version}"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # One resolver run: TensorFlow and the wheel's own requirements must agree (TensorBoard, for
    # the event files: TensorFlow 2.21 no longer brings it). A no-op once the venv has them.
    _pip(python, f"tensorflow=={version}", "tensorboard", f"ignite-tf @ {wheel.as_uri()}")
    # The same version number as last run's wheel: reinstall this build's.
    _pip(python, "--force-reinstall", "--no-deps", str(wheel))
    return python


def test_the_tested_range_is_what_pyproject_states() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"tensorflow>={OLDEST}" in project["optional-dependencies"]["tensorflow"]
    (numpy,) = [d for d in project["dependencies"] if d.startswith("numpy")]
    floor = tuple(int(p) for p in re.search(r">=([0-9.]+)", numpy).group(1).split("."))
    assert floor <= (1, 24), f"{numpy} excludes NumPy 1.24, which TensorFlow {OLDEST} needs"


@pytest.mark.parametrize("version", [OLDEST, NEWEST])
def test_one_wheel_across_tensorflow_versions(version: str, wheel: Path, ignite_node) -> None:
    python = _venv(version, wheel)
    for order in ("tf-first", "ignite-first"):
        done = subprocess.run(
            [str(python), str(CHECK), ignite_node.host, str(ignite_node.port), order],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=VENVS,  # not the checkout: its ignite_tf has no compiled core
        )
        assert done.returncode == 0, f"{version} {order}:\n{done.stderr[-4000:]}"
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["tensorflow"] == version
        assert report["ignite_tf"].startswith(str(VENVS)), report  # the wheel, not the checkout
        assert report["checked"] == [
            "IgniteDataset",
            "SqlDataset",
            "igfs checkpoint",
            "Keras save/load",
            "TensorBoard logs",
        ]
