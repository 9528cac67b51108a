#!/usr/bin/env bash
# On a CUDA device, barbershop-bench reports the caching allocator's peaks:
# every run has peak_allocated_mb > 0 and peak_reserved_mb >= it, and names
# the GPU. Elsewhere: exit 77 (CTest: skipped) with the reason.
# usage: bench_cuda.sh BENCH BARBERSHOP WEIGHTS_DIR PYTHON
set -euo pipefail
bench=$1 cli=$2 weights=$3 python=$4
cuda_line=$("$cli" doctor --weights "$weights" 2>&1 | sed -n 's/^CUDA: //p')
case "$cuda_line" in
  *"device(s)"*) ;;
  *) echo "skipped: no CUDA device (doctor says CUDA: $cuda_line)"; exit 77 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1 BARBERSHOP_PCA_SAMPLES=2000 \
  "$bench" --weights "$weights" --device cuda --json "$work/runs.json" >"$work/out.txt"
"$python" - "$work/runs.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
assert runs, "no runs"
for run in runs:
    assert run["gpu"] != "cpu" and run["cuda"], run
    assert run["peak_allocated_mb"] > 0, run
    assert run["peak_reserved_mb"] >= run["peak_allocated_mb"], run
print(len(runs), "runs with CUDA peaks, largest reserved", max(r["peak_reserved_mb"] for r in runs), "MB")
PY
