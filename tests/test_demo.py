"""The README's main job (``bash .ci/demo.sh`` runs ``python -m ignite_tf.demo``) against the
session's real node: the article's kitten example, then a Keras model trained on an
IgniteDataset."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest.importorskip("tensorflow")


def test_demo_prints_the_kittens_and_trains(ignite_node, tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ignite_tf.demo", "--address", ignite_node.address],
        cwd=tmp_path,  # the installed package, not a checkout's sources
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    kittens = [line for line in lines if line.startswith("{'key'")]
    assert kittens == [
        "{'key': 1, 'val': {'NAME': b'WARM KITTY'}}",
        "{'key': 2, 'val': {'NAME': b'SOFT KITTY'}}",
        "{'key': 3, 'val': {'NAME': b'LITTLE BALL OF FUR'}}",
    ]
    # The points are loaded with Client.write.
    assert re.search(r"20,000 rows written in [0-9.]+ s", done.stdout), done.stdout
    match = re.search(
        r"Done: training accuracy ([0-9.]+) after 5 epochs over 20000 rows", done.stdout
    )
    assert match, done.stdout
    assert float(match.group(1)) > 0.9  # the classes are separable: a trained model gets >0.95
