"""The main job: start (or reach) an Ignite node, load data, and train a Keras model from it.

    python -m ignite_tf.demo                   # starts a local node for you
    python -m ignite_tf.demo --address host:port  # uses a running node (Docker, remote cluster)

Steps: the 2019 article's SQL example (KITTEN_CACHE read back with IgniteDataset), then a
numeric cache of labelled points loaded with Client.write and a small Keras classifier trained on an
IgniteDataset pipeline.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from ignite_tf import Client
from ignite_tf.testing import IgniteNode, external_endpoint

POINTS_CACHE = "DEMO_POINTS"


def load_kittens(client: Client) -> None:
    client.sql("DROP TABLE IF EXISTS KITTEN_CACHE")
    client.sql("CREATE TABLE KITTEN_CACHE (ID LONG PRIMARY KEY, NAME VARCHAR)")
    client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (1, 'WARM KITTY')")
    client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (2, 'SOFT KITTY')")
    client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (3, 'LITTLE BALL OF FUR')")


def load_points(client: Client, rows: int, seed: int = 7) -> None:
    """Points in the unit square labelled by which side of a circle they fall."""
    rng = np.random.default_rng(seed)
    x = rng.random((rows, 2))
    label = ((x[:, 0] - 0.5) ** 2 + (x[:, 1] - 0.5) ** 2 < 0.1).astype(np.int32)
    client.get_or_create_cache(POINTS_CACHE)
    client.clear(POINTS_CACHE)
    started = time.monotonic()
    # Columns straight from NumPy: each row becomes a DemoPoint object, keyed 0 .. rows - 1.
    written = client.write(
        POINTS_CACHE,
        {"x": x[:, 0], "y": x[:, 1], "label": label},
        type_name="DemoPoint",
    )
    seconds = time.monotonic() - started
    print(f"  {written:,} rows written in {seconds:.2f} s ({written / seconds:,.0f} rows/s)")


def run(host: str, port: int, rows: int, epochs: int) -> float:
    import tensorflow as tf

    from ignite_tf import IgniteDataset

    with Client(host, port) as client:
        print(f"Connected to Ignite at {host}:{port} (protocol {client.protocol_version})")
        print("1. The article's SQL example: CREATE TABLE KITTEN_CACHE + 3 INSERTs")
        load_kittens(client)
        for element in IgniteDataset(cache_name="SQL_PUBLIC_KITTEN_CACHE", host=host, port=port):
            print(
                "  ", {"key": int(element["key"]), "val": {"NAME": element["val"]["NAME"].numpy()}}
            )
        print(f"2. Loading {rows} labelled points into cache {POINTS_CACHE}")
        load_points(client, rows)

    dataset = IgniteDataset(POINTS_CACHE, host=host, port=port)
    train = (
        dataset.map(lambda e: (tf.stack([e["val"]["x"], e["val"]["y"]]), e["val"]["label"]))
        .shuffle(4096, seed=1)
        .batch(128)
        .prefetch(tf.data.AUTOTUNE)
    )
    print("3. Training a Keras classifier on IgniteDataset")
    tf.keras.utils.set_random_seed(1)
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(2,)),
            tf.keras.layers.Dense(32, activation="relu"),
            tf.keras.layers.Dense(32, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(train, epochs=epochs, verbose=2)
    accuracy = float(history.history["accuracy"][-1])
    print(f"Done: training accuracy {accuracy:.3f} after {epochs} epochs over {rows} rows")
    return accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", help="host:port of a running node (default: start one)")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args(argv)

    endpoint = external_endpoint(args.address) if args.address else external_endpoint()
    if endpoint is not None:
        run(endpoint[0], endpoint[1], args.rows, args.epochs)
        return 0
    print("Starting a local Apache Ignite node (first run resolves its jars with Maven)...")
    with IgniteNode() as node:
        print(f"Node up at {node.address}, log: {node.log_path}")
        run(node.host, node.port, args.rows, args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
