"""The notebooks in notebooks/ run top to bottom in a Jupyter kernel of this interpreter (nbclient)
against the session's node (distributed_training against the session's three-node cluster), and
show what a reader looks for: the kitten rows, the rows on each node, the plots, the held-out
accuracies, with no warnings, and nothing left behind in Ignite. They are stored without outputs;
every run here executes them fresh."""

from __future__ import annotations

import base64
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="pip install 'ignite-tf[test]'")
nbclient = pytest.importorskip("nbclient", reason="pip install 'ignite-tf[test]'")

from ignite_tf import Client  # noqa: E402

# What TensorFlow's C++ side writes to stderr when it loads on a machine without a GPU, before
# TF_CPP_MIN_LOG_LEVEL is read: the lines ignite_tf.demo drops (a bytes pattern). The kernel
# forwards the process's stderr into the cell's output, so a reader sees these lines too, but
# nothing a notebook can turn off. Every other stderr line fails the test.
from ignite_tf.demo import _NOISE as TF_STARTUP_NOISE  # noqa: E402

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# Seconds a cell may run; the slowest (15 epochs on the digits) takes about 10 on two cores.
CELL_TIMEOUT = 300
# Notebooks about several nodes, run against the session's ignite_cluster (three nodes, or the
# external cluster IGNITE_TF_TEST_CLUSTER names); the others against the session's ignite_node.
ON_A_CLUSTER = {"distributed_training.ipynb"}
# The caches of the igfs:// filesystem itself, shared by every igfs:// user: a notebook removes its
# files, not the filesystem.
IGFS_CACHE_PREFIX = "IGFS_"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# Running ------------------------------------------------------------------------------------


@pytest.fixture
def ignite_address(path: Path, request: pytest.FixtureRequest) -> str:
    """Where the notebook ``path`` runs: ``host:port`` of the session's node, or every node of the
    session's cluster as ``"h1:p1,h2:p2,h3:p3"`` for the notebooks in ON_A_CLUSTER."""
    if path.name in ON_A_CLUSTER:
        return ",".join(request.getfixturevalue("ignite_cluster").addresses)
    return request.getfixturevalue("ignite_node").address


@pytest.fixture
def kernel_environment(
    ignite_address: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The environment the notebooks' kernel starts in: IGNITE_ADDRESS naming the notebook's
    node(s), and a ``python3`` kernelspec that runs this interpreter (the venv with ignite_tf),
    first on JUPYTER_PATH so that no other ``python3`` kernel (a user's, the system's) is picked.
    Jupyter and IPython keep their runtime files and history under tmp_path. Yields the kernel's
    working directory (not the checkout, whose ignite_tf/ sources lack the compiled core)."""
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ignite-tf tests)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("IGNITE_ADDRESS", ignite_address)
    work = tmp_path / "work"
    work.mkdir()
    yield work


def execute(path: Path, work: Path) -> nbformat.NotebookNode:
    """Runs every cell of the notebook in a fresh kernel; a failing cell raises nbclient's
    CellExecutionError with its traceback."""
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    ).execute()
    return notebook


def _user_caches(client: Client) -> set[str]:
    return {name for name in client.cache_names() if not name.startswith(IGFS_CACHE_PREFIX)}


# Reading the outputs ------------------------------------------------------------------------


def code_cell(notebook: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    cells = [c for c in notebook.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"one code cell should be tagged {tag!r}, found {len(cells)}"
    return cells[0]


def stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def stderr_lines(notebook: nbformat.NotebookNode) -> list[str]:
    return [
        line
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "stream" and output.name == "stderr"
        for line in output.text.splitlines()
        if line.strip()
    ]


def results(cell: nbformat.NotebookNode) -> list[dict]:
    """The cell's rich outputs (display_data, execute_result): their data by MIME type."""
    return [o.data for o in cell.outputs if o.output_type in ("display_data", "execute_result")]


def pngs(cell: nbformat.NotebookNode) -> list[bytes]:
    return [base64.b64decode(data["image/png"]) for data in results(cell) if "image/png" in data]


def assert_one_plot(cell: nbformat.NotebookNode) -> None:
    images = pngs(cell)
    assert len(images) == 1, f"cell {cell.id!r} should show one plot, has {len(images)}"
    assert images[0].startswith(PNG_SIGNATURE) and len(images[0]) > 5000, "not a drawn figure"


def accuracy_line(cell: nbformat.NotebookNode, things: str) -> tuple[float, int, int]:
    """(accuracy, right, total) of a "Held-out accuracy: 0.977 (347 of 355 images)" line."""
    text = stdout(cell)
    found = re.search(rf"Held-out accuracy: ([0-9.]+) \((\d+) of (\d+) {things}\)", text)
    assert found, text
    accuracy, right, total = float(found[1]), int(found[2]), int(found[3])
    assert accuracy == pytest.approx(right / total, abs=5e-4)
    return accuracy, right, total


# What each notebook must show -----------------------------------------------------------------


def check_getting_started(notebook: nbformat.NotebookNode, address: str) -> None:
    lines = stdout(code_cell(notebook, "kittens")).splitlines()
    assert lines[1:] == [
        "{'key': 1, 'val': {'NAME': b'WARM KITTY'}}",
        "{'key': 2, 'val': {'NAME': b'SOFT KITTY'}}",
        "{'key': 3, 'val': {'NAME': b'LITTLE BALL OF FUR'}}",
    ], lines
    assert "TensorSpec(shape=(), dtype=tf.string" in lines[0]  # the element_spec, NAME a string
    assert stdout(code_cell(notebook, "scan")).splitlines() == [
        "1 WARM KITTY",
        "2 SOFT KITTY",
        "3 LITTLE BALL OF FUR",
    ]
    text = stdout(code_cell(notebook, "accuracy"))
    found = re.search(r"Training accuracy after 5 epochs: ([0-9.]+)", text)
    assert found and float(found[1]) > 0.9, text  # a line through the origin; chance is 0.5


def check_image_classifier(notebook: nbformat.NotebookNode, address: str) -> None:
    store = f"igfs://{address}/notebooks/image_classifier"
    assert_one_plot(code_cell(notebook, "samples"))
    assert_one_plot(code_cell(notebook, "loss-curve"))

    trained = stdout(code_cell(notebook, "train"))
    assert re.search(r"^15 epochs: training loss [0-9.]+$", trained, re.M), trained
    kept = [line.strip() for line in trained.split("Checkpoints kept:")[1].splitlines()]
    assert [line for line in kept if line] == [f"{store}/ckpt/ckpt-{n}" for n in (13, 14, 15)]

    # 355 held-out images (a fifth of each digit); measured 0.977, chance is 0.1.
    accuracy, right, total = accuracy_line(code_cell(notebook, "accuracy"), "images")
    assert total == 355
    assert accuracy > 0.9

    confusion = code_cell(notebook, "confusion-matrix")
    assert_one_plot(confusion)
    text = stdout(confusion)
    assert text.startswith("Confusion matrix (rows: true digit, columns: predicted digit):"), text
    cells = [int(n) for n in re.findall(r"\d+", text.split(":", 1)[1])]
    assert len(cells) == 100, text
    matrix = [cells[row * 10 : row * 10 + 10] for row in range(10)]
    assert sum(cells) == total
    assert sum(matrix[i][i] for i in range(10)) == right  # the diagonal is the right answers
    assert all(34 <= sum(row) <= 36 for row in matrix), text  # every digit held out

    restored = stdout(code_cell(notebook, "restore"))
    assert restored.strip() == (
        f"Restored {store}/ckpt/ckpt-15: held-out accuracy {accuracy:.3f}"
    ), restored

    logs = stdout(code_cell(notebook, "tensorboard"))
    train_log = re.search(
        rf"^{re.escape(store)}/logs/train/events\.out\.tfevents\.\S+ .*$", logs, re.M
    )
    assert train_log and "epoch_loss" in train_log[0], logs
    assert f"tensorboard --logdir {store}/logs" in logs

    from ignite_tf.fsspec import IgfsFileSystem

    host, port = address.rsplit(":", 1)
    assert not IgfsFileSystem(host=host, port=int(port)).exists("/notebooks/image_classifier")


def check_sql_features_pandas(notebook: nbformat.NotebookNode, address: str) -> None:
    written = code_cell(notebook, "write")
    assert stdout(written).strip() == "WINE: 178 rows"
    assert results(written)[-1]["text/plain"] == "[('test', 54), ('train', 124)]"

    profile = results(code_cell(notebook, "profile"))  # a DataFrame of the GROUP BY
    assert len(profile) == 1 and "text/html" in profile[0]
    rows = profile[0]["text/plain"].splitlines()
    assert rows[0].split() == [
        "CULTIVAR",
        "WINES",
        "ALCOHOL",
        "FLAVANOIDS",
        "COLOR_INTENSITY",
        "PROLINE",
    ]
    assert [int(row.split()[2]) for row in rows[1:]] == [41, 50, 33]  # training wines per cultivar

    features = code_cell(notebook, "features")
    assert "124 training and 54 held-out wines, 14 features" in stdout(features)
    assert any("text/html" in data for data in results(features))

    model = code_cell(notebook, "accuracy")
    accuracy, _, total = accuracy_line(model, "wines")
    assert total == 54
    assert accuracy > 0.9  # measured 1.000; chance is 0.4
    crosstab = results(model)
    assert crosstab and "predicted" in crosstab[-1]["text/plain"]


def check_distributed_training(notebook: nbformat.NotebookNode, address: str) -> None:
    addresses = address.split(",")
    store = f"igfs://{address}/notebooks/distributed_training"
    assert stdout(code_cell(notebook, "write")).splitlines() == [
        "NB_DIST_TRAIN: 1,442 images",
        "NB_DIST_TEST: 355 images",
    ]

    # Where the rows live: every node listed, each the primary of some partitions and of some
    # rows of both caches, which add up to the caches' 1,024 partitions and the 1,797 images.
    placement = code_cell(notebook, "placement")
    assert_one_plot(placement)
    lines = stdout(placement).splitlines()
    assert lines[0].split() == ["node", "partitions", "training", "rows", "held-out", "rows"]
    on_node = {}
    for line in lines[1:-1]:
        name, *counts = line.split()
        on_node[name] = tuple(int(n) for n in counts)  # (partitions, training, held-out rows)
    assert sorted(on_node) == sorted(addresses), lines
    assert all(min(counts) > 0 for counts in on_node.values()), lines
    partitions, train_rows, test_rows = (sum(column) for column in zip(*on_node.values()))
    assert (partitions, train_rows, test_rows) == (1024, 1442, 355), lines
    assert train_rows + test_rows == 1797  # the whole of scikit-learn's digits
    assert lines[-1].split() == ["total", "1024", "1442", "355"]

    # One replica per node, each reading exactly that node's primary partitions and rows.
    text = stdout(code_cell(notebook, "replicas"))
    replicas = re.findall(
        r"^replica (\d+) \([^)]*CPU:\d+\): (\d+) partitions, primaries on (\S+): (\d+) rows$",
        text,
        re.M,
    )
    assert [int(r[0]) for r in replicas] == list(range(len(addresses))), text
    assert sorted(r[2] for r in replicas) == sorted(addresses), text  # a node each
    for _, partitions, node, rows in replicas:
        assert (int(partitions), int(rows)) == on_node[node][:2], text

    trained = stdout(code_cell(notebook, "train"))
    steps = -(-1442 // (32 * len(addresses)))  # 32 images a replica, every image once an epoch
    assert re.search(rf"^12 epochs of {steps} steps: training loss [0-9.]+$", trained, re.M)
    kept = [line.strip() for line in trained.split("Checkpoints kept:")[1].splitlines()]
    assert [line for line in kept if line] == [f"{store}/ckpt/ckpt-{n}" for n in (11, 12)]
    assert_one_plot(code_cell(notebook, "loss-curve"))

    # 355 held-out images; measured 0.966 to 0.983 (the order the replicas' rows arrive in varies
    # between runs), chance is 0.1.
    accuracy, _, total = accuracy_line(code_cell(notebook, "accuracy"), "images")
    assert total == 355
    assert accuracy > 0.9

    # The checkpoints were in igfs:// (model and optimizer: a few hundred kB each), and the
    # latest one, restored into a fresh model, scores the same.
    restored = stdout(code_cell(notebook, "restore")).splitlines()
    assert restored[0] == f"{store}/ckpt:", restored
    files = dict(
        re.fullmatch(r"  (\S+): ([0-9,]+) bytes", line).groups() for line in restored[1:-1]
    )
    assert sorted(files) == [
        "checkpoint",
        *(f"ckpt-{n}.{part}" for n in (11, 12) for part in ("data-00000-of-00001", "index")),
    ], restored
    assert all(int(size.replace(",", "")) > 0 for size in files.values()), restored
    assert int(files["ckpt-12.data-00000-of-00001"].replace(",", "")) > 100_000, restored
    latest = f"Restored {store}/ckpt/ckpt-12: held-out accuracy {accuracy:.3f}"
    assert restored[-1] == latest, restored

    from ignite_tf.fsspec import IgfsFileSystem

    assert not IgfsFileSystem(host=addresses).exists("/notebooks/distributed_training")


CHECKS: dict[str, Callable[[nbformat.NotebookNode, str], None]] = {
    "distributed_training.ipynb": check_distributed_training,
    "getting_started.ipynb": check_getting_started,
    "image_classifier.ipynb": check_image_classifier,
    "sql_features_pandas.ipynb": check_sql_features_pandas,
}


# Tests --------------------------------------------------------------------------------------


@pytest.mark.tensorflow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_shows_its_results(path, ignite_address, kernel_environment):
    assert path.name in CHECKS, f"{path.name}: add the outputs a reader should see to CHECKS"
    with Client(ignite_address) as client:
        before = _user_caches(client)
        try:
            notebook = execute(path, kernel_environment)
            left = _user_caches(client) - before
            assert not left, f"{path.name} left caches (or tables) behind: {sorted(left)}"
        finally:
            for name in _user_caches(client) - before:
                client.destroy_cache(name)
    noise = [line for line in stderr_lines(notebook) if not TF_STARTUP_NOISE.match(line.encode())]
    assert noise == [], f"{path.name} printed warnings or errors:\n" + "\n".join(noise)
    CHECKS[path.name](notebook, ignite_address)


def test_notebooks_exist():
    assert NOTEBOOKS, "notebooks/ must hold at least one runnable example"
    assert len(NOTEBOOKS) >= 3, [p.name for p in NOTEBOOKS]
    assert set(CHECKS) <= {p.name for p in NOTEBOOKS}, "a checked notebook is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    """Outputs are made by running the notebook (as the test above does), not kept in git."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: clear the outputs of cell {cell.id!r} before committing "
                "(jupyter nbconvert --clear-output --inplace)"
            )
    assert notebook.metadata.kernelspec.name == "python3"
