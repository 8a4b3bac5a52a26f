"""SQL queries as datasets: Client.sql_batches (NumPy) and SqlDataset (tf.data), checked against
what pyignite returns for the same query on the same real node."""

from __future__ import annotations

import numpy as np
import pytest

from ignite_tf import Client, IgniteSchemaError, IgniteServerError

N_ROWS = 100_000


@pytest.fixture(scope="module")
def tables(ignite_node):
    from conftest import unique_name

    images, labels = unique_name("IMAGES"), unique_name("LABELS")
    with Client(ignite_node.host, ignite_node.port, timeout=120) as c:
        c.sql(
            f"CREATE TABLE {images} (ID LONG PRIMARY KEY, LABEL INT, SPLIT VARCHAR, "
            "SCORE DOUBLE, NOTE VARCHAR)"
        )
        c.sql(f"CREATE TABLE {labels} (LABEL INT PRIMARY KEY, NAME VARCHAR)")
        c.sql(
            f"INSERT INTO {labels} (LABEL, NAME) VALUES "
            + ", ".join(f"({i}, 'class {i}')" for i in range(10))
        )
        chunk = 2000
        for start in range(0, N_ROWS, chunk):
            values = ", ".join(
                f"({i}, {i % 10}, '{'train' if i % 5 else 'test'}', {i / 8.0}, "
                + ("NULL" if i % 7 == 0 else f"'n{i}'")
                + ")"
                for i in range(start, min(N_ROWS, start + chunk))
            )
            c.sql(f"INSERT INTO {images} (ID, LABEL, SPLIT, SCORE, NOTE) VALUES {values}")
        yield images, labels
        c.sql(f"DROP TABLE {images}")
        c.sql(f"DROP TABLE {labels}")


def _pyignite_rows(ignite_node, query, args=()):
    from pyignite import Client as PyIgniteClient

    c = PyIgniteClient(timeout=120)
    with c.connect(ignite_node.host, ignite_node.port):
        with c.sql(query, query_args=list(args), page_size=4096, include_field_names=True) as cur:
            names = next(cur)
            return names, [tuple(r) for r in cur]


def _scalar(value):
    return value.item() if hasattr(value, "item") else value


def _join_query(tables):
    images, labels = tables
    return (
        f"SELECT i.ID, i.LABEL, l.NAME, i.SCORE * 2 AS DOUBLE_SCORE, i.NOTE FROM {images} i "
        f"JOIN {labels} l ON i.LABEL = l.LABEL WHERE i.SPLIT = ? AND i.SCORE > ? ORDER BY i.ID"
    )


def test_numpy_batches_match_pyignite(ignite_node, tables) -> None:
    query = _join_query(tables)
    names, expected = _pyignite_rows(ignite_node, query, ["train", 100.0])
    assert len(expected) > 70_000
    with Client(ignite_node.host, ignite_node.port, timeout=120) as c:
        batches = list(c.sql_batches(query, ["train", 100.0], page_size=1000, batch_size=8192))
    assert sorted(batches[0]) == sorted(names)
    got = {name: np.concatenate([b[name] for b in batches]) for name in names}
    assert len(got["ID"]) == len(expected)
    for j, row in enumerate(expected):
        for name, value in zip(names, row):
            column = got[name][j]
            if value is None:  # a SQL NULL reads as the column's default
                assert column == b""
            elif isinstance(value, str):
                assert column == value.encode()
            else:
                assert column == value, (name, j)


def test_sql_dataset_matches_pyignite(ignite_node, tables) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import SqlDataset

    query = _join_query(tables)
    names, expected = _pyignite_rows(ignite_node, query, ["test", 0.0])
    ds = SqlDataset(query, ["test", 0.0], ignite_node.host, ignite_node.port, page_size=512)
    assert ds.element_spec == {
        "ID": tf.TensorSpec([], tf.int64),
        "LABEL": tf.TensorSpec([], tf.int32),
        "NAME": tf.TensorSpec([], tf.string),
        "DOUBLE_SCORE": tf.TensorSpec([], tf.float64),
        "NOTE": tf.TensorSpec([], tf.string),
    }
    got = [
        tuple(
            v.decode() if isinstance(v, bytes) else v
            for v in (_scalar(e[name].numpy()) for name in names)
        )
        for e in ds.batch(4096).unbatch()
    ]
    normalized = [tuple("" if v is None else v for v in row) for row in expected]
    assert got == normalized
    assert len(got) == N_ROWS // 5 - 1  # ID 0 has SCORE 0


def test_batched_sql_dataset_matches_pyignite(ignite_node, tables) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import SqlDataset

    query = _join_query(tables)
    names, expected = _pyignite_rows(ignite_node, query, ["test", 0.0])
    ds = SqlDataset(
        query, ["test", 0.0], ignite_node.host, ignite_node.port, batch_size=3000, batched=True
    )
    assert ds.element_spec["ID"] == tf.TensorSpec([None], tf.int64)
    assert ds.element_spec["NAME"] == tf.TensorSpec([None], tf.string)
    got, sizes = [], []
    for batch in ds:
        columns = [batch[name].numpy() for name in names]
        sizes.append(len(columns[0]))
        got.extend(
            tuple(_scalar(v).decode() if isinstance(v, bytes) else _scalar(v) for v in row)
            for row in zip(*columns)
        )
    normalized = [tuple("" if v is None else v for v in row) for row in expected]
    assert got == normalized
    assert max(sizes) == 3000 and sum(sizes) == N_ROWS // 5 - 1


def test_query_errors_and_empty_results(ignite_node, tables) -> None:
    images, _ = tables
    with Client(ignite_node.host, ignite_node.port) as c:
        with pytest.raises(IgniteServerError, match="NO_SUCH_TABLE"):
            list(c.sql_batches("SELECT * FROM NO_SUCH_TABLE"))
        assert list(c.sql_batches(f"SELECT ID FROM {images} WHERE ID < 0")) == []
        with pytest.raises(IgniteSchemaError, match="two columns named ID"):
            list(c.sql_batches(f"SELECT ID, ID FROM {images} WHERE ID < 3"))
        with pytest.raises(IgniteSchemaError, match="NULL in every row"):
            list(c.sql_batches(f"SELECT NOTE FROM {images} WHERE ID = 0"))
