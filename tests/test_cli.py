"""The ``ignite-tf`` command line against real nodes: ``fs`` (ls, cat, cp, rm, du, mkdir) on both
igfs:// backends, ``caches``, ``load`` (CSV, Parquet, .npz into a cache or a SQL table), and its
errors and exit codes."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ignite_tf import Client, cli
from ignite_tf.cli import main

BIN = Path(sys.executable).with_name("ignite-tf")


def _run(capsysbinary: Any, *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


@pytest.fixture()
def igfs_root(igfs_backend: Any) -> Any:
    root = f"igfs://{igfs_backend.authority}/cli-{uuid.uuid4().hex[:8]}"
    assert main(["fs", "mkdir", root]) == 0
    yield root
    main(["fs", "rm", "-r", root])


def test_fs_round_trip_of_a_directory_tree(igfs_root: str, tmp_path: Path, capsysbinary) -> None:
    src = tmp_path / "logs"
    (src / "run1").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"alpha\n")
    big = os.urandom(9 << 20)  # more than one 8 MiB chunk
    (src / "run1" / "big.bin").write_bytes(big)
    code, _, err = _run(capsysbinary, "fs", "cp", "-r", str(src), igfs_root)  # into the directory
    assert code == 0, err
    assert f"copied {len(big) + 6:,} bytes" in err
    code, out, _ = _run(capsysbinary, "fs", "ls", "-R", igfs_root)
    base = igfs_root.split("/", 3)[3]
    assert out.decode().split() == [
        f"/{base}/logs",
        f"/{base}/logs/a.txt",
        f"/{base}/logs/run1",
        f"/{base}/logs/run1/big.bin",
    ]
    code, out, _ = _run(capsysbinary, "fs", "cat", f"{igfs_root}/logs/a.txt")
    assert (code, out) == (0, b"alpha\n")
    code, out, _ = _run(capsysbinary, "fs", "du", "-s", f"{igfs_root}/logs")
    assert out.decode().split() == [str(len(big) + 6), f"/{base}/logs"]
    back = tmp_path / "back"
    code, _, err = _run(capsysbinary, "fs", "cp", "-r", "-q", f"{igfs_root}/logs", str(back))
    assert code == 0, err
    assert (back / "run1" / "big.bin").read_bytes() == big  # back/ did not exist: it is the copy
    assert (back / "a.txt").read_bytes() == b"alpha\n"
    code, out, _ = _run(capsysbinary, "fs", "ls", "-l", f"{igfs_root}/logs/run1/big.bin")
    assert out.decode().split()[0:2] == ["-", str(len(big))]


class _CountingStore:
    """The store of an igfs filesystem, counting the calls that reach it by method name."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.calls: collections.Counter[str] = collections.Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted

    def take(self) -> dict[str, int]:
        """The stats and listings since the last take."""
        seen = {name: self.calls[name] for name in ("info", "ls")}
        self.calls.clear()
        return seen


def test_fs_ls_and_cp_r_stat_each_path_once(
    igfs_root: str, tmp_path: Path, capsysbinary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round trips: ls stats its argument once and lists a directory without another stat (-R
    descends into the directories the listings typed); cp -r copies the children as the listing
    typed them, without a stat each."""
    fs, root = cli._filesystem(igfs_root)
    assert cli._filesystem(f"{igfs_root}/d")[0] is fs  # the instance the command will use
    fs.mkdir(f"{root}/d/e", create_parents=True)
    fs.pipe(f"{root}/d/a.txt", b"alpha")
    fs.pipe(f"{root}/d/e/b.txt", b"beta")
    store = _CountingStore(fs.store)
    monkeypatch.setattr(fs, "store", store)

    code, out, err = _run(capsysbinary, "fs", "ls", f"{igfs_root}/d")
    assert code == 0, err
    assert out.decode().split() == [f"{root}/d/a.txt", f"{root}/d/e"]
    assert store.take() == {"info": 1, "ls": 1}
    code, out, err = _run(capsysbinary, "fs", "ls", "-R", "-l", f"{igfs_root}/d")
    assert code == 0, err
    assert [line.split()[-1] for line in out.decode().splitlines()] == [
        f"{root}/d/a.txt",
        f"{root}/d/e",
        f"{root}/d/e/b.txt",
    ]
    assert store.take() == {"info": 1, "ls": 2}
    code, out, err = _run(capsysbinary, "fs", "ls", f"{igfs_root}/d/a.txt")
    assert (code, out.decode().split()) == (0, [f"{root}/d/a.txt"]), err
    assert store.take() == {"info": 1, "ls": 0}

    code, _, err = _run(capsysbinary, "fs", "cp", "-r", "-q", f"{igfs_root}/d", str(tmp_path / "d"))
    assert code == 0, err
    assert (tmp_path / "d" / "a.txt").read_bytes() == b"alpha"
    assert (tmp_path / "d" / "e" / "b.txt").read_bytes() == b"beta"
    assert store.take() == {"info": 1, "ls": 2}  # the source; the two directories' listings


def test_fs_errors_are_one_line_and_exit_1(igfs_root: str, capsysbinary) -> None:
    code, _, err = _run(capsysbinary, "fs", "cat", f"{igfs_root}/missing.txt")
    assert code == 1 and err.startswith("ignite-tf: ") and "does not exist" in err
    assert err.count("\n") == 1
    _run(capsysbinary, "fs", "mkdir", "-p", f"{igfs_root}/d/e")
    code, _, err = _run(capsysbinary, "fs", "rm", f"{igfs_root}/d")
    assert code == 1 and "is a directory (remove it with -r)" in err
    code, _, err = _run(capsysbinary, "fs", "mkdir", f"{igfs_root}/d")
    assert code == 1 and "already exists" in err
    code, _, err = _run(capsysbinary, "fs", "cp", "/nonexistent-dir/x", f"{igfs_root}/x")
    assert code == 1 and "/nonexistent-dir/x: no such file or directory" in err
    code, _, err = _run(capsysbinary, "fs", "ls", "/local/path")
    assert code == 1 and "not an igfs:// URL" in err
    code, _, _ = _run(capsysbinary, "fs", "rm", "-r", f"{igfs_root}/d")
    assert code == 0
    code, out, _ = _run(capsysbinary, "fs", "ls", igfs_root)
    assert out == b""


def test_unreachable_node_exits_1_quickly(capsysbinary) -> None:
    code, _, err = _run(capsysbinary, "fs", "ls", "igfs://127.0.0.1:1/")
    assert code == 1 and "127.0.0.1:1" in err


def test_caches_lists_names_sizes_and_partitions(ignite_node: Any, capsysbinary) -> None:
    name = f"CLI_{uuid.uuid4().hex[:6].upper()}"
    with Client(ignite_node.host, ignite_node.port) as client:
        client.write(name, {"x": np.arange(37, dtype=np.int64)}, progress=False)
        parts = len(client.partitions(name))
        try:
            code, out, err = _run(capsysbinary, "caches", "--host", ignite_node.address)
        finally:
            client.destroy_cache(name)
    assert code == 0, err
    lines = out.decode().splitlines()
    assert lines[0].split() == ["CACHE", "SIZE", "PARTITIONS", "MODE", "BACKUPS"]
    row = next(line.split() for line in lines if line.startswith(name + " "))
    assert row[1:4] == ["37", str(parts), "partitioned"]


def test_load_csv_parquet_and_npz(ignite_node: Any, tmp_path: Path, capsysbinary) -> None:
    import pandas as pd

    frame = pd.DataFrame({"ID": [1, 2, 3], "X": [0.5, 1.5, 2.5], "NAME": ["a", "b", "c"]})
    csv, parquet, npz = tmp_path / "t.csv", tmp_path / "t.parquet", tmp_path / "t.npz"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet)
    np.savez(npz, label=np.array([7, 8], np.int32), pixels=np.ones((2, 4), np.uint8))
    suffix = uuid.uuid4().hex[:6].upper()
    host = ["--host", ignite_node.address, "-q"]
    with Client(ignite_node.host, ignite_node.port) as client:
        try:
            code, out, err = _run(
                capsysbinary, "load", str(csv), "--cache", f"C_{suffix}", "--key", "ID", *host
            )
            assert code == 0, err
            assert "loaded 3 rows" in out.decode()
            assert client.get(f"C_{suffix}", 2)["NAME"] == "b"
            code, _, err = _run(
                capsysbinary,
                "load",
                str(parquet),
                "--table",
                f"T_{suffix}",
                "--primary-key",
                "ID",
                "--create",
                *host,
            )
            assert code == 0, err
            rows = client.sql(f"SELECT ID, X, NAME FROM T_{suffix} ORDER BY ID")
            assert [list(r) for r in rows] == [[1, 0.5, "a"], [2, 1.5, "b"], [3, 2.5, "c"]]
            code, _, err = _run(capsysbinary, "load", str(npz), "--cache", f"N_{suffix}", *host)
            assert code == 0, err
            assert list(client.get(f"N_{suffix}", 1)["pixels"]) == [1, 1, 1, 1]
            assert client.get(f"N_{suffix}", 1)["label"] == 8
        finally:
            for name in (f"C_{suffix}", f"N_{suffix}", f"SQL_PUBLIC_T_{suffix}"):
                if name in client.cache_names():
                    client.destroy_cache(name)
    code, _, err = _run(capsysbinary, "load", str(tmp_path / "nope.csv"), "--cache", "X", *host)
    assert code == 1 and "nope.csv: no such file" in err
    code, _, err = _run(capsysbinary, "load", str(csv), *host)
    assert code == 1 and "--cache NAME or --table NAME" in err
    (tmp_path / "t.xlsx").write_bytes(b"")
    code, _, err = _run(capsysbinary, "load", str(tmp_path / "t.xlsx"), "--cache", "X", *host)
    assert code == 1 and "cannot tell the format" in err


def test_the_installed_command_and_its_exit_codes(ignite_node: Any) -> None:
    assert BIN.exists(), BIN
    env = dict(
        os.environ, IGNITE_DATASET_HOST=ignite_node.host, IGNITE_DATASET_PORT=str(ignite_node.port)
    )
    ok = subprocess.run(
        [str(BIN), "caches"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert ok.returncode == 0 and ok.stdout.startswith("CACHE"), ok.stderr
    usage = subprocess.run(
        [str(BIN), "fs", "frobnicate"], capture_output=True, text=True, timeout=120, check=False
    )
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    failed = subprocess.run(
        [str(BIN), "fs", "cat", "igfs://127.0.0.1:1/x"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 1 and failed.stderr.startswith("ignite-tf: ")
