#!/usr/bin/env bash
# The one prepared GPU run (DEVELOPERS: the device tool), on a machine with a
# CUDA PyTorch and neither OpenCV's C++ headers nor libgimp nor network,
# within one device call (timeout_s 600):
#  1. build the CLI, the benchmark and the CUDA tests against PyTorch's own
#     LibTorch (OpenCV, dlib and the plug-in off);
#  2. ctest -L cuda: the engine on CUDA against the CPU (tests/test_cuda.cpp);
#  3. random-weight files at 1024 (time does not depend on weight values) and
#     barbershop-bench per preset -- fast with every variant, paper with the
#     baseline, the defaults, cached, the 8 GB cap and everything on --
#     written to bench/results/<gpu>-<preset>.json (a JSON list of runs: gpu,
#     torch, cuda, preset, cached, variant, steps, stage_s, total_s,
#     stage_peak_mb, peak_allocated_mb, peak_reserved_mb, speedup, ...);
#  4. the reference code (bench/reference/prepare.sh, carried) at the same
#     step counts, appended to the same file as variant "reference".
# Every step checks the time left (BENCH_BUDGET, 570 s by default) and is
# skipped, with the reason in the log, when it cannot finish; results already
# written stay.
# The device call: run bench/reference/prepare.sh here first, copy
# /usr/src/googletest to build-deps/googletest, then
#   run(command="bash bench/gpu.sh", carry=["bench/reference/Barbershop", "build-deps"], timeout_s=600)
# usage: bench/gpu.sh [PRESET...]      (default: fast paper)
# Environment: PYTHON (python3), BENCH_SIZE (1024), BENCH_BUILD (build-cuda),
# BENCH_JOBS (all cores), BENCH_OUT (bench/results), BENCH_BUDGET (570),
# SKIP_CUDA_TESTS=1, SKIP_BUILD=1 (use BENCH_BUILD as it is), BENCH_DEVICE
# (cuda; cpu for a dry run), BENCH_STEPS (step counts for a dry run),
# BENCH_VARIANTS (the variants of every preset, for a dry run).
set -uo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ $# -eq 0 ] && presets=(fast paper)
python=${PYTHON:-python3}
size=${BENCH_SIZE:-1024}
build=${BENCH_BUILD:-build-cuda}
device=${BENCH_DEVICE:-cuda}
budget=${BENCH_BUDGET:-570}
results=$(realpath -m "${BENCH_OUT:-bench/results}")
logs=$results/logs
mkdir -p "$logs"
started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)"; }
left() { echo $((budget - (SECONDS - started))); }
# enough NEED seconds left for WHAT, else a logged skip (exit status 1)
time_for() {
  if [ "$(left)" -lt "$1" ]; then
    echo "skipped: $2: $(left) s left of $budget, it needs about $1" | tee -a "$logs/skipped.txt"
    return 1
  fi
}

# Variants per preset: fast measures each speed measure alone; paper only
# what the targets of issue 19 name (and the baseline they are measured
# against), since its baseline alone takes about a minute at 1024.
declare -A variants=(
  [fast]=""
  [paper]="defaults,cached embeddings,memory cap 8 GB,all on,all on + cached"
)

step "machine"
{
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  nproc
  date -u +%Y-%m-%dT%H:%M:%SZ
} | tee "$logs/machine.txt"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  step "configure and build"
  tests=ON
  gtest=()
  [ -f build-deps/googletest/CMakeLists.txt ] && gtest=(-DBARBERSHOP_GTEST_SOURCE="$PWD/build-deps/googletest")
  [ "${SKIP_CUDA_TESTS:-0}" = 1 ] && tests=OFF
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DBARBERSHOP_WITH_OPENCV=OFF -DBARBERSHOP_WITH_DLIB=OFF -DBARBERSHOP_BUILD_PLUGIN=OFF \
        -DBARBERSHOP_BUILD_TESTS=$tests "${gtest[@]}" -DBARBERSHOP_FIXTURE_PYTHON="$(command -v "$python")" \
        -DCMAKE_PREFIX_PATH="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
        >"$logs/configure.log" 2>&1 || { tail -30 "$logs/configure.log"; exit 1; }
  targets=(barbershop barbershop-bench)
  [ $tests = ON ] && targets+=(test_cuda)
  cmake --build "$build" -j "${BENCH_JOBS:-$(nproc)}" --target "${targets[@]}" >"$logs/build.log" 2>&1 ||
    { grep -B2 -A12 "error" "$logs/build.log" | head -80; exit 1; }
fi
"$build/bin/barbershop" doctor | tee "$logs/doctor.txt"

if [ "${SKIP_CUDA_TESTS:-0}" != 1 ] && [ -x "$build/bin/test_cuda" ] && time_for 200 "ctest -L cuda"; then
  step "ctest -L cuda"
  (cd "$build" && timeout 150 ctest -L cuda --output-on-failure --timeout 120) 2>&1 | tee "$logs/ctest-cuda.txt" | tail -40
fi

step "random ${size}px weights"
weights=$build/weights-$size
[ -f "$weights/ffhq.pt" ] ||
  "$python" tests/fixtures/random_weights.py "$weights" --size "$size" --multiplier 2 >"$logs/weights.log" 2>&1
gpu=cpu
[ "$device" = cuda ] && gpu=$("$python" -c 'import torch; print(torch.cuda.get_device_name(0))')
gpu=$(echo "$gpu" | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9-')
for preset in "${presets[@]}"; do
  need=$([ "$preset" = paper ] && echo 240 || echo 90)
  time_for "$need" "benchmark, preset $preset" || continue
  step "benchmark: preset $preset, ${size}x$size"
  chosen=()
  picked=${BENCH_VARIANTS:-${variants[$preset]:-}}
  [ -n "$picked" ] && chosen=(--variants "$picked")
  BARBERSHOP_STEPS=${BENCH_STEPS:-} timeout "$(left)" "$build/bin/barbershop-bench" --weights "$weights" \
    --device "$device" --preset "$preset" "${chosen[@]}" --json "$results/$gpu-$preset.json" 2>&1 |
    grep -v '^\[' | tee "$logs/bench-$preset.txt"
done

# The reference code, fast first (the shorter), at the same step counts.
if [ -f bench/reference/Barbershop/main.py ]; then
  for preset in "${presets[@]}"; do
    need=$([ "$preset" = paper ] && echo 200 || echo 80)
    time_for "$need" "reference, preset $preset" || continue
    [ -f "$results/$gpu-$preset.json" ] || continue
    step "reference code: preset $preset"
    timeout "$(left)" "$python" bench/reference/run_reference.py --reference bench/reference/Barbershop \
      --weights "$weights" --preset "$preset" --json "$results/$gpu-$preset.json" \
      >"$logs/reference-$preset.txt" 2>&1
    echo "exit $?: $(tail -1 "$logs/reference-$preset.txt")"
  done
else
  echo "skipped: reference: bench/reference/Barbershop is missing (run bench/reference/prepare.sh and carry it)" |
    tee -a "$logs/skipped.txt"
fi
"$python" bench/results_table.py "$results"/*.json 2>&1 | tee "$logs/table.md"
step "done"
