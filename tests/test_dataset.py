"""IgniteDataset (tf.data) against a real Ignite node: the article's examples, partitions,
page sizes, environment overrides and errors."""

from __future__ import annotations

import struct
import time
import uuid

import numpy as np
import pytest
from conftest import unique_name

tf = pytest.importorskip("tensorflow")

import ignite_tf  # noqa: E402
from ignite_tf import BinaryObject, Client, IgniteDataset  # noqa: E402

# Type names unique to this run: a type left on a shared node by another run (with other
# field types) cannot decide a result.
TYPE_LONELY = unique_name("Lonely")
TYPE_PT = unique_name("Pt")
TYPE_LATER = unique_name("Later")
TYPE_CUT = unique_name("Cut")
TYPE_A = unique_name("A")
TYPE_KEPT = unique_name("Kept")
TYPE_DIGIT = unique_name("Digit")
TYPE_TURNS = unique_name("Turns")
TYPE_MAPPED = unique_name("Mapped")


@pytest.fixture()
def tf_client(ignite_node):
    with Client(ignite_node.host, ignite_node.port) as client:
        yield client


@pytest.fixture()
def cache(tf_client):
    name = f"tfds_{uuid.uuid4().hex[:10]}"
    tf_client.create_cache(name)
    yield name
    tf_client.destroy_cache(name)


def _values(element):
    return tf.nest.map_structure(lambda t: t.numpy(), element)


def test_article_sql_example(ignite_node, tf_client):
    tf_client.sql("DROP TABLE IF EXISTS KITTEN_CACHE")
    tf_client.sql("CREATE TABLE KITTEN_CACHE (ID LONG PRIMARY KEY, NAME VARCHAR)")
    tf_client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (1, 'WARM KITTY')")
    tf_client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (2, 'SOFT KITTY')")
    tf_client.sql("INSERT INTO KITTEN_CACHE (ID, NAME) VALUES (3, 'LITTLE BALL OF FUR')")
    try:
        dataset = IgniteDataset(
            cache_name="SQL_PUBLIC_KITTEN_CACHE", host=ignite_node.host, port=ignite_node.port
        )
        elements = sorted((_values(e) for e in dataset), key=lambda e: e["key"])
        assert elements == [
            {"key": 1, "val": {"NAME": b"WARM KITTY"}},
            {"key": 2, "val": {"NAME": b"SOFT KITTY"}},
            {"key": 3, "val": {"NAME": b"LITTLE BALL OF FUR"}},
        ]
        assert dataset.element_spec == {
            "key": tf.TensorSpec([], tf.int64),
            "val": {"NAME": tf.TensorSpec([], tf.string)},
        }
    finally:
        tf_client.sql("DROP TABLE KITTEN_CACHE")


def _image(i: int, rng: np.random.Generator) -> BinaryObject:
    width, height = 4 + i % 3, 5
    return BinaryObject(
        "Image",
        {
            "metadata": BinaryObject(
                "ImageMetadata",
                {
                    "file_name": f"img_{i}.png",
                    "label": np.int32(i % 10),
                    "width": np.int32(width),
                    "height": np.int32(height),
                },
            ),
            "pixels": rng.integers(0, 256, width * height, dtype=np.uint8),
        },
    )


def test_article_structured_objects(ignite_node, tf_client, cache):
    rng = np.random.default_rng(0)
    images = {i: _image(i, rng) for i in range(50)}
    tf_client.put_all(cache, images.items())
    dataset = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port)

    assert dataset.element_spec["val"] == {
        "metadata": {
            "file_name": tf.TensorSpec([], tf.string),
            "height": tf.TensorSpec([], tf.int32),
            "label": tf.TensorSpec([], tf.int32),
            "width": tf.TensorSpec([], tf.int32),
        },
        "pixels": tf.TensorSpec([None], tf.uint8),
    }
    (first,) = list(dataset.take(1))
    first = _values(first)
    expected = images[int(first["key"])]
    assert first["val"]["metadata"] == {
        "file_name": expected["metadata"]["file_name"].encode(),
        "height": expected["metadata"]["height"],
        "label": expected["metadata"]["label"],
        "width": expected["metadata"]["width"],
    }
    np.testing.assert_array_equal(first["val"]["pixels"], expected["pixels"])

    # Each element's pixels against what was written under its own key (one pass: two passes
    # need not come in the same order).
    keys = []
    for element in dataset:
        keys.append(int(element["key"]))
        np.testing.assert_array_equal(element["val"]["pixels"].numpy(), images[keys[-1]]["pixels"])
    assert sorted(keys) == list(range(50))
    # A map over the elements sees the same pixels.
    mapped = dataset.map(lambda obj: (obj["key"], obj["val"]["pixels"]))
    for key, array in mapped:
        np.testing.assert_array_equal(array.numpy(), images[int(key)]["pixels"])


def test_batched_mode_yields_whole_batches_with_ragged_arrays(ignite_node, tf_client, cache):
    rng = np.random.default_rng(1)
    images = {i: _image(i, rng) for i in range(250)}
    tf_client.put_all(cache, images.items())
    dataset = IgniteDataset(
        cache, host=ignite_node.host, port=ignite_node.port, batched=True, batch_size=64
    )
    spec = dataset.element_spec
    assert spec["key"] == tf.TensorSpec([None], tf.int64)
    assert spec["val"]["metadata"]["file_name"] == tf.TensorSpec([None], tf.string)
    assert spec["val"]["pixels"] == tf.RaggedTensorSpec(
        [None, None], tf.uint8, ragged_rank=1, row_splits_dtype=tf.int64
    )
    sizes, seen = [], {}
    for batch in dataset:
        keys = batch["key"].numpy()
        sizes.append(len(keys))
        pixels = batch["val"]["pixels"]
        assert isinstance(pixels, tf.RaggedTensor)
        labels = batch["val"]["metadata"]["label"].numpy()
        for j, key in enumerate(keys):
            seen[int(key)] = (labels[j], pixels[j].numpy())
    assert sum(sizes) == 250 and max(sizes) <= 64 and len(sizes) >= 4
    assert sorted(seen) == list(range(250))
    for key, (label, pixels) in seen.items():
        assert label == images[key]["metadata"]["label"]
        np.testing.assert_array_equal(pixels, images[key]["pixels"])
    # Batches feed Keras directly: dense features from a ragged column of equal-length rows.
    flat = dataset.map(lambda b: tf.cast(b["val"]["pixels"][:, :20].to_tensor(), tf.float32))
    assert sum(int(t.shape[0]) for t in flat) == 250


def test_batched_mode_keeps_batches_of_large_rows_within_batch_bytes(ignite_node, tf_client, cache):
    # 10,000-byte rows: with batch_bytes=45,000 every batch holds 4 of them (a 1 MiB row
    # comes 16 to a batch with the defaults, not 1024 to a GiB), all batches but the last the
    # same size; batch_bytes=0 gives batch_size rows again.
    rng = np.random.default_rng(3)
    rows = {i: rng.integers(0, 256, 10_000, dtype=np.uint8).tobytes() for i in range(30)}
    tf_client.put_all(cache, rows.items())

    def batches(**options):
        dataset = IgniteDataset(
            cache,
            host=ignite_node.host,
            port=ignite_node.port,
            batched=True,
            batch_size=16,
            deterministic=True,
            **options,
        )
        return [(b["key"].numpy(), b["val"].numpy()) for b in dataset]

    bounded = batches(batch_bytes=45_000)
    assert [len(keys) for keys, _ in bounded] == [4] * 7 + [2]
    assert sorted(k for keys, _ in bounded for k in keys) == list(range(30))
    for keys, values in bounded:
        assert [bytes(v) for v in values] == [rows[int(k)] for k in keys]
    assert [len(keys) for keys, _ in batches(batch_bytes=0)] == [16, 14]


def test_arrays_of_100_kb_read_exactly_batched_and_element_wise(ignite_node, tf_client, cache):
    # Above the size from which Client.scan leaves arrays in the received pages: the datasets
    # read every byte as written, one row of another length making the batch ragged.
    rng = np.random.default_rng(11)
    rows = {i: rng.integers(0, 256, 100_000, dtype=np.uint8).tobytes() for i in range(12)}
    rows[5] = rows[5][:70_000]
    tf_client.put_all(cache, rows.items())
    common = {"host": ignite_node.host, "port": ignite_node.port}
    got = {}
    for b in IgniteDataset(cache, batched=True, **common):
        values = b["val"]
        lists = values.to_list() if hasattr(values, "to_list") else values.numpy().tolist()
        for k, v in zip(b["key"].numpy().tolist(), lists):
            got[k] = bytes(v)
    assert got == rows
    got = {int(e["key"]): e["val"].numpy().tobytes() for e in IgniteDataset(cache, **common)}
    assert got == rows


@pytest.mark.parametrize("internal_map", [True, False], ids=["caller-thread-map", "public-map"])
def test_reads_the_same_with_or_without_tensorflows_internal_map(
    ignite_node, tf_client, cache, monkeypatch, internal_map
):
    # The batches' map runs on the caller's thread through TensorFlow's internal map dataset;
    # a TensorFlow where that is gone or takes other arguments gets the public map, and every
    # row still arrives once, batched and element by element, and a stopped iteration ends.
    from tensorflow.python.data.ops import map_op

    from ignite_tf.dataset import _map_on_caller

    if internal_map:
        keys = tf.compat.v1.data.Dataset.from_tensors(np.int64(0)).repeat()
        mapped = _map_on_caller(keys, lambda k: k + 1)
        assert isinstance(mapped, map_op._MapDataset)  # this TensorFlow has it: it is used
        assert mapped._use_inter_op_parallelism is False
    else:
        # As a TensorFlow whose internal map has changed its arguments; its public map works.
        internal = map_op._MapDataset

        class Changed(internal):
            def __init__(self, *args, use_inter_op_parallelism=None, **kwargs):
                if use_inter_op_parallelism is not None:
                    raise TypeError("unexpected keyword argument 'use_inter_op_parallelism'")
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(map_op, "_MapDataset", Changed)
    rows = {i: np.arange(i % 7, dtype=np.int32) * i for i in range(300)}
    tf_client.put_all(cache, [(k, BinaryObject(TYPE_MAPPED, {"xs": v})) for k, v in rows.items()])
    common = {"host": ignite_node.host, "port": ignite_node.port}
    got = {}
    for b in IgniteDataset(cache, batched=True, batch_size=32, **common):
        for k, xs in zip(b["key"].numpy().tolist(), b["val"]["xs"].to_list()):
            got[k] = xs
    assert got == {k: v.tolist() for k, v in rows.items()}
    elements = [
        (int(e["key"]), e["val"]["xs"].numpy().tolist()) for e in IgniteDataset(cache, **common)
    ]
    assert dict(elements) == got and len(elements) == 300
    assert len(list(IgniteDataset(cache, batched=True, batch_size=32, **common).take(2))) == 2


def test_fixed_length_arrays_read_element_wise_also_where_lengths_change(
    ignite_node, tf_client, cache
):
    # Image-like rows (784 pixels, 8 floats) read element by element as dense blocks of rows;
    # a few rows have other lengths, in one field or the other: every element must be exact.
    rng = np.random.default_rng(7)
    odd_pixels = {100: 1, 1500: 3, 1501: 3, 2999: 785}
    odd_features = {1501: 7, 2000: 9}
    rows = {
        i: BinaryObject(
            "Digit",
            {
                "label": np.int32(i % 10),
                "pixels": rng.integers(0, 256, odd_pixels.get(i, 784), dtype=np.uint8),
                "features": rng.random(odd_features.get(i, 8)).astype(np.float32),
            },
        )
        for i in range(3000)
    }
    tf_client.put_all(cache, rows.items())
    for page_size in (7, 1024):
        dataset = IgniteDataset(
            cache, host=ignite_node.host, port=ignite_node.port, page_size=page_size
        )
        assert dataset.element_spec["val"] == {
            "features": tf.TensorSpec([None], tf.float32),
            "label": tf.TensorSpec([], tf.int32),
            "pixels": tf.TensorSpec([None], tf.uint8),
        }
        seen = set()
        for element in dataset:
            key = int(element["key"])
            seen.add(key)
            val = element["val"]
            assert int(val["label"]) == key % 10
            np.testing.assert_array_equal(val["pixels"].numpy(), rows[key]["pixels"])
            np.testing.assert_array_equal(val["features"].numpy(), rows[key]["features"])
        assert seen == set(range(3000))
    # A training pipeline batches the fixed-length rows again, with the odd ones left out.
    batches = (
        IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port)
        .filter(lambda e: tf.size(e["val"]["pixels"]) == 784 and tf.size(e["val"]["features"]) == 8)
        .map(lambda e: (tf.reshape(e["val"]["pixels"], [28, 28]), e["val"]["label"]))
        .batch(32)
    )
    assert sum(int(x.shape[0]) for x, _ in batches) == 3000 - 5


def test_empty_arrays_after_fixed_length_rows_are_a_clear_error_with_a_way_around(
    ignite_node, tf_client, cache
):
    # The first rows hold 784 pixels each, so element by element the column is cut from dense
    # blocks, which TensorFlow cannot do for empty arrays (its Unbatch crashes on them): a row
    # with an empty array, or a null one (which reads as empty), stops the read with our error
    # instead of a crash. The way the message names reads every row exactly, empty ones too.
    rng = np.random.default_rng(3)
    pixels = {i: rng.integers(0, 256, 784, dtype=np.uint8) for i in range(2000)}
    pixels[1500] = np.zeros(0, dtype=np.uint8)
    tf_client.put_all(
        cache,
        [
            (i, BinaryObject(TYPE_DIGIT, {"label": np.int32(i % 10), "pixels": p}))
            for i, p in pixels.items()
        ],
    )
    tf_client.put(cache, 1700, BinaryObject(TYPE_DIGIT, {"label": np.int32(0), "pixels": None}))
    pixels[1700] = np.zeros(0, dtype=np.uint8)
    ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port)
    assert ds.element_spec["val"]["pixels"] == tf.TensorSpec([None], tf.uint8)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"IgniteSchemaError: 'val\.pixels' held arrays of one length.*empty arrays came "
        r"\(the first has key 1[57]00\).*batched=True and call \.unbatch\(\)",
    ):
        for _ in ds:
            pass
    batched = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, batched=True)
    seen = {}
    for element in batched.unbatch():
        seen[int(element["key"])] = np.asarray(element["val"]["pixels"])
    assert seen.keys() == pixels.keys()
    for key, expected in pixels.items():
        np.testing.assert_array_equal(seen[key], expected)


def test_fixed_and_varying_arrays_together_read_element_wise_quietly(
    ignite_node, tf_client, cache, capfd
):
    # One fixed-length array field beside one of varying length, with masks: exact values, and
    # TensorFlow logs no "Type inference failed" page for the mix.
    rows = {
        i: BinaryObject(
            "Tagged",
            {"scores": np.arange(4, dtype=np.float64) + i, "tags": [f"t{j}" for j in range(i % 4)]},
        )
        for i in range(200)
    }
    tf_client.put_all(cache, rows.items())
    dataset = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, masks=True)
    seen = {}
    for element in dataset:
        seen[int(element["key"])] = _values(element)
    assert sorted(seen) == list(range(200))
    for key, element in seen.items():
        np.testing.assert_array_equal(element["val"]["scores"], rows[key]["scores"])
        assert list(element["val"]["tags"]) == [t.encode() for t in rows[key]["tags"]]
        assert element["mask"]["val"] == {"scores": True, "tags": True}
    assert "Type inference failed" not in capfd.readouterr().err


def _numeric_rows(n: int) -> dict[int, BinaryObject]:
    return {
        i: BinaryObject(
            "NumericRow",
            {
                "a_long": i * 3,
                "b_int": np.int32(-i),
                "c_double": i / 7.0,
                "d_float": np.float32(i * 0.5),
                "e_short": np.int16(i % 30000),
                "f_flag": bool(i % 2),
            },
        )
        for i in range(n)
    }


@pytest.fixture(scope="module")
def numeric_cache(ignite_node):
    name = f"numeric_{uuid.uuid4().hex[:8]}"
    with Client(ignite_node.host, ignite_node.port) as client:
        client.create_cache(name)
        rows = _numeric_rows(100_000)
        items = list(rows.items())
        for start in range(0, len(items), 5000):
            client.put_all(name, items[start : start + 5000])
        yield name, rows
        client.destroy_cache(name)


@pytest.mark.parametrize(("page_size", "readers"), [(1, 1), (7, 1), (1024, 1), (64, 3)])
def test_numeric_cache_reads_completely(ignite_node, numeric_cache, page_size, readers):
    name, rows = numeric_cache
    dataset = IgniteDataset(
        name,
        host=ignite_node.host,
        port=ignite_node.port,
        page_size=page_size,
        num_parallel_reads=readers,
    )
    batched = dataset.batch(4096)
    seen = {}
    elements = 0
    for batch in batched:
        keys = batch["key"].numpy()
        elements += len(keys)
        val = {k: v.numpy() for k, v in batch["val"].items()}
        for j, key in enumerate(keys):
            seen[int(key)] = {k: v[j] for k, v in val.items()}
    assert elements == len(seen) == len(rows)
    for key, row in rows.items():
        got = seen[key]
        assert got["a_long"] == row["a_long"]
        assert got["b_int"] == row["b_int"]
        assert got["c_double"] == row["c_double"]
        assert got["d_float"] == row["d_float"]
        assert got["e_short"] == row["e_short"]
        assert bool(got["f_flag"]) == row["f_flag"]


def test_partitions_cover_the_cache_exactly(ignite_node, tf_client, cache):
    # 1,000 long keys in 1,024 partitions (key k lands in partition k % 1024): 24 are empty.
    tf_client.put_all(cache, [(i, f"value {i}") for i in range(1000)])
    partitions = tf_client.partitions(cache)
    assert len(partitions) == 1024
    _every_partition_adds_up(ignite_node, cache, partitions, 1000, has_empty=True)


def _every_partition_adds_up(ignite_node, cache, partitions, rows_in_cache, has_empty):
    collected = []
    empty = 0
    # One dataset per partition, as one distributed worker per partition would read; an empty
    # partition is an empty dataset with the cache's element_spec.
    for p in partitions:
        ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, part=p)
        assert ds.element_spec == {
            "key": tf.TensorSpec([], tf.int64),
            "val": tf.TensorSpec([], tf.string),
        }
        rows = [(int(e["key"]), e["val"].numpy()) for e in ds]
        empty += not rows
        collected.extend(rows)
    full = [
        (int(e["key"]), e["val"].numpy())
        for e in IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port)
    ]
    assert sorted(collected) == sorted(full)
    assert len(full) == rows_in_cache
    assert (empty > 0) == has_empty


def test_empty_partition_is_an_empty_dataset_with_the_caches_structure(
    ignite_node, tf_client, cache, monkeypatch
):
    tf_client.put(cache, 1, BinaryObject(TYPE_LONELY, {"x": 1.5, "name": "one"}))
    partitions = tf_client.partitions(cache)
    (home,) = [p for p in partitions if _partition_nonempty(tf_client, cache, p)]
    other = next(p for p in partitions if p != home)
    spec = {
        "key": tf.TensorSpec([], tf.int64),
        "val": {"name": tf.TensorSpec([], tf.string), "x": tf.TensorSpec([], tf.float64)},
    }
    ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, part=other)
    assert ds.element_spec == spec
    assert list(ds) == []
    monkeypatch.setenv("IGNITE_DATASET_PART", str(home))  # the environment picks the partition
    (element,) = list(
        IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, part=other)
    )
    assert int(element["key"]) == 1 and element["val"]["name"].numpy() == b"one"


def _partition_nonempty(client, cache, p):
    with client.scan(cache, partition=p, page_size=1, batch_size=1) as scan:
        return scan.schema is not None


def test_local_reads_everything_on_a_single_node(ignite_node, tf_client, cache):
    tf_client.put_all(cache, [(i, float(i)) for i in range(500)])
    ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, local=True)
    assert sorted(int(e["key"]) for e in ds) == list(range(500))


def test_environment_overrides(ignite_node, tf_client, cache, monkeypatch):
    tf_client.put_all(cache, [(i, i * 10) for i in range(100)])
    monkeypatch.setenv("IGNITE_DATASET_HOST", ignite_node.host)
    monkeypatch.setenv("IGNITE_DATASET_PORT", str(ignite_node.port))
    # The arguments name a closed port; the environment wins, as in the original.
    ds = IgniteDataset(cache, host="127.0.0.1", port=1)
    assert sorted(int(e["key"]) for e in ds) == list(range(100))

    part = next(p for p in tf_client.partitions(cache) if _partition_nonempty(tf_client, cache, p))
    monkeypatch.setenv("IGNITE_DATASET_PART", str(part))
    keys = [int(e["key"]) for e in IgniteDataset(cache, host="127.0.0.1", port=1)]
    with tf_client.scan(cache, partition=part) as scan:
        expected = sorted(int(k) for batch in scan for k in batch["key"])
    assert sorted(keys) == expected
    assert 0 < len(keys) < 100


def test_environment_overrides_cache_name_local_and_page_size(
    ignite_node, tf_client, cache, relay, monkeypatch
):
    tf_client.put_all(cache, [(i, i * 10) for i in range(100)])
    pages = []
    r = relay(on_reply=lambda op, frame: pages.append(op))
    monkeypatch.setenv("IGNITE_DATASET_CACHE_NAME", cache)
    monkeypatch.setenv("IGNITE_DATASET_PAGE_SIZE", "10")
    monkeypatch.setenv("IGNITE_DATASET_LOCAL", "1")
    ds = IgniteDataset("NO_SUCH_CACHE", host=r.host, port=r.port, page_size=1000)
    pages.clear()  # the pages of the dataset's structure probe
    assert sorted((int(e["key"]), int(e["val"])) for e in ds) == [(i, i * 10) for i in range(100)]
    # 100 rows in pages of 10: the one-row probe of the row size and the scan's first page
    # (op 2000 each), and at least 9 next pages (op 2001).
    assert pages.count(2000) == 2 and pages.count(2001) >= 9
    # The scan requests (op 2000): cache id, flags, null filter, page size, partition, local.
    probe, scan = [f for f in r.requests if struct.unpack_from("<h", f)[0] == 2000][-2:]
    assert struct.unpack_from("<iiB", probe, 2 + 8 + 4 + 1 + 1) == (1, -1, 1)
    assert struct.unpack_from("<iiB", scan, 2 + 8 + 4 + 1 + 1) == (10, -1, 1)

    monkeypatch.setenv("IGNITE_DATASET_PORT", "ten-eight-hundred")
    with pytest.raises(ignite_tf.IgniteValueError, match="IGNITE_DATASET_PORT='ten-eight-hundred'"):
        IgniteDataset(cache, host=r.host, port=r.port)


def test_dataset_is_reiterable_and_works_in_keras(ignite_node, tf_client, cache):
    rng = np.random.default_rng(3)
    x = rng.random((2000, 2))
    label = (x[:, 0] > x[:, 1]).astype(np.int32)
    tf_client.put_all(
        cache,
        [
            (
                i,
                BinaryObject(
                    TYPE_PT, {"x": float(x[i, 0]), "y": float(x[i, 1]), "label": label[i]}
                ),
            )
            for i in range(2000)
        ],
    )
    ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, page_size=256)
    train = ds.map(lambda e: (tf.stack([e["val"]["x"], e["val"]["y"]]), e["val"]["label"])).batch(
        64
    )
    assert sum(int(b[1].shape[0]) for b in train) == 2000
    assert sum(int(b[1].shape[0]) for b in train) == 2000  # second pass reads again
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(1, activation="sigmoid")]
    )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(train, epochs=8, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def _client_connections(client) -> int:
    return next(iter(client.sql("SELECT COUNT(*) FROM SYS.CLIENT_CONNECTIONS")))[0]


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "elements"])
def test_iterators_read_on_their_own_and_close_their_cursors_when_they_stop(
    ignite_node, tf_client, cache, batched
):
    """Two iterators of one dataset, advanced in turn, each read every row once; iterations
    stopped after their first batch leave no connection open on the node."""
    tf_client.write(cache, {"x": np.arange(3000, dtype=np.int64) * 3}, type_name=TYPE_TURNS)
    dataset = IgniteDataset(
        cache, host=ignite_node.host, port=ignite_node.port, page_size=128, batched=batched
    )
    if not batched:
        dataset = dataset.batch(100)
    first, second = iter(dataset), iter(dataset)
    seen = {0: [], 1: []}
    pending = {0: first, 1: second}
    while pending:
        for which, it in list(pending.items()):
            try:
                batch = next(it)
            except StopIteration:
                del pending[which]
                continue
            np.testing.assert_array_equal(batch["val"]["x"].numpy(), batch["key"].numpy() * 3)
            seen[which].extend(batch["key"].numpy().tolist())
    assert sorted(seen[0]) == list(range(3000)) and sorted(seen[1]) == list(range(3000))
    del first, second

    before = _client_connections(tf_client)
    for _ in range(12):
        it = iter(dataset)
        assert len(next(it)["key"]) > 0
        del it
    deadline = time.monotonic() + 20
    while _client_connections(tf_client) > before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _client_connections(tf_client) == before


def test_empty_cache_is_a_clear_error_without_a_schema(ignite_node, cache):
    with pytest.raises(ignite_tf.IgniteSchemaError, match=f"{cache}.*pass schema="):
        IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port)


def test_empty_cache_with_a_schema_is_an_empty_dataset(ignite_node, tf_client, cache):
    schema = {"key": "long", "val": {"NAME": "string", "pixels": "byte[]", "when": "timestamp"}}
    ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port, schema=schema)
    assert ds.element_spec == {
        "key": tf.TensorSpec([], tf.int64),
        "val": {
            "NAME": tf.TensorSpec([], tf.string),
            "pixels": tf.TensorSpec([None], tf.uint8),
            "when": tf.TensorSpec([], tf.int64),
        },
    }
    assert list(ds) == []
    # The same dataset reads rows written later, and an element_spec works as a schema too.
    tf_client.put(cache, 7, BinaryObject(TYPE_LATER, {"NAME": "x", "pixels": b"\x01\x02"}))
    (element,) = list(ds)
    assert int(element["key"]) == 7 and element["val"]["pixels"].numpy().tolist() == [1, 2]
    again = IgniteDataset(
        cache, host=ignite_node.host, port=ignite_node.port, schema=ds.element_spec
    )
    assert again.element_spec == ds.element_spec


def test_empty_sql_table_takes_its_columns_from_the_server(ignite_node, tf_client):
    tf_client.sql("DROP TABLE IF EXISTS EMPTY_T")
    tf_client.sql(
        "CREATE TABLE EMPTY_T (ID LONG PRIMARY KEY, NAME VARCHAR, SCORE DOUBLE, U UUID, "
        "AT TIMESTAMP, PRICE DECIMAL(10, 2))"
    )
    try:
        ds = IgniteDataset("SQL_PUBLIC_EMPTY_T", host=ignite_node.host, port=ignite_node.port)
        assert ds.element_spec == {
            "key": tf.TensorSpec([], tf.int64),
            "val": {
                "AT": tf.TensorSpec([], tf.int64),
                "NAME": tf.TensorSpec([], tf.string),
                "PRICE": tf.TensorSpec([], tf.float64),
                "SCORE": tf.TensorSpec([], tf.float64),
                "U": tf.TensorSpec([], tf.string),
            },
        }
        assert list(ds) == []
        tf_client.sql("INSERT INTO EMPTY_T (ID, NAME, SCORE) VALUES (1, 'a', 0.5)")
        (element,) = list(ds)
        assert element["val"]["NAME"].numpy() == b"a" and element["val"]["U"].numpy() == b""
    finally:
        tf_client.sql("DROP TABLE EMPTY_T")


def test_rows_that_do_not_fit_a_given_schema_are_an_error(ignite_node, tf_client, cache):
    tf_client.put(cache, 1, "a string")
    ds = IgniteDataset(
        cache, host=ignite_node.host, port=ignite_node.port, schema={"key": "long", "val": "long"}
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="val holds string"):
        list(ds)


def test_missing_cache_is_a_clear_error(ignite_node):
    with pytest.raises(ignite_tf.CacheNotFoundError, match="NO_SUCH_CACHE"):
        IgniteDataset("NO_SUCH_CACHE", host=ignite_node.host, port=ignite_node.port)


def test_no_server_is_a_clear_error():
    with pytest.raises(ignite_tf.IgniteConnectionError, match="127.0.0.1:1"):
        IgniteDataset("ANY", host="127.0.0.1", port=1)


def test_node_closing_the_socket_mid_page_fails_the_dataset(ignite_node, tf_client, cache, relay):
    """The node's socket closes halfway through the third scan page (a relay in front of the real
    node cuts it): iterating fails at once with the client's error, never a hang or a short
    dataset."""
    tf_client.put_all(
        cache, [(i, BinaryObject(TYPE_CUT, {"v": i, "s": f"row {i}"})) for i in range(3000)]
    )
    pages = []
    armed = False  # the dataset's first scan learns the structure; the iteration's scan is cut

    def cut_third_page(op, frame):
        if armed and op == 2001:  # next page of a scan
            pages.append(len(frame))
            if len(pages) == 2:
                return ("cut", len(frame) // 2)
        return None

    r = relay(on_reply=cut_third_page)
    ds = IgniteDataset(cache, host=r.host, port=r.port, page_size=100, timeout=30)
    armed = True
    started = time.monotonic()
    rows = 0
    with pytest.raises(tf.errors.UnknownError, match="IgniteConnectionError") as info:
        for _ in ds:
            rows += 1
    assert time.monotonic() - started < 10  # not the 30 s timeout
    assert r.acted.is_set()
    assert r.address in str(info.value)
    assert rows < 3000


def test_old_protocol_1_1_0_reads_the_kitten_table(ignite_node, tf_client, relay):
    """TensorFlow's original client spoke protocol 1.1.0: a server that offers only 1.1.0 still
    serves the article's example (the relay answers the 1.7.0 handshake for the real node)."""
    tf_client.sql("DROP TABLE IF EXISTS KITTEN_OLD")
    tf_client.sql("CREATE TABLE KITTEN_OLD (ID LONG PRIMARY KEY, NAME VARCHAR)")
    tf_client.sql("INSERT INTO KITTEN_OLD (ID, NAME) VALUES (1, 'WARM KITTY')")
    tf_client.sql("INSERT INTO KITTEN_OLD (ID, NAME) VALUES (2, 'SOFT KITTY')")
    try:
        r = relay(offer=(1, 1, 0))
        ds = IgniteDataset("SQL_PUBLIC_KITTEN_OLD", host=r.host, port=r.port)
        assert sorted((int(e["key"]), e["val"]["NAME"].numpy()) for e in ds) == [
            (1, b"WARM KITTY"),
            (2, b"SOFT KITTY"),
        ]
        assert (1, 1, 0) in r.offers and (1, 7, 0) in r.offers
        assert all(v in ((1, 7, 0), (1, 1, 0)) for v in r.offers)
    finally:
        tf_client.sql("DROP TABLE KITTEN_OLD")


def test_mixed_structures_are_a_schema_error(ignite_node, tf_client, cache):
    tf_client.put(cache, 1, BinaryObject(TYPE_A, {"x": 1}))
    tf_client.put(cache, 2, "a string, not an object")
    ds = IgniteDataset(cache, host=ignite_node.host, port=ignite_node.port)
    # tf.data reports errors raised inside its input pipeline as its own error types; the
    # message keeps ours.
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=f"IgniteSchemaError: cache '{cache}': row 1 \\(key [12]\\): val holds",
    ):
        list(ds)


def test_mixed_value_types_name_the_key_or_can_be_skipped(ignite_node, tf_client, cache):
    tf_client.put_all(cache, [(i, BinaryObject(TYPE_KEPT, {"x": i})) for i in range(1, 6)])
    tf_client.put(cache, 100, "not an object")
    with (
        tf_client.scan(cache) as scan,
        pytest.raises(
            ignite_tf.IgniteSchemaError,
            match=r"key 100\).*val holds string \(9\) but held an object",
        ),
    ):
        list(scan)
    scan = tf_client.scan(cache, on_mismatch="skip", batch_size=1)
    keys = sorted(int(k) for batch in scan for k in batch["key"])
    assert keys == [1, 2, 3, 4, 5]
    assert scan.skipped_rows == 1
    ds = IgniteDataset(
        cache,
        host=ignite_node.host,
        port=ignite_node.port,
        schema={"key": "long", "val": {"x": "long"}},
        on_mismatch="skip",
    )
    with pytest.warns(UserWarning, match="skipped 1 rows"):
        assert sorted(int(e["key"]) for e in ds) == [1, 2, 3, 4, 5]
