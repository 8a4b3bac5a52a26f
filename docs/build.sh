#!/usr/bin/env bash
# The API reference (docs/api) as HTML in build/docs/html, generated from the docstrings of the
# INSTALLED ignite_tf (the source tree has no compiled core). Any warning fails the build,
# references that lead nowhere included (nitpicky). Writes nothing outside build/docs.
#   bash docs/build.sh [extra sphinx-build options]
# Needs sphinx and sphinx-argparse (the test extra) in the venv: $IGNITE_TF_VENV, else .venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IGNITE_TF_VENV:-$ROOT/.venv}"
OUT="$ROOT/build/docs"
mkdir -p "$OUT"
# Run from build/docs, not the checkout: `python -m` puts the working directory first on
# sys.path, where the checkout's ignite_tf (no compiled core) would shadow the installed one.
cd "$OUT"
unset PYTHONPATH
export PYTHONDONTWRITEBYTECODE=1
"$VENV/bin/python" -m sphinx -b html -W --keep-going -n -q -E \
  -d "$OUT/doctrees" "$ROOT/docs/api" "$OUT/html" "$@"
echo "API reference: $OUT/html/index.html"
