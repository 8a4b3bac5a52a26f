"""Lists of lists: arrays, maps and containers inside object arrays and collections (a
Collection<Person> whose Person has int[] scores and String[] tags, an Object[] of int[], a list of
lists of strings), written through put, read back as nested RaggedColumns by Client.scan and as
tf.RaggedTensors by IgniteDataset, on a real node."""

from __future__ import annotations

import numpy as np
import pytest

from ignite_tf import BinaryObject, Client, RaggedColumn


def _person(type_name: str, scores, tags, attrs=None) -> BinaryObject:
    fields = {"scores": scores, "tags": tags}
    if attrs is not None:
        fields["attrs"] = attrs
    return BinaryObject(type_name, fields)


def _teams(unique) -> dict[int, BinaryObject]:
    """key -> Team; each row's expected people scores and tags are in EXPECTED below. The schema
    comes from the first row scanned: key 0, alone in partition 0, which a scan reads first."""
    team, person = unique("Team"), unique("Person")
    i32 = lambda *xs: np.array(xs, dtype=np.int32)  # noqa: E731
    return {
        0: BinaryObject(
            team,
            {
                "people": [
                    _person(person, i32(1, 2), ["a", "bb"]),
                    _person(person, i32(), []),
                    _person(person, i32(3), [None, "c"]),
                ]
            },
        ),
        # () is an empty Object[]; put writes an empty list as an empty String[].
        1: BinaryObject(team, {"people": ()}),
        # A null person, and a person whose arrays are null.
        2: BinaryObject(
            team,
            {"people": [None, _person(person, None, None), _person(person, i32(4, 5, 6), ["d"])]},
        ),
        3: BinaryObject(team, {"people": None}),
    }


EXPECTED_SCORES = {0: [[1, 2], [], [3]], 1: [], 2: [[], [], [4, 5, 6]], 3: []}
EXPECTED_TAGS = {0: [[b"a", b"bb"], [], [b"", b"c"]], 1: [], 2: [[], [], [b"d"]], 3: []}


@pytest.fixture
def teams(client: Client, cache_name: str, unique) -> str:
    client.create_cache(cache_name)
    client.put_all(cache_name, _teams(unique).items())
    return cache_name


def _lists(row: RaggedColumn) -> list:
    return [inner.tolist() for inner in row]


def test_arrays_inside_a_collection_of_objects_scan_as_nested_ragged_columns(
    client: Client, teams: str
) -> None:
    (batch,) = list(client.scan(teams, masks=True))
    order = np.argsort(batch["key"])
    keys = batch["key"][order].tolist()
    assert keys == [0, 1, 2, 3]
    scores, tags = batch["val.people.scores"], batch["val.people.tags"]
    assert isinstance(scores, RaggedColumn) and isinstance(scores.values, RaggedColumn)
    assert scores.depth == 2 and scores.flat_values.dtype == np.int32
    assert tags.flat_values.dtype == object
    for j, key in enumerate(keys):
        i = int(order[j])
        assert isinstance(scores[i], RaggedColumn)
        assert _lists(scores[i]) == EXPECTED_SCORES[key], key
        assert _lists(tags[i]) == EXPECTED_TAGS[key], key
        assert [a.tolist() for a in scores.to_list()[i]] == EXPECTED_SCORES[key]
    # Masks are per row: False only where the collection itself was null.
    assert batch["val.people.scores#valid"][order].tolist() == [True, True, True, False]
    # Row i's people are scores.values[row_offsets[i]:row_offsets[i + 1]].
    row_offsets, inner_offsets = scores.nested_row_offsets
    assert np.diff(row_offsets)[order].tolist() == [3, 0, 3, 0]
    assert inner_offsets[-1] == len(scores.flat_values) == 6
    schema = client.scan(teams).schema
    assert schema[1]["people"]["scores"] == ("int32", 2, "val.people.scores")


def test_lists_of_lists_across_batches(client: Client, teams: str) -> None:
    batches = list(client.scan(teams, page_size=1, batch_size=1))
    assert len(batches) == 4
    for batch in batches:
        key = int(batch["key"][0])
        assert _lists(batch["val.people.scores"][0]) == EXPECTED_SCORES[key]
        assert _lists(batch["val.people.tags"][0]) == EXPECTED_TAGS[key]
        # Each batch's offsets start again at 0.
        assert all(int(o[0]) == 0 for o in batch["val.people.scores"].nested_row_offsets)


def test_object_arrays_of_arrays_lists_of_lists_and_maps_in_collections(
    client: Client, cache_name: str, unique
) -> None:
    t, person = unique("Shapes"), unique("Owner")
    client.create_cache(cache_name)
    rows = {
        0: BinaryObject(
            t,
            {
                # Object[] of int[] (a null inner array), a list of Object[]s of strings, and a
                # map field of the objects in a collection.
                "mats": (np.array([1, 2], np.int32), None, np.array([], np.int32)),
                "words": [(), ("x", None), ("yz",)],
                "people": [
                    _person(person, np.array([1], np.int32), ["a"], {"k": 1.5}),
                    _person(person, np.array([], np.int32), [], {}),
                ],
            },
        ),
        1: BinaryObject(
            t,
            {
                "mats": (),
                "words": [None, ()],  # ([None] alone would be written as a String[])
                "people": [_person(person, None, None, {"a": None, "b": 2.0})],
            },
        ),
    }
    client.put_all(cache_name, rows.items())
    (batch,) = list(client.scan(cache_name))
    order = np.argsort(batch["key"])
    got = {
        int(batch["key"][i]): {
            path: _lists(batch[f"val.{path}"][i])
            for path in ("mats", "words", "people.attrs.keys", "people.attrs.values")
        }
        for i in order
    }
    assert got[0] == {
        "mats": [[1, 2], [], []],
        "words": [[], [b"x", b""], [b"yz"]],
        "people.attrs.keys": [[b"k"], []],
        "people.attrs.values": [[1.5], []],
    }
    assert got[1] == {
        "mats": [],
        "words": [[], []],
        "people.attrs.keys": [[b"a", b"b"]],
        "people.attrs.values": [[0.0, 2.0]],
    }


def test_dataset_elements_are_ragged_tensors(ignite_node, teams: str) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    ds = IgniteDataset(teams, host=ignite_node.host, port=ignite_node.port, masks=True)
    spec = ds.element_spec["val"]["people"]
    assert spec["scores"] == tf.RaggedTensorSpec([None, None], tf.int32, ragged_rank=1)
    assert spec["tags"] == tf.RaggedTensorSpec([None, None], tf.string, ragged_rank=1)
    assert ds.element_spec["mask"]["val"]["people"]["scores"] == tf.TensorSpec([], tf.bool)
    seen = {}
    for element in ds:
        key = int(element["key"])
        scores = element["val"]["people"]["scores"]
        assert isinstance(scores, tf.RaggedTensor) and scores.shape.rank == 2
        seen[key] = (
            scores.to_list(),
            element["val"]["people"]["tags"].to_list(),
            bool(element["mask"]["val"]["people"]["scores"]),
        )
    assert seen == {k: (EXPECTED_SCORES[k], EXPECTED_TAGS[k], k != 3) for k in EXPECTED_SCORES}


def test_batched_dataset_gives_rank_three_ragged_tensors(ignite_node, teams: str) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import IgniteDataset

    # Pages of 2 rows re-cut into batches of 3: one batch joins two scan batches.
    ds = IgniteDataset(
        teams,
        host=ignite_node.host,
        port=ignite_node.port,
        page_size=2,
        batch_size=3,
        batched=True,
    )
    got = {}
    sizes = []
    for batch in ds:
        scores = batch["val"]["people"]["scores"]
        assert isinstance(scores, tf.RaggedTensor) and scores.ragged_rank == 2
        assert scores.shape.as_list() == [len(batch["key"]), None, None]
        sizes.append(len(batch["key"]))
        tags = batch["val"]["people"]["tags"].to_list()
        for key, row, row_tags in zip(batch["key"].numpy().tolist(), scores.to_list(), tags):
            got[key] = (row, row_tags)
    assert sorted(sizes) == [1, 3]
    assert got == {k: (EXPECTED_SCORES[k], EXPECTED_TAGS[k]) for k in EXPECTED_SCORES}


def test_field_selection_inside_a_collection_keeps_the_nesting(client: Client, teams: str) -> None:
    (batch,) = list(client.scan(teams, fields=["people.scores"]))
    assert sorted(batch) == ["key", "val.people.scores"]
    for i, key in enumerate(batch["key"].tolist()):
        assert _lists(batch["val.people.scores"][i]) == EXPECTED_SCORES[key]
