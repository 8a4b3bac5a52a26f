"""The API reference (docs/api, built by ``bash docs/build.sh``): it builds without a single
warning (nitpicky: every cross-reference resolves), and documents every public name of the
package, its modules, its pytest fixtures and every subcommand of ``ignite-tf``."""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "build" / "docs" / "html"

pytest.importorskip("sphinx", reason="the API reference needs sphinx (the test extra)")


@pytest.fixture(scope="module")
def built() -> Path:
    # The build documents the installed package, with this interpreter's environment.
    env = {**os.environ, "IGNITE_TF_VENV": sys.prefix}
    result = subprocess.run(
        ["bash", str(ROOT / "docs" / "build.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"docs/build.sh failed:\n{output}"
    assert "WARNING" not in output and "ERROR" not in output, output
    return HTML


def _inventory(html_dir: Path) -> dict[str, str]:
    """{name: role} of every object the reference documents (from its objects.inv)."""
    data = (html_dir / "objects.inv").read_bytes()
    # Four header lines, then zlib: "name domain:role priority uri display name" per line.
    body = zlib.decompress(data.split(b"\n", 4)[4]).decode()
    objects = {}
    for line in body.splitlines():
        match = re.match(r"(.+?)\s+(\S+:\S+)\s+-?\d+\s", line)
        if match:
            objects[match.group(1)] = match.group(2)
    return objects


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def test_every_page_is_built(built: Path) -> None:
    pages = {p.stem for p in (ROOT / "docs" / "api").glob("*.rst")}
    assert pages >= {"index", "client", "datasets", "distribute", "igfs", "errors", "testing"}
    for page in pages:
        assert (built / f"{page}.html").is_file(), page


def test_key_names_are_on_their_pages(built: Path) -> None:
    expected = {
        "client": ["ignite_tf.Client", "Client.write", "Client.scan", "Client.sql_batches",
                   "ignite_tf.Scan", "SqlResult", "RaggedColumn", "BinaryObject"],
        "datasets": ["ignite_tf.IgniteDataset", "ignite_tf.SqlDataset", "num_parallel_reads"],
        "distribute": ["dataset_fn", "worker_partitions", "tf_config", "shard_partitions"],
        "igfs": ["IgfsFileSystem", "register_tensorflow_plugin", "fs_name"],
        "errors": ["IgniteError", "IgniteConnectionError", "CacheNotFoundError"],
        "testing": ["IgniteNode", "IgniteCluster", "LegacyIgfsNode", "ignite_node_factory"],
        "cli": ["ignite-tf fs ls", "ignite-tf load", "--primary-key"],
    }  # fmt: skip
    for page, names in expected.items():
        # The page's text, and its HTML for anchors such as id="ignite_tf.Client.write".
        page_html = built / f"{page}.html"
        text = _text(page_html) + html.unescape(page_html.read_text())
        missing = [name for name in names if name not in text]
        assert not missing, f"{page}.html lacks {missing}"


def test_every_public_name_is_documented(built: Path) -> None:
    import ignite_tf
    import ignite_tf.distribute
    import ignite_tf.errors
    import ignite_tf.fsspec
    import ignite_tf.node
    import ignite_tf.pytest_plugin
    import ignite_tf.schema

    documented = _inventory(built)
    # The top-level exceptions and plugin function are documented where they live.
    home = {n: "ignite_tf.errors" for n in ignite_tf.errors.__all__}
    home["register_tensorflow_plugin"] = "ignite_tf.igfs"
    wanted = [f"{home.get(n, 'ignite_tf')}.{n}" for n in ignite_tf.__all__]
    wanted += [f"ignite_tf.errors.{n}" for n in ignite_tf.errors.__all__]
    wanted += [f"ignite_tf.distribute.{n}" for n in ignite_tf.distribute.__all__]
    wanted += [f"ignite_tf.fsspec.{n}" for n in ignite_tf.fsspec.__all__]
    wanted += [f"ignite_tf.schema.{n}" for n in ignite_tf.schema.__all__ if n != "TYPE_CODES"]
    wanted += [f"ignite_tf.testing.{n}" for n in ignite_tf.node.__all__]
    wanted += [f"ignite_tf.pytest_plugin.{n}" for n in ignite_tf.pytest_plugin.__all__]
    wanted += ["ignite_tf.Client.write", "ignite_tf.Client.scan"]
    wanted += [f"ignite_tf.{m}" for m in ("errors", "distribute", "fsspec", "testing", "cli")]
    missing = [name for name in wanted if name not in documented]
    assert not missing, f"not in the API reference: {missing}"


def _subcommands(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append(f"{prefix} {name}")
                out += _subcommands(sub, f"{prefix} {name}")
    return out


def test_every_subcommand_of_the_command_is_documented(built: Path) -> None:
    from ignite_tf.cli import _parser

    text = _text(built / "cli.html")
    commands = _subcommands(_parser(), "ignite-tf")
    assert "ignite-tf fs cp" in commands
    missing = [command for command in commands if f"{command} [-h]" not in text]
    assert not missing, f"cli.html lacks the usage of {missing}"


def test_no_name_is_split_from_its_plural_s(built: Path) -> None:
    """``:class:`IgniteNode` s`` renders "IgniteNode s": reST needs the space after a role, so a
    docstring says "IgniteNode instances" (or escapes the space) instead."""
    split = re.compile(r"([^<>]{1,40})(?:</span>)?</code>(?:</a>)?\s+s\b")
    found = {
        page.name: [m.group(1) for m in split.finditer(page.read_text())]
        for page in sorted(built.glob("*.html"))
    }
    found = {page: names for page, names in found.items() if names}
    assert not found, f"a name and its plural 's' apart: {found}"
