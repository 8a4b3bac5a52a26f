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
    assert list(batches[0]) == names  # the columns in the SELECT's order, not sorted by name
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
        with pytest.raises(
            IgniteSchemaError,
            match=r"column NOTE is NULL in the only row of the result, so its type is unknown: "
            r'pass column_types=\{"NOTE": \.\.\.\}',
        ):
            list(c.sql_batches(f"SELECT NOTE FROM {images} WHERE ID = 0"))


# A table whose first rows (by ID) are NULL in SCORE and NOTE: with page_size=4 the first pages
# cannot tell those columns' types, later ones can.
SPARSE_ROWS = 30


def _sparse_score(i):
    return None if i < 10 or i % 6 == 0 else i * 0.5


def _sparse_note(i):
    return None if i < 17 or i % 4 == 0 else f"n{i}é"


@pytest.fixture(scope="module")
def sparse(ignite_node):
    from conftest import unique_name

    table = unique_name("SPARSE")

    def sql(value):
        return "NULL" if value is None else repr(value).replace('"', "'")

    with Client(ignite_node.host, ignite_node.port, timeout=60) as c:
        c.sql(f"CREATE TABLE {table} (ID LONG PRIMARY KEY, SCORE DOUBLE, NOTE VARCHAR)")
        c.sql(
            f"INSERT INTO {table} (ID, SCORE, NOTE) VALUES "
            + ", ".join(
                f"({i}, {sql(_sparse_score(i))}, {sql(_sparse_note(i))})"
                for i in range(SPARSE_ROWS)
            )
        )
        yield table
        c.sql(f"DROP TABLE {table}")


def test_columns_null_in_the_first_pages_take_their_type_from_later_pages(
    ignite_node, sparse
) -> None:
    query = f"SELECT ID, SCORE, NOTE FROM {sparse} ORDER BY ID"
    with Client(ignite_node.host, ignite_node.port) as c:
        scan = c.sql_batches(query, page_size=4, batch_size=1, masks=True)
        batches = list(scan)
        assert scan.schema[1] == {
            "ID": ("int64", False, "ID"),
            "NOTE": ("string", False, "NOTE"),
            "SCORE": ("float64", False, "SCORE"),
        }
        # Batches of one page each: the pages held while looking ahead come out in order, once.
        assert [len(b["ID"]) for b in batches] == [4] * 7 + [2]
        merged = list(c.sql_batches(query, page_size=4, batch_size=1000, masks=True))
        assert len(merged) == 1
    for got in (
        {name: np.concatenate([b[name] for b in batches]) for name in batches[0]},
        merged[0],
    ):
        ids = range(SPARSE_ROWS)
        assert got["ID"].tolist() == list(ids)
        assert got["SCORE"].dtype == np.float64
        assert got["SCORE"].tolist() == [_sparse_score(i) or 0.0 for i in ids]
        assert got["SCORE#valid"].tolist() == [_sparse_score(i) is not None for i in ids]
        assert got["NOTE"].tolist() == [(_sparse_note(i) or "").encode() for i in ids]
        assert got["NOTE#valid"].tolist() == [_sparse_note(i) is not None for i in ids]
        assert got["ID#valid"].all()


def test_sql_dataset_reads_columns_null_in_the_first_pages(ignite_node, sparse) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import SqlDataset

    query = f"SELECT ID, SCORE, NOTE FROM {sparse} ORDER BY ID"
    expected = [
        (i, _sparse_score(i) or 0.0, (_sparse_note(i) or "").encode()) for i in range(SPARSE_ROWS)
    ]
    ds = SqlDataset(query, host=ignite_node.host, port=ignite_node.port, page_size=4)
    assert ds.element_spec == {
        "ID": tf.TensorSpec([], tf.int64),
        "SCORE": tf.TensorSpec([], tf.float64),
        "NOTE": tf.TensorSpec([], tf.string),
    }
    got = [tuple(_scalar(e[n].numpy()) for n in ("ID", "SCORE", "NOTE")) for e in ds]
    assert got == expected

    batched = SqlDataset(
        query,
        host=ignite_node.host,
        port=ignite_node.port,
        page_size=4,
        batch_size=7,
        batched=True,
    )
    assert batched.element_spec["SCORE"] == tf.TensorSpec([None], tf.float64)
    got, sizes = [], []
    for batch in batched:
        columns = [batch[n].numpy().tolist() for n in ("ID", "SCORE", "NOTE")]
        sizes.append(len(columns[0]))
        got.extend(zip(*columns))
    assert got == expected
    assert sizes == [7, 7, 7, 7, 2]


def test_column_types_give_an_empty_result_its_types(ignite_node, sparse) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import SqlDataset

    query = f"SELECT ID, SCORE, NOTE FROM {sparse} WHERE ID < 0"
    types = {"ID": "long", "SCORE": "double", "NOTE": "string"}
    with Client(ignite_node.host, ignite_node.port) as c:
        scan = c.sql_batches(query, column_types=types)
        assert scan.columns == ["ID", "SCORE", "NOTE"]
        assert list(scan) == []
        assert scan.schema[1] == {
            "ID": ("int64", False, "ID"),
            "NOTE": ("string", False, "NOTE"),
            "SCORE": ("float64", False, "SCORE"),
        }
    spec = {
        "ID": tf.TensorSpec([], tf.int64),
        "SCORE": tf.TensorSpec([], tf.float64),
        "NOTE": tf.TensorSpec([], tf.string),
    }
    ds = SqlDataset(query, host=ignite_node.host, port=ignite_node.port, column_types=types)
    assert ds.element_spec == spec
    assert list(ds) == []
    batched = SqlDataset(
        query, host=ignite_node.host, port=ignite_node.port, column_types=types, batched=True
    )
    assert batched.element_spec == {
        name: tf.TensorSpec([None], s.dtype) for name, s in spec.items()
    }
    assert list(batched) == []


def test_column_types_win_over_the_values(ignite_node, sparse) -> None:
    with Client(ignite_node.host, ignite_node.port) as c:
        # NOTE is NULL in all 10 rows: a given type reads them (as defaults) instead of failing;
        # the other columns still take their types from their values.
        scan = c.sql_batches(
            f"SELECT ID, NOTE FROM {sparse} WHERE ID < 10 ORDER BY ID",
            page_size=4,
            masks=True,
            column_types={"NOTE": "string"},
        )
        (batch,) = list(scan)
        assert batch["ID"].tolist() == list(range(10))
        assert batch["NOTE"].tolist() == [b""] * 10
        assert not batch["NOTE#valid"].any()
        # A given type is read as given, not as the values' type (here the same, a long ID).
        (batch,) = list(
            c.sql_batches(
                f"SELECT ID, SCORE FROM {sparse} WHERE ID >= 20 ORDER BY ID",
                column_types={"ID": "long", "SCORE": "double"},
            )
        )
        assert batch["SCORE"].tolist() == [_sparse_score(i) or 0.0 for i in range(20, 30)]
        # A row holding another type than the given one fails, naming the column and both types.
        with pytest.raises(
            IgniteSchemaError,
            match=r"column SCORE holds double \(6\) but its given column type is a string \(9\)",
        ):
            list(c.sql_batches(f"SELECT SCORE FROM {sparse}", column_types={"SCORE": "string"}))
        with pytest.raises(IgniteSchemaError, match=r"did you mean SCORE\?"):
            c.sql_batches(f"SELECT SCORE FROM {sparse}", column_types={"score": "double"})
        with pytest.raises(IgniteSchemaError, match="unknown Ignite type 'real' for column S"):
            c.sql_batches(f"SELECT SCORE FROM {sparse}", column_types={"S": "real"})


def test_columns_without_types_are_named_in_the_error(ignite_node, sparse) -> None:
    with Client(ignite_node.host, ignite_node.port) as c:
        with pytest.raises(
            IgniteSchemaError,
            match=r"columns SCORE, NOTE are NULL in all 9 rows of the result, so their types are "
            r'unknown: pass column_types=\{"SCORE": \.\.\., "NOTE": \.\.\.\}',
        ):
            list(c.sql_batches(f"SELECT ID, SCORE, NOTE FROM {sparse} WHERE ID < 9", page_size=4))
        # Past the look-ahead limit: the first page already holds more bytes than it allows.
        scan = c.sql_batches(
            f"SELECT ID, NOTE FROM {sparse} ORDER BY ID", page_size=4, type_lookahead_bytes=1
        )
        with pytest.raises(
            IgniteSchemaError,
            match=r"column NOTE is NULL in the first 4 rows \(\d+ bytes of pages, the type "
            r"look-ahead limit\), so its type is unknown: pass column_types=.*, or "
            r"type_lookahead_bytes=<more than 1>",
        ):
            list(scan)
        # With room for the 5 pages up to ID 17, the same query reads.
        (batch,) = list(
            c.sql_batches(f"SELECT ID, NOTE FROM {sparse} ORDER BY ID", page_size=4, batch_size=100)
        )
        assert batch["NOTE"][17] == "n17é".encode()


def test_sql_dataset_of_an_empty_result_names_the_columns_without_types(
    ignite_node, sparse
) -> None:
    pytest.importorskip("tensorflow")
    from ignite_tf import SqlDataset

    query = f"SELECT ID, SCORE, NOTE FROM {sparse} WHERE ID < 0"
    with pytest.raises(
        IgniteSchemaError,
        match=r'the types of columns SCORE, NOTE are unknown: pass column_types=\{"SCORE": '
        r'\.\.\., "NOTE": \.\.\.\}',
    ):
        SqlDataset(query, host=ignite_node.host, port=ignite_node.port, column_types={"ID": "long"})
    with pytest.raises(IgniteSchemaError, match=r"column NOTE is NULL in all 9 rows"):
        SqlDataset(
            f"SELECT ID, NOTE FROM {sparse} WHERE ID < 9",
            host=ignite_node.host,
            port=ignite_node.port,
            page_size=4,
        )


# --------------------------------------------------------------------------------------------
# SqlDataset speaks IgniteDataset's dialect: masks= and the IGNITE_DATASET_* overrides.


def test_sql_dataset_masks_say_which_values_were_null(ignite_node, sparse) -> None:
    tf = pytest.importorskip("tensorflow")
    from ignite_tf import SqlDataset

    query = f"SELECT ID, SCORE, NOTE FROM {sparse} ORDER BY ID"
    ds = SqlDataset(query, host=ignite_node.host, port=ignite_node.port, page_size=7, masks=True)
    assert ds.element_spec["mask"] == {
        "ID": tf.TensorSpec([], tf.bool),
        "SCORE": tf.TensorSpec([], tf.bool),
        "NOTE": tf.TensorSpec([], tf.bool),
    }
    rows = list(ds.as_numpy_iterator())
    assert [int(e["ID"]) for e in rows] == list(range(SPARSE_ROWS))
    for i, e in enumerate(rows):
        assert bool(e["mask"]["ID"])
        assert bool(e["mask"]["SCORE"]) == (_sparse_score(i) is not None), i
        assert bool(e["mask"]["NOTE"]) == (_sparse_note(i) is not None), i
        if _sparse_score(i) is None:
            assert e["SCORE"] == 0.0  # a NULL still reads as the column's default
    # Batched, the masks are batched with the columns.
    batched = SqlDataset(
        query, host=ignite_node.host, port=ignite_node.port, batch_size=8, batched=True, masks=True
    )
    notes = np.concatenate([b["mask"]["NOTE"].numpy() for b in batched])
    assert notes.tolist() == [_sparse_note(i) is not None for i in range(SPARSE_ROWS)]
    # Without masks= the elements are the columns alone, as before.
    plain = SqlDataset(query, host=ignite_node.host, port=ignite_node.port)
    assert sorted(plain.element_spec) == ["ID", "NOTE", "SCORE"]


def test_sql_dataset_honours_the_environment_overrides(ignite_node, sparse, monkeypatch) -> None:
    pytest.importorskip("tensorflow")
    import ignite_tf
    from ignite_tf import SqlDataset

    # The arguments point nowhere; the environment points at the node, as each worker of a
    # distributed job sets it for IgniteDataset.
    monkeypatch.setenv("IGNITE_DATASET_HOST", ignite_node.host)
    monkeypatch.setenv("IGNITE_DATASET_PORT", str(ignite_node.port))
    monkeypatch.setenv("IGNITE_DATASET_PAGE_SIZE", "4")
    query = f"SELECT ID FROM {sparse} ORDER BY ID"
    ds = SqlDataset(query, host="192.0.2.1", port=1, timeout=5)
    assert [int(e["ID"]) for e in ds] == list(range(SPARSE_ROWS))
    monkeypatch.setenv("IGNITE_DATASET_PORT", "ten-eight-hundred")
    with pytest.raises(ignite_tf.IgniteValueError, match="IGNITE_DATASET_PORT='ten-eight-hundred'"):
        SqlDataset(query, host=ignite_node.host, port=ignite_node.port)
