"""The igfs fsspec filesystem (ignite_tf.fsspec) against a real Ignite node: open, ls, info, rm,
mv, appends, flush visibility, errors, gc, and pandas.read_csv on igfs:// URLs."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import uuid

import pytest

fsspec = pytest.importorskip("fsspec")

from ignite_tf.errors import (  # noqa: E402
    IgniteFileNotFoundError,
    IgniteIsADirectoryError,
    IgniteNotADirectoryError,
)


@pytest.fixture()
def igfs(ignite_node):
    fs = fsspec.filesystem(
        "igfs", host=ignite_node.host, port=ignite_node.port, skip_instance_cache=True
    )
    root = f"/fsspec-{uuid.uuid4().hex[:8]}"
    fs.makedirs(root)
    yield fs, root
    fs.rm(root, recursive=True)


def test_entry_point_registers_the_protocol():
    from ignite_tf.fsspec import IgfsFileSystem

    assert fsspec.get_filesystem_class("igfs") is IgfsFileSystem


def test_open_ls_info_rm_mv(ignite_node, igfs):
    fs, root = igfs
    url = f"igfs://{ignite_node.host}:{ignite_node.port}{root}/a.txt"
    with fsspec.open(url, "wb") as f:
        f.write(b"Hello, world!")
    with fsspec.open(url, "rb") as f:
        assert f.read() == b"Hello, world!"
    fs.mkdir(f"{root}/sub")
    assert fs.ls(root, detail=False) == [f"{root}/a.txt", f"{root}/sub"]
    info = fs.info(f"{root}/a.txt")
    assert info["type"] == "file" and info["size"] == 13 and info["name"] == f"{root}/a.txt"
    assert fs.info(f"{root}/sub")["type"] == "directory"
    assert fs.isdir(f"{root}/sub") and fs.isfile(f"{root}/a.txt")
    fs.mv(f"{root}/a.txt", f"{root}/sub/b.txt")
    assert not fs.exists(f"{root}/a.txt")
    assert fs.cat(f"{root}/sub/b.txt") == b"Hello, world!"
    fs.rm(f"{root}/sub/b.txt")
    assert fs.ls(f"{root}/sub") == []
    fs.rm(f"{root}/sub", recursive=True)
    assert fs.ls(root) == []


def test_mv_replaces_an_existing_file(igfs):
    fs, root = igfs
    fs.pipe(f"{root}/new", b"new content")
    fs.pipe(f"{root}/old", b"old")
    fs.mv(f"{root}/new", f"{root}/old")
    assert fs.cat(f"{root}/old") == b"new content"
    assert fs.ls(root, detail=False) == [f"{root}/old"]


def test_append_and_flush_visibility(igfs):
    fs, root = igfs
    path = f"{root}/log.txt"
    f = fs.open(path, "wb")
    f.write(b"first ")
    assert not fs.exists(path)  # nothing published before a flush or close
    f.flush()
    assert fs.cat(path) == b"first "  # flushed bytes are readable while open
    f.write(b"second")
    f.close()
    with fs.open(path, "ab") as f:
        f.write(b" third")
    assert fs.cat(path) == b"first second third"


def test_multi_block_file_and_ranges(ignite_node, igfs):
    fs, root = igfs
    small = fsspec.filesystem(
        "igfs",
        host=ignite_node.host,
        port=ignite_node.port,
        block_size=1000,
        skip_instance_cache=True,
    )
    data = bytes(range(256)) * 40  # 10240 bytes: 11 blocks of 1000
    small.pipe(f"{root}/blocks.bin", data)
    assert fs.cat(f"{root}/blocks.bin") == data
    assert fs.cat_file(f"{root}/blocks.bin", start=995, end=2010) == data[995:2010]
    with fs.open(f"{root}/blocks.bin", "rb") as f:
        f.seek(9000)
        assert f.read() == data[9000:]


def test_errors_are_os_errors(igfs):
    fs, root = igfs
    fs.pipe(f"{root}/file", b"x")
    with pytest.raises(FileNotFoundError):
        fs.info(f"{root}/missing")
    with pytest.raises(IgniteFileNotFoundError):
        fs.cat(f"{root}/missing")
    with pytest.raises(NotADirectoryError):
        fs.info(f"{root}/file/below")
    with pytest.raises(IgniteNotADirectoryError):
        fs.pipe(f"{root}/file/below", b"y")
    with pytest.raises(IgniteIsADirectoryError):
        fs.rm_file(root)
    with pytest.raises(FileNotFoundError):
        fs.pipe(f"{root}/no/such/dir/file", b"y")


def test_unreachable_server_is_a_connection_error():
    from ignite_tf.errors import IgniteConnectionError

    with pytest.raises(IgniteConnectionError):
        fsspec.filesystem("igfs", host="127.0.0.1", port=1, skip_instance_cache=True)


def test_pandas_read_csv(ignite_node, igfs):
    pd = pytest.importorskip("pandas")
    fs, root = igfs
    url = f"igfs://{ignite_node.host}:{ignite_node.port}{root}/table.csv"
    pd.DataFrame(
        {"id": [1, 2, 3], "name": ["WARM KITTY", "SOFT KITTY", "LITTLE BALL OF FUR"]}
    ).to_csv(url, index=False)
    df = pd.read_csv(url)
    assert df["name"].tolist() == ["WARM KITTY", "SOFT KITTY", "LITTLE BALL OF FUR"]


def test_gc_reclaims_blocks_of_abandoned_writers(ignite_node, igfs):
    from ignite_tf import Client

    fs, root = igfs
    w = fs.store.open_write(f"{root}/abandoned")
    w.write(b"z" * 3_000_000)  # two full blocks stored, never published
    with Client(ignite_node.host, ignite_node.port) as client:
        blocks_before = client.size(fs.store.blocks_cache)
        stats = fs.gc(min_age_seconds=0)
        assert stats["contents_removed"] >= 1 and stats["blocks_removed"] >= 2
        assert client.size(fs.store.blocks_cache) <= blocks_before - 2
    assert not fs.exists(f"{root}/abandoned")


def test_pyarrow_reads_and_writes_parquet(ignite_node, igfs):
    pa = pytest.importorskip("pyarrow")  # in the test extra
    pq = pytest.importorskip("pyarrow.parquet")
    pd = pytest.importorskip("pandas")
    fs, root = igfs
    table = pa.table({"id": list(range(1000)), "name": [f"kitten {i}" for i in range(1000)]})
    pq.write_table(table, f"{root}/t.parquet", filesystem=fs, row_group_size=100)
    assert pq.read_table(f"{root}/t.parquet", filesystem=fs).equals(table)
    # Column and row-group reads seek inside the file.
    group = pq.ParquetFile(f"{root}/t.parquet", filesystem=fs).read_row_group(7, columns=["name"])
    assert group.column("name").to_pylist() == [f"kitten {i}" for i in range(700, 800)]
    # pandas hands igfs:// URLs to fsspec and PyArrow.
    url = f"igfs://{ignite_node.host}:{ignite_node.port}{root}/p.parquet"
    table.to_pandas().to_parquet(url)
    assert pd.read_parquet(url, columns=["id"])["id"].tolist() == list(range(1000))


_KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from ignite_tf.fsspec import IgfsFileSystem
    fs = IgfsFileSystem(host=sys.argv[1], port=int(sys.argv[2]), fs_name=sys.argv[3])
    f = fs.open("/killed.bin", "wb")
    f.write(b"k" * (3 << 20))
    f._push()  # three full blocks streamed to the blocks cache, nothing published
    print("written", flush=True)
    time.sleep(600)
    """
)


def test_gc_reclaims_a_killed_writer_and_keeps_live_files(ignite_node, tmp_path):
    """In a filesystem of its own (exact counts): a writer process killed with SIGKILL leaves
    three orphan blocks; gc with min_age 0 removes exactly those, while a closed file and a file
    still open after a flush keep every block and read back whole."""
    from ignite_tf import Client

    name = f"gc{uuid.uuid4().hex[:8]}"
    fs = fsspec.filesystem(
        "igfs", host=ignite_node.host, port=ignite_node.port, fs_name=name, skip_instance_cache=True
    )
    closed = b"c" * ((5 << 19) + 3)  # 2.5 MB: three blocks
    fs.pipe("/closed.bin", closed)
    growing = fs.open("/growing.bin", "wb")
    growing.write(b"g" * (3 << 19))
    growing.flush()  # published, still open: two blocks
    script = tmp_path / "killed_writer.py"
    script.write_text(_KILLED_WRITER)
    proc = subprocess.Popen(
        [sys.executable, str(script), ignite_node.host, str(ignite_node.port), name],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert any(line.strip() == "written" for line in iter(proc.stdout.readline, ""))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not fs.exists("/killed.bin")
    with Client(ignite_node.host, ignite_node.port) as client:
        assert client.size(fs.store.blocks_cache) == 3 + 2 + 3
        assert client.size(fs.store.contents_cache) == 3
        young = fs.gc()  # the default min_age (one hour) spares the young orphan
        assert young["contents_removed"] == 0 and young["blocks_removed"] == 0
        stats = fs.gc(min_age_seconds=0)
        assert stats == {"contents_checked": 3, "contents_removed": 1, "blocks_removed": 3}
        assert client.size(fs.store.blocks_cache) == 3 + 2
        assert client.size(fs.store.contents_cache) == 2
    assert fs.cat("/closed.bin") == closed
    assert fs.cat("/growing.bin") == b"g" * (3 << 19)
    growing.write(b"h")
    growing.close()
    assert fs.cat("/growing.bin") == b"g" * (3 << 19) + b"h"
    assert fs.gc(min_age_seconds=0)["contents_removed"] == 0
    with Client(ignite_node.host, ignite_node.port) as client:
        for cache in (fs.store.entries_cache, fs.store.blocks_cache, fs.store.contents_cache):
            client.destroy_cache(cache)


def test_conflicting_writers_raise_ignite_conflict_error(igfs):
    from ignite_tf.errors import IgniteConflictError

    fs, root = igfs
    first = fs.open(f"{root}/raced", "wb")
    first.write(b"first")
    with fs.open(f"{root}/raced", "wb") as second:
        second.write(b"second")
    with pytest.raises(IgniteConflictError, match="replaced, renamed or deleted"):
        first.close()
    assert fs.cat(f"{root}/raced") == b"second"


def test_concurrent_appenders_the_first_to_publish_wins(igfs):
    """Two appenders opened on one file: the first to close publishes its bytes whole; the
    other is refused and none of its bytes reach the file (it once overwrote the winner's)."""
    from ignite_tf.errors import IgniteConflictError

    fs, root = igfs
    path = f"{root}/log"
    fs.pipe(path, b"base-" * 300_000)  # 1.5 MB: a full block and a partial one
    a = fs.store.open_write(path, append=True)
    b = fs.store.open_write(path, append=True)
    assert a.tell() == b.tell() == 1_500_000
    a.write(b"A" * 700_000)  # fills the partial block and starts another
    with pytest.raises(IgniteNotADirectoryError):
        fs.store.open_write(f"{root}/log/below", append=True)
    reader = fs.open(path, "rb")  # opened before the append is published
    a.close()
    assert fs.cat(path) == b"base-" * 300_000 + b"A" * 700_000
    b.write(b"B" * 900_000)
    with pytest.raises(IgniteConflictError):
        b.close()
    assert fs.cat(path) == b"base-" * 300_000 + b"A" * 700_000
    with pytest.raises(IgniteConflictError):  # its version was replaced before it read
        reader.read()
