"""The main job: start (or reach) an Ignite node, load a real image set, train a Keras model from
Ignite, and keep its checkpoint and TensorBoard logs in Ignite too.

    python -m ignite_tf.demo                      # starts a local node for you
    python -m ignite_tf.demo --address host:port  # uses a running node (Docker, remote cluster)

Steps: the 2019 article's SQL example (KITTEN_CACHE read back with IgniteDataset); scikit-learn's
bundled handwritten digits (1,797 labelled 8x8 images, shipped inside the package: nothing is
downloaded) split 80/20 and loaded with the bulk writer into two caches; a small Keras classifier
trained from an IgniteDataset pipeline with TensorBoard logs in igfs://; its accuracy on the
held-out cache; the checkpoint saved to igfs://, restored into a fresh model and checked.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

TRAIN_CACHE = "DEMO_DIGITS_TRAIN"
TEST_CACHE = "DEMO_DIGITS_TEST"
IGFS_DIR = "/demo"


# What TensorFlow's C++ side logs on every start on a machine without a GPU (absl's format,
# printed before TF_CPP_MIN_LOG_LEVEL is read): info and warning lines, and the failed CUDA probe.
_NOISE = re.compile(
    rb"^(?:[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ |WARNING: All log messages before absl::InitializeLog"
    rb"|E\d{4} .*(?:failed call to cuInit|Unable to register cu))"
)


@contextlib.contextmanager
def _quiet_tensorflow() -> Iterator[None]:
    """Drops TensorFlow's start-up log lines (above) from the process's stderr; every other line,
    errors included, goes through. The demo's own output is stdout."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def forward() -> None:
        with os.fdopen(read_end, "rb") as lines:
            for line in lines:
                if not _NOISE.match(line):
                    os.write(saved, line)

    thread = threading.Thread(target=forward, name="stderr-filter", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last writer: the thread sees the end
        thread.join(timeout=5)
        os.close(saved)


def load_kittens(client: Any) -> None:
    client.sql("DROP TABLE IF EXISTS KITTEN_CACHE")
    client.sql("CREATE TABLE KITTEN_CACHE (ID LONG PRIMARY KEY, NAME VARCHAR)")
    client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (1, 'WARM KITTY')")
    client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (2, 'SOFT KITTY')")
    client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (3, 'LITTLE BALL OF FUR')")


def digits(seed: int = 7) -> dict[str, dict[str, np.ndarray]]:
    """scikit-learn's digits as {"train": columns, "test": columns}: 64 uint8 pixels (0..16) and
    an int32 label per image, split 80/20 within each class (a stratified, seeded split)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise SystemExit(
            "the demo's images are scikit-learn's bundled digits: pip install 'ignite-tf[demo]' "
            "(or scikit-learn)"
        ) from e
    data = load_digits()
    pixels = data.images.reshape(len(data.images), 64).astype(np.uint8)
    labels = data.target.astype(np.int32)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test[members[: len(members) // 5]] = True
    return {
        split: {"pixels": pixels[mask], "label": labels[mask]}
        for split, mask in (("train", ~test), ("test", test))
    }


def load_digits_into(client: Any, splits: dict[str, dict[str, np.ndarray]]) -> None:
    for split, cache in (("train", TRAIN_CACHE), ("test", TEST_CACHE)):
        client.get_or_create_cache(cache)
        client.clear(cache)
        started = time.monotonic()
        # Columns straight from NumPy: each row becomes a Digit object (pixels as a byte[] of 64),
        # keyed 0 .. rows - 1, encoded in the compiled core and sent as bulk pages.
        written = client.write(cache, splits[split], type_name="Digit")
        seconds = time.monotonic() - started
        print(f"  {cache}: {written:,} images written in {seconds:.2f} s")


def _pipeline(tf: Any, cache: str, host: str, port: int, rows: int, train: bool) -> Any:
    from ignite_tf import IgniteDataset

    def example(element: Any) -> tuple[Any, Any]:
        pixels = tf.cast(element["val"]["pixels"], tf.float32) / 16.0
        return tf.reshape(pixels, (8, 8, 1)), element["val"]["label"]

    ds = IgniteDataset(cache, host=host, port=port)
    # Keras sees the row count (progress, no "ran out of data" at the end of an epoch).
    ds = ds.apply(tf.data.experimental.assert_cardinality(rows)).map(example)
    if train:
        ds = ds.shuffle(rows, seed=1, reshuffle_each_iteration=True)
    return ds.batch(64).prefetch(tf.data.AUTOTUNE)


def _model(tf: Any) -> Any:
    keras = tf.keras
    model = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            keras.layers.Conv2D(16, 3, activation="relu", padding="same"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.005),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def run(host: str, port: int, epochs: int) -> float:
    with _quiet_tensorflow():
        return _run(host, port, epochs)


def _run(host: str, port: int, epochs: int) -> float:
    import tensorflow as tf

    import ignite_tf  # noqa: F401  (igfs:// for TensorFlow)
    from ignite_tf import Client, IgniteDataset

    tf.get_logger().setLevel("ERROR")
    splits = digits()
    with Client(host, port) as client:
        print(f"Connected to Ignite at {host}:{port} (protocol {client.protocol_version})")
        print("1. The article's SQL example: CREATE TABLE KITTEN_CACHE + 3 INSERTs")
        load_kittens(client)
        for element in IgniteDataset(cache_name="SQL_PUBLIC_KITTEN_CACHE", host=host, port=port):
            print(
                "  ", {"key": int(element["key"]), "val": {"NAME": element["val"]["NAME"].numpy()}}
            )
        n_train, n_test = len(splits["train"]["label"]), len(splits["test"]["label"])
        print(
            f"2. Loading scikit-learn's handwritten digits: {n_train} training and {n_test} "
            "held-out 8x8 images"
        )
        load_digits_into(client, splits)

    store = f"igfs://{host}:{port}{IGFS_DIR}"
    if tf.io.gfile.exists(store):
        tf.io.gfile.rmtree(store)
    train = _pipeline(tf, TRAIN_CACHE, host, port, n_train, train=True)
    test = _pipeline(tf, TEST_CACHE, host, port, n_test, train=False)
    print(f"3. Training a Keras classifier from IgniteDataset (TensorBoard logs in {store}/logs)")
    tf.keras.utils.set_random_seed(1)
    model = _model(tf)
    board = tf.keras.callbacks.TensorBoard(log_dir=f"{store}/logs")
    # The pipeline shuffles (Keras's own shuffle= does not apply to a tf.data.Dataset).
    model.fit(train, epochs=epochs, verbose=2, callbacks=[board], shuffle=False)
    _, accuracy = model.evaluate(test, verbose=0)
    print(f"4. Held-out accuracy: {accuracy:.3f} on {n_test} images the model never saw")

    checkpoint = tf.train.Checkpoint(model=model).save(f"{store}/ckpt/digits")
    restored = _model(tf)
    tf.train.Checkpoint(model=restored).restore(checkpoint).expect_partial()
    _, again = restored.evaluate(test, verbose=0)
    print(f"5. Checkpoint saved to {checkpoint}; restored into a new model: accuracy {again:.3f}")
    events = tf.io.gfile.glob(f"{store}/logs/*/events.out.tfevents.*")
    files = f"{len(events)} event file{'' if len(events) == 1 else 's'}"
    print(f"   TensorBoard: tensorboard --logdir {store}/logs  ({files})")
    if abs(again - accuracy) > 1e-6:
        raise SystemExit("the restored model does not match the trained one")
    print(f"Done: held-out accuracy {accuracy:.3f} after {epochs} epochs")
    return accuracy


def main(argv: list[str] | None = None) -> int:
    from ignite_tf.testing import IgniteNode, external_endpoint

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", help="host:port of a running node (default: start one)")
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args(argv)

    endpoint = external_endpoint(args.address) if args.address else external_endpoint()
    if endpoint is not None:
        run(endpoint[0], endpoint[1], args.epochs)
        return 0
    print("Starting a local Apache Ignite node (first run resolves its jars with Maven)...")
    with IgniteNode() as node:
        print(f"Node up at {node.address}, log: {node.log_path}")
        run(node.host, node.port, args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
