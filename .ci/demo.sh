#!/usr/bin/env bash
# The main job from a fresh machine: set everything up, start a local Ignite node, load data and
# train a model from it. Extra arguments go to `python -m ignite_tf.demo` (e.g. --address h:p).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IGNITE_TF_VENV:-$ROOT/.venv}"
bash "$ROOT/.ci/setup.sh"
cd /tmp && exec "$VENV/bin/python" -m ignite_tf.demo "$@"
