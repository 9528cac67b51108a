#!/usr/bin/env bash
# The prepared GPU run: two calls of the device tool (docs/development.md,
# "On a GPU machine"), rehearsed on the CPU by .ci/device-rehearsal.
#
# Before call 1, here: bash bench/reference/prepare.sh;
#   mkdir -p build-deps && cp -r /usr/src/googletest build-deps/googletest
# Call 1 (a fresh machine: build, CUDA tests, fast preset, reference at fast):
#   run(command="bash bench/gpu.sh fast",
#       carry=["bench/reference/Barbershop", "build-deps"], timeout_s=600)
# Call 2 (within 30 s, while the machine is warm: it keeps build-cuda/, an
# ignored build output, so nothing is rebuilt):
#   run(command="SKIP_BUILD=1 bash bench/gpu.sh paper",
#       carry=["bench/reference/Barbershop", "build-deps"], timeout_s=600)
# Each call then brings back $OUT: <gpu>-<preset>.json (a JSON list of runs:
# gpu, torch, cuda, preset, size, cached, variant, tf32, steps, stage_s,
# total_s, stage_peak_mb, peak_allocated_mb, peak_reserved_mb, speedup, ...;
# the reference code's run as variant "reference"), gpu.log (everything this
# script printed), build.log (configure and build), reference.log (the
# reference code's own output), skipped.txt (one line per step skipped, and
# why) and table.md (bench/results_table.py): at most 7 files, no folders.
#
# The machine: a CUDA PyTorch in $PYTHON, nvcc, CMake, no network, and no
# OpenCV, libgimp, libcurl, GLib or GoogleTest: LibTorch is PyTorch's own
# (torch.utils.cmake_prefix_path), OpenCV, dlib, libcurl and the plug-in are
# off, GoogleTest is built from build-deps/googletest.
# Steps: the toolchain; configure and build (under a timeout) the CLI, the
# benchmark and the CUDA tests; ctest -L cuda; random-weight files (time does
# not depend on weight values); barbershop-bench per preset; the reference
# code per preset at the same step counts. Each step checks the time left
# (BENCH_BUDGET seconds from the start) and, when it cannot finish, is
# skipped with one line in skipped.txt saying what and why; results already
# written stay.
#
# usage: bench/gpu.sh [--out DIR] [PRESET...]     (presets: fast, paper; default both)
# Environment: OUT (where results and logs go when --out is not given;
# default bench/results), PYTHON (python3), BENCH_SIZE (1024), BENCH_BUILD
# (build-cuda), BENCH_JOBS (all cores), BENCH_BUDGET (540), SKIP_BUILD=1 (use
# BENCH_BUILD as it is), SKIP_CUDA_TESTS=1, BENCH_DEVICE (cuda; cpu for the
# rehearsal), BENCH_STEPS (step counts, e.g. w=1,fs=1,...: a rehearsal's),
# BENCH_VARIANTS (the variants of every preset), BENCH_CMAKE_ARGS (more
# configure arguments, split on spaces).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-bench/results}
if [ "${1:-}" = --out ]; then
  out=${2:?--out needs a folder}
  shift 2
fi
presets=("$@")
[ $# -eq 0 ] && presets=(fast paper)
for preset in "${presets[@]}"; do
  case "$preset" in
    fast | paper) ;;
    *) echo "bench/gpu.sh: unknown preset '$preset'; the presets are fast and paper" >&2; exit 2 ;;
  esac
done
python=${PYTHON:-python3}
size=${BENCH_SIZE:-1024}
build=${BENCH_BUILD:-build-cuda}
device=${BENCH_DEVICE:-cuda}
budget=${BENCH_BUDGET:-540}
out=$(realpath -m "$out")
mkdir -p "$out"
# Everything printed goes to gpu.log too: the script runs again, teed.
if [ -z "${BENCH_TEED:-}" ]; then
  BENCH_TEED=1 OUT=$out bash "$PWD/bench/gpu.sh" "${presets[@]}" 2>&1 | tee -a "$out/gpu.log"
  exit "${PIPESTATUS[0]}"
fi
started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s of $budget)"; }
left() { echo $((budget - (SECONDS - started))); }
skipped() { echo "skipped: $1: $2" | tee -a "$out/skipped.txt"; }
# enough NEED seconds left for WHAT, else a logged skip (exit status 1)
time_for() {
  if [ "$(left)" -lt "$1" ]; then
    skipped "$2" "$(left) s left of $budget, it needs about $1"
    return 1
  fi
}

# Variants per preset: the baseline (always first) and what the targets of
# issue 25 name, so that each fits its call; "previews" (the defaults with a
# preview at every moment) beside "defaults" gives the previews' overhead on
# the GPU (issue 28).
declare -A variants=(
  [fast]="defaults,CUDA graphs,all on"
  [paper]="defaults,previews,cached embeddings,memory cap 8 GB,all on"
)
# About how long each step takes on one H200 at 1024 (estimates until the
# first run measures them): a step starts only with this much time left.
declare -A needs=([ctest]=150 [bench-fast]=120 [bench-paper]=330 [reference-fast]=90 [reference-paper]=200)

step "toolchain and machine, $(date -u +%Y-%m-%dT%H:%M:%SZ), results in $out"
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)') ||
  { echo "bench/gpu.sh: $python has no torch: set PYTHON to a Python with a CUDA PyTorch"; exit 1; }
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "devices", torch.cuda.device_count())'
echo "torch CMake prefix: $torch_prefix"
for tool in nvcc cmake c++ ninja; do
  if command -v "$tool" >/dev/null; then echo "$tool: $("$tool" --version | grep -m1 -i 'version\|release\|[0-9]\.[0-9]')"; else echo "$tool: not found"; fi
done
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "cores: $(nproc)"

if [ "${SKIP_BUILD:-0}" = 1 ]; then
  skipped "build" "SKIP_BUILD=1: using $build as it is"
else
  step "configure and build ($build)"
  tests=ON
  gtest=()
  if [ "${SKIP_CUDA_TESTS:-0}" = 1 ]; then
    tests=OFF
  elif [ -f build-deps/googletest/CMakeLists.txt ]; then
    gtest=(-DBARBERSHOP_GTEST_SOURCE="$PWD/build-deps/googletest")
  fi
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  read -r -a extra <<<"${BENCH_CMAKE_ARGS:-}"
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DBARBERSHOP_WITH_OPENCV=OFF -DBARBERSHOP_WITH_DLIB=OFF -DBARBERSHOP_BUILD_PLUGIN=OFF \
    -DBARBERSHOP_BUILD_TESTS=$tests "${gtest[@]}" -DBARBERSHOP_FIXTURE_PYTHON="$(command -v "$python")" \
    -DCMAKE_PREFIX_PATH="$torch_prefix" "${extra[@]}" >"$out/build.log" 2>&1 ||
    { tail -30 "$out/build.log"; echo "bench/gpu.sh: configure failed (the whole log: build.log)"; exit 1; }
  targets=(barbershop barbershop-bench)
  [ $tests = ON ] && targets+=(test_cuda)
  # Under a timeout: a build that cannot finish in time leaves its log.
  timeout "$(($(left) - 20))" cmake --build "$build" -j "${BENCH_JOBS:-$(nproc)}" --target "${targets[@]}" \
    >>"$out/build.log" 2>&1
  status=$?
  if [ $status -ne 0 ]; then
    grep -B2 -A12 "error" "$out/build.log" | head -80
    [ $status -eq 124 ] && echo "bench/gpu.sh: the build ran out of time ($budget s budget)"
    echo "bench/gpu.sh: the build failed (exit $status; the whole log: build.log)"
    exit 1
  fi
  tail -1 "$out/build.log"
fi
[ -x "$build/bin/barbershop" ] || { echo "bench/gpu.sh: $build/bin/barbershop is missing (SKIP_BUILD=1 needs the warm machine's build)"; exit 1; }
"$build/bin/barbershop" doctor 2>&1 | head -30

if [ "${SKIP_CUDA_TESTS:-0}" = 1 ]; then
  skipped "ctest -L cuda" "SKIP_CUDA_TESTS=1"
elif [ "${SKIP_BUILD:-0}" = 1 ]; then
  skipped "ctest -L cuda" "SKIP_BUILD=1: the call that built ran them"
elif [ ! -x "$build/bin/test_cuda" ]; then
  skipped "ctest -L cuda" "$build/bin/test_cuda was not built"
elif time_for "${needs[ctest]}" "ctest -L cuda"; then
  step "ctest -L cuda"
  (cd "$build" && timeout "$(($(left) - 10))" ctest -L cuda --output-on-failure --timeout 140) 2>&1 | tail -40
fi

# Random-weight files in the official formats, once per size: the engine's
# at BENCH_SIZE, the reference's at 1024 (the only size it runs at).
make_weights() {
  local folder=$build/weights-$1
  [ -f "$folder/ffhq.pt" ] && return 0
  step "random ${1}px weights"
  "$python" tests/fixtures/random_weights.py "$folder.partial" --size "$1" --multiplier 2 &&
    rm -rf "$folder" && mv "$folder.partial" "$folder"
}
make_weights "$size" || { echo "bench/gpu.sh: making random weights failed"; exit 1; }
weights=$build/weights-$size
gpu=cpu
[ "$device" = cuda ] && gpu=$("$python" -c 'import torch; print(torch.cuda.get_device_name(0))')
gpu=$(echo "$gpu" | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9-')

for preset in "${presets[@]}"; do
  time_for "${needs[bench-$preset]}" "benchmark, preset $preset" || continue
  step "benchmark: preset $preset, ${size}x$size on $device"
  chosen=()
  picked=${BENCH_VARIANTS:-${variants[$preset]}}
  [ -n "$picked" ] && chosen=(--variants "$picked")
  BARBERSHOP_STEPS=${BENCH_STEPS:-} timeout "$(left)" "$build/bin/barbershop-bench" --weights "$weights" \
    --device "$device" --preset "$preset" "${chosen[@]}" --json "$out/$gpu-$preset.json" 2>&1 | grep -v '^\['
  echo "exit ${PIPESTATUS[0]}"
done

# The reference code, at the same step counts, into the same file.
if [ ! -f bench/reference/Barbershop/main.py ]; then
  skipped "reference" "bench/reference/Barbershop is missing (run bench/reference/prepare.sh and carry it)"
else
  for preset in "${presets[@]}"; do
    if [ ! -f "$out/$gpu-$preset.json" ]; then
      skipped "reference, preset $preset" "no benchmark results to compare with ($gpu-$preset.json)"
      continue
    fi
    time_for "${needs[reference-$preset]}" "reference, preset $preset" || continue
    make_weights 1024 || { skipped "reference, preset $preset" "making its weights failed"; continue; }
    step "reference code: preset $preset"
    steps=()
    [ -n "${BENCH_STEPS:-}" ] && steps=(--steps "$BENCH_STEPS")
    echo "== preset $preset" >>"$out/reference.log"
    timeout "$(left)" "$python" bench/reference/run_reference.py --reference bench/reference/Barbershop \
      --weights "$build/weights-1024" --preset "$preset" --device "$device" "${steps[@]}" \
      --json "$out/$gpu-$preset.json" >>"$out/reference.log" 2>&1
    echo "exit $?: $(tail -1 "$out/reference.log" | cut -c1-300)"
  done
fi
ls "$out"/*.json >/dev/null 2>&1 && "$python" bench/results_table.py "$out"/*.json >"$out/table.md" 2>&1
step "done"
