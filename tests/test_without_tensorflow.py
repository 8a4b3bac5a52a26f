"""The NumPy API needs no TensorFlow: in a process where ``import tensorflow`` fails, ignite_tf
imports, scans a cache of a real node into NumPy columns, and IgniteDataset says what to install."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
sys.modules["tensorflow"] = None  # any `import tensorflow` now raises ImportError
import ignite_tf
from ignite_tf import BinaryObject, Client
host, port, cache, type_name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with Client(host, port) as c:
    c.create_cache(cache)
    c.put_all(cache, [(k, BinaryObject(type_name, {"v": k * 2.5})) for k in range(300)])
    rows = {}
    for batch in c.scan(cache, page_size=7):
        rows.update(zip(batch["key"].tolist(), batch["val.v"].tolist()))
    c.destroy_cache(cache)
try:
    ignite_tf.IgniteDataset(cache, host=host, port=port)
    hint = None
except ImportError as e:
    hint = str(e)
loaded = sys.modules.get("tensorflow") is not None
ok = all(v == k * 2.5 for k, v in rows.items())
print(json.dumps({"rows": len(rows), "ok": ok, "tf_loaded": loaded, "hint": hint}))
"""


def test_numpy_api_without_tensorflow(ignite_node, tmp_path, unique) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            ignite_node.host,
            str(ignite_node.port),
            unique("NOTF"),
            unique("NoTf"),  # the value type: a name no other run left on a shared node
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == 300 and result["ok"]
    assert not result["tf_loaded"]
    assert "pip install 'ignite-tf[tensorflow]'" in result["hint"]
