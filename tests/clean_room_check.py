"""What a new user does first, run inside the clean room (.ci/clean_room.sh, by
tests/test_wheels.py) after `pip install` of a wheel and TensorFlow: the kitten example from the
2019 article, a batched read with default arguments, and an igfs:// checkpoint saved and restored.

    python clean_room_check.py HOST PORT

Prints one JSON line (the versions, the C library, where ignite_tf was imported from, and what
was read back); exits non-zero on any failure.
"""

from __future__ import annotations

import json
import os
import sys
import uuid

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import ignite_tf  # noqa: E402

host, port = sys.argv[1], int(sys.argv[2])
tag = uuid.uuid4().hex[:8].upper()
table, cache = f"KITTEN_CACHE_{tag}", f"CLEAN_ROOM_{tag}"
report = {
    "glibc": os.confstr("CS_GNU_LIBC_VERSION"),
    "python": sys.version.split()[0],
    "tensorflow": tf.__version__,
    "numpy": np.__version__,
    "ignite_tf": ignite_tf.__version__,
    "ignite_tf_file": ignite_tf.__file__,
}

with ignite_tf.Client(host, port) as client:
    try:
        client.sql(f"CREATE TABLE {table} (ID LONG PRIMARY KEY, NAME VARCHAR)")
        for key, name in [(1, "WARM KITTY"), (2, "SOFT KITTY"), (3, "LITTLE BALL OF FUR")]:
            client.sql(f"INSERT INTO {table} (ID, NAME) VALUES ({key}, '{name}')")
        dataset = ignite_tf.IgniteDataset(cache_name=f"SQL_PUBLIC_{table}", host=host, port=port)
        report["kittens"] = sorted(
            [int(e["key"]), e["val"]["NAME"].numpy().decode()] for e in dataset
        )

        rows = 5000
        pixels = np.random.default_rng(7).integers(0, 256, (rows, 64), dtype=np.uint8)
        client.write(
            cache,
            {
                "id": np.arange(rows, dtype=np.int64),
                "pixels": pixels,
                "label": np.arange(rows) % 10,
            },
            key="id",
            type_name="CleanRoomImage",
            progress=False,
        )
        batches = list(ignite_tf.IgniteDataset(cache, host=host, port=port, batched=True))
        keys = np.concatenate([b["key"].numpy() for b in batches])
        got = np.concatenate([b["val"]["pixels"].numpy() for b in batches])
        labels = np.concatenate([b["val"]["label"].numpy() for b in batches])
        order = np.argsort(keys)
        report["batched"] = {
            "batches": len(batches),
            "rows": int(keys.size),
            "pixels_equal": bool(np.array_equal(got[order].astype(np.uint8), pixels)),
            "labels_equal": bool(np.array_equal(labels[order], np.arange(rows) % 10)),
        }

        weights = tf.Variable(tf.random.uniform((32, 10), seed=3))
        prefix = tf.train.Checkpoint(weights=weights).save(
            f"igfs://{host}:{port}/clean-room-{tag}/ckpt"
        )
        restored = tf.Variable(tf.zeros((32, 10)))
        tf.train.Checkpoint(weights=restored).restore(prefix).assert_consumed()
        report["checkpoint"] = {
            "prefix": prefix,
            "files": sorted(tf.io.gfile.listdir(f"igfs://{host}:{port}/clean-room-{tag}")),
            "restored_equal": bool(np.array_equal(restored.numpy(), weights.numpy())),
        }
        tf.io.gfile.rmtree(f"igfs://{host}:{port}/clean-room-{tag}")
    finally:
        client.sql(f"DROP TABLE IF EXISTS {table}")
        client.destroy_cache(cache)

print(json.dumps(report))
