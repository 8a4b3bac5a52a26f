#!/usr/bin/env bash
# The throughput benchmark from a fresh machine: set everything up, start a local Ignite node,
# load W1/W2/W3 and read them with ignite_tf, pyignite, the Java thin client and the loopback
# limit; writes benchmarks/results/throughput.{json,png}. Then the callgrind decode benchmark.
#   bash .ci/bench.sh [throughput.py args, e.g. --scale smoke or --address host:port]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IGNITE_TF_VENV:-$ROOT/.venv}"
if [ "${IGNITE_TF_SKIP_SETUP:-0}" != "1" ]; then
  bash "$ROOT/.ci/setup.sh"
fi
cd /tmp
"$VENV/bin/python" "$ROOT/benchmarks/throughput.py" "$@"
"$VENV/bin/python" "$ROOT/benchmarks/decode_callgrind.py"
