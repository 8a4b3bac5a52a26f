"""Honest failures of a broken install: a copy of the installed package whose compiled core or
igfs:// plugin is missing or does not load says so in the loader's own words, when it matters
(the core at first use, the plugin at ``import ignite_tf`` once TensorFlow is loaded), instead of
a vague "missing" or a later ``UnimplementedError: File system scheme 'igfs' not implemented``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ignite_tf

INSTALLED = Path(ignite_tf.__file__).resolve().parent


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A copy of the installed ignite_tf under tmp_path (put first on sys.path by _run)."""
    shutil.copytree(INSTALLED, tmp_path / "ignite_tf", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _run(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(root)!r})\n{code}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=root,
    )


def _core_file(root: Path) -> Path:
    (core,) = (root / "ignite_tf").glob("_core*.so")
    return core


def test_a_core_that_does_not_load_names_the_loaders_reason(package_copy: Path) -> None:
    core = _core_file(package_copy)
    core.write_bytes(b"this is not an ELF file" * 200)
    done = _run(package_copy, "import ignite_tf\nignite_tf.Client")
    assert done.returncode != 0
    assert "is installed but could not be loaded" in done.stderr, done.stderr[-3000:]
    assert str(core) in done.stderr
    assert "invalid ELF header" in done.stderr  # the dynamic loader's own words


def test_a_missing_core_says_missing(package_copy: Path) -> None:
    _core_file(package_copy).unlink()
    done = _run(package_copy, "import ignite_tf\nignite_tf.Client")
    assert done.returncode != 0
    assert "compiled core (ignite_tf._core) is missing from" in done.stderr, done.stderr[-3000:]


def test_a_plugin_that_does_not_load_fails_import_once_tensorflow_is_loaded(
    package_copy: Path,
) -> None:
    pytest.importorskip("tensorflow")
    plugin = package_copy / "ignite_tf" / "_igfs_tf_plugin.so"
    plugin.write_bytes(b"not a shared object")
    tf_first = _run(package_copy, "import tensorflow\nimport ignite_tf")
    assert tf_first.returncode != 0
    assert "ImportError" in tf_first.stderr, tf_first.stderr[-3000:]
    assert f"igfs:// plugin {plugin} could not be loaded" in tf_first.stderr
    # ignite_tf first: TensorFlow still imports (a program may never use igfs://), with a
    # warning that gives the same reason.
    ours_first = _run(
        package_copy,
        "import warnings\nwarnings.simplefilter('always')\nimport ignite_tf\nimport tensorflow\n"
        "print('tensorflow', tensorflow.__version__)",
    )
    assert ours_first.returncode == 0, ours_first.stderr[-3000:]
    assert "tensorflow " in ours_first.stdout
    assert f"igfs:// plugin {plugin} could not be loaded" in ours_first.stderr
