#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time on a corpus seeded from the
# test fixtures; exits non-zero on any crash, leak, timeout or sanitizer
# finding (the input is saved under WORK_DIR/artifacts/).
# usage: run_fuzzer.sh FUZZER SECONDS WORK_DIR SEED_PATTERN...   (SECONDS 0: no time limit)
set -euo pipefail
shopt -s nullglob
fuzzer=$1 seconds=$2 work=$3
shift 3
mkdir -p "$work/corpus" "$work/artifacts"
# Seeds above 64 KiB would slow every execution down (libFuzzer mutates up to the
# largest seed's length); the deep-nesting case they held is in test_bad_input.
for pattern in "$@"; do
  for seed in $pattern; do
    [ -f "$seed" ] && [ "$(stat -c %s "$seed")" -le 65536 ] && cp "$seed" "$work/corpus/seed-$(basename "$seed")"
  done
done
echo "$(ls "$work/corpus" | wc -l) inputs in $work/corpus"
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# $BARBERSHOP_FUZZ_FLAGS adds libFuzzer options, e.g. -runs=1000000 with SECONDS 0.
exec "$fuzzer" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$work/artifacts/" ${BARBERSHOP_FUZZ_FLAGS:-} "$work/corpus"
