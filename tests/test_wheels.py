"""The wheels users install, as `bash .ci/wheels.sh` leaves them in dist/ (the README's test
command builds them first; IGNITE_TF_DIST points elsewhere): one per CPython 3.9-3.13 that pyenv
has here, each loadable on glibc 2.31 with nothing but the system's C and C++ runtimes, and one of
them installed by pip in a clean Debian 11 root filesystem (.ci/clean_room.sh) where the kitten
example, a batched read and an igfs:// checkpoint run against the session's node.

Checked here from the ELF files themselves, not from auditwheel's word: the symbol versions each
compiled module needs, the libraries it names, and that it exports nothing but its entry point
(OpenSSL, Abseil and our own code are linked in, hidden; TensorFlow carries its own copies of
OpenSSL and Abseil).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST = Path(os.environ.get("IGNITE_TF_DIST", ROOT / "dist"))
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
# manylinux_2_31: what Debian 11 (glibc 2.31, gcc 10) provides; auditwheel's policy for it.
LIMITS = {"GLIBC": (2, 31), "GLIBCXX": (3, 4, 28), "CXXABI": (1, 3, 12), "GCC": (7, 0, 0)}
SYSTEM_LIBRARIES = {
    "libc.so.6",
    "libm.so.6",
    "libstdc++.so.6",
    "libgcc_s.so.1",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
}
# Mangled names in namespace std: functions, members, typeinfo, vtables and guard variables.
STANDARD_LIBRARY = re.compile(r"_Z(T[ISV]|GV)?Z?N?K?St")
ENTRY_POINTS = {"_core": {"PyInit__core"}, "_igfs_tf_plugin": {"TF_InitPlugin"}}


def _expected_tags() -> set[str]:
    minors = os.environ.get("IGNITE_TF_WHEEL_PYTHONS", "3.9 3.10 3.11 3.12 3.13").split()
    present = {
        m for m in minors if any(re.fullmatch(rf"{re.escape(m)}\.\d+", p.name) for p in _pyenv())
    }
    return {"cp" + m.replace(".", "") for m in present}


def _pyenv() -> list[Path]:
    return list(PYENV_VERSIONS.iterdir()) if PYENV_VERSIONS.is_dir() else []


def _wheels() -> list[Path]:
    wheels = sorted(DIST.glob("ignite_tf-*.whl"))
    if not wheels:
        pytest.skip(f"no wheels in {DIST}: bash .ci/wheels.sh builds them")
    return wheels


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _needs(path: Path) -> tuple[dict[str, tuple[int, ...]], set[str], set[str]]:
    """The newest version each symbol family needs, the NEEDED libraries, and the exported
    (defined, global) dynamic symbols of one shared object."""
    versions = subprocess.run(
        ["objdump", "-T", str(path)], capture_output=True, text=True, check=True
    ).stdout
    newest: dict[str, tuple[int, ...]] = {}
    for family, number in re.findall(r"\b(GLIBC|GLIBCXX|CXXABI|GCC)_([0-9.]+)\b", versions):
        newest[family] = max(newest.get(family, ()), _version(number))
    dynamic = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))
    exported = subprocess.run(
        ["nm", "-D", "--defined-only", str(path)], capture_output=True, text=True, check=True
    ).stdout
    # "ADDRESS TYPE NAME"; C++ standard library instantiations (std::string's members and the
    # like) are exported by every C++ extension and are the same code as libstdc++'s own.
    names = {line.split()[-1] for line in exported.splitlines()}
    return newest, needed, {n for n in names if not STANDARD_LIBRARY.match(n)} - {"_init", "_fini"}


def test_one_wheel_per_interpreter_and_an_sdist():
    wheels = _wheels()
    tags = {w.name.split("-")[2] for w in wheels}
    assert tags == _expected_tags(), [w.name for w in wheels]
    for wheel in wheels:
        python, abi, platforms = wheel.name[: -len(".whl")].split("-")[2:]
        assert python == abi, wheel.name
        for platform in platforms.split("."):
            found = re.fullmatch(r"manylinux_2_(\d+)_x86_64", platform)
            assert found and int(found.group(1)) <= 31, wheel.name
    (sdist,) = DIST.glob("ignite_tf-*.tar.gz")
    subprocess.run(["tar", "-tzf", str(sdist)], capture_output=True, check=True)


@pytest.mark.parametrize("which", ["_core", "_igfs_tf_plugin"])
def test_compiled_modules_need_only_glibc_2_31_and_the_system_runtimes(which, tmp_path):
    if not shutil.which("objdump"):
        pytest.fail("objdump (binutils) is needed to read the wheels' ELF files")
    for wheel in _wheels():
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            assert not [n for n in names if ".libs/" in n], f"{wheel.name} vendors libraries"
            (member,) = [n for n in names if re.fullmatch(rf"ignite_tf/{which}[.\w-]*\.so", n)]
            path = Path(archive.extract(member, tmp_path / wheel.stem))
        newest, needed, exported = _needs(path)
        for family, limit in LIMITS.items():
            assert newest.get(family, ()) <= limit, (wheel.name, member, family, newest[family])
        assert needed <= SYSTEM_LIBRARIES, (wheel.name, member, needed - SYSTEM_LIBRARIES)
        # No SSL_*, no absl::, no ignite_tf::: only the entry point (and instantiations of the
        # C++ standard library) is visible to TensorFlow and Python.
        assert exported == ENTRY_POINTS[which], (wheel.name, member, sorted(exported)[:20])


def test_a_wheel_installs_and_works_in_a_clean_debian_11(ignite_node):
    _wheels()
    if os.geteuid() != 0:
        pytest.fail("the clean room needs root (mmdebstrap and chroot)")
    done = subprocess.run(
        [
            "bash",
            str(ROOT / ".ci" / "clean_room.sh"),
            str(DIST),
            str(ROOT / "tests" / "clean_room_check.py"),
            ignite_node.host,
            str(ignite_node.port),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # Debian 11's own C library and Python; ignite_tf from the wheel pip installed there.
    assert report["glibc"] == "glibc 2.31", report
    assert report["python"].startswith("3.9."), report
    assert report["ignite_tf_file"].startswith("/venv/lib/python3.9/site-packages/"), report
    assert report["kittens"] == [
        [1, "WARM KITTY"],
        [2, "SOFT KITTY"],
        [3, "LITTLE BALL OF FUR"],
    ], report
    assert report["batched"] == {
        "batches": report["batched"]["batches"],
        "rows": 5000,
        "pixels_equal": True,
        "labels_equal": True,
    }, report
    assert report["batched"]["batches"] >= 1
    checkpoint = report["checkpoint"]
    assert checkpoint["restored_equal"], report
    assert "checkpoint" in checkpoint["files"], report
    assert any(f.startswith("ckpt-1.data-") for f in checkpoint["files"]), report
