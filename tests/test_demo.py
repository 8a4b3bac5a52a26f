"""The README's main job (``bash .ci/demo.sh`` runs ``python -m ignite_tf.demo``) against the
session's real node: the article's kitten example, then scikit-learn's digits loaded with the bulk
writer, a Keras model trained from IgniteDataset, its held-out accuracy, and its checkpoint and
TensorBoard logs in igfs://, all without TensorFlow's start-up log lines or Keras warnings."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("sklearn")


def test_demo_trains_on_real_digits_and_keeps_its_checkpoint_in_igfs(ignite_node, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ignite_tf.demo", "--address", ignite_node.address],
        cwd=tmp_path,  # the installed package, not a checkout's sources
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    lines = [line.strip() for line in out.splitlines()]
    kittens = [line for line in lines if line.startswith("{'key'")]
    assert kittens == [
        "{'key': 1, 'val': {'NAME': b'WARM KITTY'}}",
        "{'key': 2, 'val': {'NAME': b'SOFT KITTY'}}",
        "{'key': 3, 'val': {'NAME': b'LITTLE BALL OF FUR'}}",
    ]
    # 1,797 images, split 80/20 within each class, loaded with Client.write.
    assert re.search(r"DEMO_DIGITS_TRAIN: 1,442 images written in [0-9.]+ s", out), out
    assert re.search(r"DEMO_DIGITS_TEST: 355 images written in [0-9.]+ s", out), out
    held_out = re.search(r"Held-out accuracy: ([0-9.]+) on 355 images", out)
    assert held_out, out
    assert float(held_out.group(1)) > 0.9  # measured 0.977; chance is 0.1
    restored = re.search(
        rf"Checkpoint saved to igfs://{re.escape(ignite_node.address)}/demo/ckpt/digits-1; "
        r"restored into a new model: accuracy ([0-9.]+)",
        out,
    )
    assert restored and restored.group(1) == held_out.group(1), out
    assert re.search(r"\(1 event file\)|\([2-9] event files\)", out), out
    # Quiet: no TensorFlow C++ log lines, no Keras or Python warnings.
    noise = [
        line
        for line in done.stderr.splitlines()
        if re.match(r"[IWE]\d{4} ", line) or "Warning" in line or "WARNING" in line
    ]
    assert noise == [], done.stderr[-3000:]
