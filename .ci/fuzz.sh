#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) in build/fuzz with clang, ASan and UBSan, and runs each
# for a bounded time over its checked-in seed corpus. Any crash, leak, timeout, UB report or
# oversized allocation fails the script; the number of executions is printed per target.
#   bash .ci/fuzz.sh [seconds per target, default 60]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
BUILD="$ROOT/build/fuzz"

if ! command -v clang >/dev/null 2>&1 || ! command -v clang++ >/dev/null 2>&1; then
  echo "SKIPPED: the fuzzers need clang (Debian packages clang and libclang-rt-14-dev)" >&2
  # In CI a missing tool is a failure, never a silent pass.
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi

CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DIGNITE_TF_BUILD_PYTHON=OFF -DIGNITE_TF_BUILD_TF_PLUGIN=OFF -DIGNITE_TF_BUILD_FUZZERS=ON >/dev/null
cmake --build "$BUILD" --target page_decoder_fuzzer framing_fuzzer

for target in page_decoder_fuzzer framing_fuzzer; do
  seeds="$ROOT/tests/fuzz/corpus/$target"
  work="$BUILD/corpus-$target"     # grows across runs; the checked-in seeds stay read-only
  artifacts="$BUILD/artifacts-$target/"
  mkdir -p "$work" "$artifacts"
  log="$BUILD/$target.log"
  echo "-- $target: ${SECONDS_PER_TARGET}s over $(ls "$seeds" | wc -l) seeds"
  status=0
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$BUILD/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$work" "$seeds" >"$log" 2>&1 || status=$?
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "FAILED: $target found a problem (exit $status); the input is in $artifacts" >&2
    exit 1
  fi
  echo "-- $target: ${runs:-?} executions, no crash"
done
