"""One TensorFlow version of the matrix (tests/test_tf_matrix.py runs this in a venv of its own):
IgniteDataset (element-wise and batched), SqlDataset, an igfs:// checkpoint, a Keras model saved
to and loaded from igfs://, and TensorBoard logs in igfs:// read back, with TensorFlow imported
before or after ignite_tf.

    python tf_matrix_check.py HOST PORT tf-first|ignite-first

Prints one JSON line: the versions and what was checked; exits non-zero on any failure.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import uuid

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
host, port, order = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# The order under test (import statements would be sorted by the formatter).
first, second = ("tensorflow", "ignite_tf") if order == "tf-first" else ("ignite_tf", "tensorflow")
importlib.import_module(first)
importlib.import_module(second)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import ignite_tf  # noqa: E402
from ignite_tf import Client, IgniteDataset, SqlDataset  # noqa: E402

tag = uuid.uuid4().hex[:8].upper()
cache, table = f"MATRIX_{tag}", f"MATRIX_T_{tag}"
root = f"igfs://{host}:{port}/matrix-{tag}"
checked = []

with Client(host, port) as client:
    client.write(
        cache,
        {"x": np.arange(100, dtype=np.int64), "y": np.arange(100, dtype=np.float32) / 2},
        type_name="MatrixRow",
        progress=False,
    )
    client.write_table(
        table,
        {"ID": np.arange(10, dtype=np.int64), "V": np.arange(10, dtype=np.float64) * 1.5},
        primary_key="ID",
        create=True,
        progress=False,
    )
    try:
        rows = sorted(
            (int(e["key"]), int(e["val"]["x"]), float(e["val"]["y"]))
            for e in IgniteDataset(cache, host=host, port=port)
        )
        assert rows == [(i, i, i / 2) for i in range(100)], rows[:5]
        sizes = [
            int(b["key"].shape[0])
            for b in IgniteDataset(cache, host=host, port=port, batched=True, batch_size=32)
        ]
        assert sorted(sizes) == [4, 32, 32, 32], sizes
        checked.append("IgniteDataset")
        sql = [
            (int(r["ID"]), float(r["V"]))
            for r in SqlDataset(f"SELECT ID, V FROM {table} ORDER BY ID", host=host, port=port)
        ]
        assert sql == [(i, i * 1.5) for i in range(10)], sql
        checked.append("SqlDataset")
    finally:
        client.destroy_cache(cache)
        client.sql(f"DROP TABLE IF EXISTS {table}")

try:
    v = tf.Variable(3.0)
    checkpoint = tf.train.Checkpoint(v=v)
    saved = checkpoint.save(f"{root}/ckpt/c")
    v.assign(0.0)
    checkpoint.restore(saved).assert_consumed()
    assert float(v.numpy()) == 3.0
    assert tf.train.latest_checkpoint(f"{root}/ckpt") == saved
    checked.append("igfs checkpoint")

    keras_major = int(tf.keras.__version__.split(".")[0])
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
    x = np.random.default_rng(0).random((8, 4)).astype("float32")
    # Keras 3 saves .keras files; Keras 2 (TensorFlow up to 2.15) a SavedModel directory too.
    target = f"{root}/model.keras" if keras_major >= 3 else f"{root}/model_savedmodel"
    model.save(target)
    loaded = tf.keras.models.load_model(target)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    checked.append("Keras save/load")

    writer = tf.summary.create_file_writer(f"{root}/logs")
    with writer.as_default():
        for step in range(3):
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
    writer.flush()
    (events,) = tf.io.gfile.glob(f"{root}/logs/events.out.tfevents.*")
    steps = []
    for record in tf.data.TFRecordDataset(events):
        event = tf.compat.v1.Event.FromString(record.numpy())
        steps += [event.step for _ in event.summary.value]
    writer.close()
    assert steps == [0, 1, 2], steps
    checked.append("TensorBoard logs")
finally:
    if tf.io.gfile.exists(root):
        tf.io.gfile.rmtree(root)

print(
    json.dumps(
        {
            "tensorflow": tf.__version__,
            "keras": tf.keras.__version__,
            "numpy": np.__version__,
            "ignite_tf": ignite_tf.__file__,
            "order": order,
            "checked": checked,
        }
    )
)
