"""One TensorFlow worker of a MultiWorkerMirroredStrategy run against an Ignite cluster (started
by tests/test_cluster.py, one process per worker, TF_CONFIG in the environment).

    python train_worker.py CACHE ADDRESSES OUT_DIR [--env-part]

Reads its share of CACHE (ignite_tf.distribute.dataset_fn, or with --env-part the original
IGNITE_DATASET_PART of its environment), records the keys it read in OUT_DIR/keys-<index>.npy,
trains a small Keras classifier in step with the other workers, and writes its accuracy on the
whole cache to OUT_DIR/result-<index>.json.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import weakref

import numpy as np
import tensorflow as tf

import ignite_tf
from ignite_tf import distribute

cache, addresses, out_dir = sys.argv[1:4]
env_part = "--env-part" in sys.argv[4:]
index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]

strategy = tf.distribute.MultiWorkerMirroredStrategy()
options = {"batched": True, "batch_size": 32, "fields": ["x", "y", "label"]}
if env_part:
    # The original integration: IGNITE_DATASET_PART (set per worker) overrides part=.
    def make(context: tf.distribute.InputContext) -> tf.data.Dataset:
        return ignite_tf.IgniteDataset(cache, host=addresses, **options)
else:
    make = distribute.dataset_fn(cache, host=addresses, **options)


def features(element: dict) -> tuple:
    val = element["val"]
    return tf.stack([val["x"], val["y"]], axis=1), val["label"]


context = tf.distribute.InputContext(
    num_input_pipelines=strategy.cluster_resolver.cluster_spec().num_tasks("worker"),
    input_pipeline_id=index,
)
keys = np.concatenate([batch["key"].numpy() for batch in make(context)])
np.save(os.path.join(out_dir, f"keys-{index}.npy"), keys)

num_workers = context.num_input_pipelines
batch = options["batch_size"]
dataset = strategy.distribute_datasets_from_function(lambda ctx: make(ctx).map(features).repeat())
with strategy.scope():
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(2,)),
            tf.keras.layers.Dense(16, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    optimizer = tf.keras.optimizers.Adam(0.05)
loss_of = tf.keras.losses.BinaryCrossentropy(reduction="none")


@tf.function
def train_step(iterator: object) -> tf.Tensor:
    def replica_step(inputs: tuple) -> tf.Tensor:
        x, y = inputs
        with tf.GradientTape() as tape:
            p = model(x, training=True)
            per_row = loss_of(tf.cast(tf.expand_dims(y, -1), tf.float32), p)
            loss = tf.nn.compute_average_loss(per_row, global_batch_size=batch * num_workers)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    losses = strategy.run(replica_step, args=(next(iterator),))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)


# The usual custom loop of MultiWorkerMirroredStrategy: every worker takes the same number of
# steps, each on a batch of its own partitions; gradients are all-reduced across the workers.
iterator = iter(dataset)
for _ in range(200):
    train_step(iterator)

# Stop the input pipeline now, while the interpreter is whole. As long as `iterator` lives,
# tf.data's threads read ahead (prefetch; repeat() reopens the scan after every pass), running
# IgniteDataset's generator, which waits for pages in C++ with the GIL released. Left to the
# interpreter's exit, such a thread wakes after finalization has begun and cannot take the GIL
# back: Python 3.11 ends it with pthread_exit, whose unwinding through the noexcept destructor
# that re-takes the GIL calls std::terminate ("terminate called without an active exception",
# exit -6, after the result was written). Deleting the iterator makes TensorFlow cancel and join
# those threads and close the generator, with its scan and connections, before we go on.
stopped = weakref.ref(iterator)
del iterator, dataset
gc.collect()
if stopped() is not None:
    sys.exit("the input pipeline outlived its iterator: its threads would still run at exit")

with ignite_tf.Client(addresses) as client:
    batches = list(client.scan(cache, fields=["x", "y", "label"], batch_size=100_000))
x = np.concatenate([np.stack([b["val.x"], b["val.y"]], axis=1) for b in batches])
y = np.concatenate([b["val.label"] for b in batches])
accuracy = float(np.mean((model(x).numpy()[:, 0] > 0.5) == (y == 1)))
with open(os.path.join(out_dir, f"result-{index}.json"), "w") as f:
    json.dump({"index": index, "rows_read": int(len(keys)), "accuracy": accuracy}, f)
