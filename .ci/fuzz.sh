#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) in build/fuzz with clang, ASan and UBSan, checks that
# the checked-in seeds of the page and SQL fuzzers get through the whole read (schema, field
# selection, column options, columns checked), then runs each target for a bounded time over
# its seeds. Any crash, leak, timeout, UB report, violated invariant or oversized allocation
# fails the script; the number of executions is printed per target.
#   bash .ci/fuzz.sh [seconds, default 60]
# The page decoder runs the given seconds, the SQL reply fuzzer 3/4 of them, the framing
# fuzzer 1/2 and the handshake fuzzer 1/4 (at least 1 s each): 2.5 times the seconds in all.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
BUILD="$ROOT/build/fuzz"
TARGETS="page_decoder_fuzzer sql_reply_fuzzer framing_fuzzer handshake_fuzzer"

if ! command -v clang >/dev/null 2>&1 || ! command -v clang++ >/dev/null 2>&1; then
  echo "SKIPPED: the fuzzers need clang (Debian packages clang and libclang-rt-14-dev)" >&2
  # In CI a missing tool is a failure, never a silent pass.
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi

CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DIGNITE_TF_BUILD_PYTHON=OFF -DIGNITE_TF_BUILD_TF_PLUGIN=OFF -DIGNITE_TF_BUILD_FUZZERS=ON >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD" --target $TARGETS

# Seeds that stop early test nothing past where they stop. Every page and SQL seed must reach
# the end of the read (stage columns-checked), except the ones named for stopping on purpose
# (mixed-container-<hash>: an Object[] of mixed types; null-first-row-*: a column NULL in the
# only row), which must still stop.
reach_check() {
  local target="$1" seeds="$ROOT/tests/fuzz/corpus/$1" log="$BUILD/$1.reach.log"
  IGNITE_TF_FUZZ_STAGES=1 "$BUILD/$target" "$seeds"/* >"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    echo "FAILED: $target fails on its own seeds" >&2
    exit 1
  }
  awk -v target="$target" '
    /^Running: / { seed = $2; sub(".*/", "", seed) }
    /^fuzz-stage: / {
      total++
      fields = $3; sub("fields=", "", fields)
      stops = seed ~ /^mixed-container-[0-9a-f]+$/ || seed ~ /^null-first-row-/
      if ($2 == "columns-checked") { done++; if (fields > 0) selected++ }
      if (stops && $2 == "columns-checked") { print "seed " seed " should stop early"; bad++ }
      if (!stops && $2 != "columns-checked") { print "seed " seed " stops at " $2; bad++ }
    }
    END {
      printf "-- %s: %d of %d seeds read to the end (%d of them with selected fields)\n",
             target, done, total, selected
      exit bad > 0
    }' "$log" || { echo "FAILED: $target seeds stop early (see above)" >&2; exit 1; }
}
reach_check page_decoder_fuzzer
reach_check sql_reply_fuzzer

for target in $TARGETS; do
  case "$target" in
    page_decoder_fuzzer) seconds="$SECONDS_PER_TARGET" ;;
    sql_reply_fuzzer) seconds=$((SECONDS_PER_TARGET * 3 / 4)) ;;
    framing_fuzzer) seconds=$((SECONDS_PER_TARGET / 2)) ;;
    *) seconds=$((SECONDS_PER_TARGET / 4)) ;;
  esac
  [ "$seconds" -ge 1 ] || seconds=1
  seeds="$ROOT/tests/fuzz/corpus/$target"
  work="$BUILD/corpus-$target"     # grows across runs; the checked-in seeds stay read-only
  artifacts="$BUILD/artifacts-$target/"
  mkdir -p "$work" "$artifacts"
  log="$BUILD/$target.log"
  echo "-- $target: ${seconds}s over $(ls "$seeds" | wc -l) seeds"
  status=0
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$BUILD/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$work" "$seeds" >"$log" 2>&1 || status=$?
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "FAILED: $target found a problem (exit $status); the input is in $artifacts" >&2
    exit 1
  fi
  echo "-- $target: ${runs:-?} executions, no crash, no invariant violated"
done
