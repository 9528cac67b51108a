#!/usr/bin/env bash
# The one prepared GPU run (DEVELOPERS: the device tool), on a machine with a
# CUDA PyTorch and neither OpenCV's C++ headers nor libgimp nor network:
#  1. build the CLI, the benchmark and the CUDA tests against PyTorch's own
#     LibTorch (OpenCV, dlib and the plug-in off);
#  2. ctest -L cuda: the engine on CUDA against the CPU (tests/test_cuda.cpp);
#  3. random-weight files at 1024 (time does not depend on weight values) and
#     barbershop-bench per preset, written to bench/results/<gpu>-<preset>.json
#     (a JSON list of runs: gpu, torch, cuda, preset, cached, variant, steps,
#     stage_s, total_s, peak_allocated_mb, peak_reserved_mb, ...).
# GoogleTest comes from the system, else from build-deps/googletest (copy
# /usr/src/googletest there before the call and name build-deps in `carry`).
# usage: bench/gpu.sh [PRESET...]      (default: fast paper)
# Environment: PYTHON (python3), BENCH_SIZE (1024), BENCH_BUILD (build-cuda),
# BENCH_JOBS (all cores), BENCH_OUT (bench/results), SKIP_CUDA_TESTS=1.
set -uo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ $# -eq 0 ] && presets=(fast paper)
python=${PYTHON:-python3}
size=${BENCH_SIZE:-1024}
build=${BENCH_BUILD:-build-cuda}
results=$(realpath -m "${BENCH_OUT:-bench/results}")
logs=$results/logs
mkdir -p "$logs"
started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)"; }

step "machine"
{
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  date -u +%Y-%m-%dT%H:%M:%SZ
} | tee "$logs/machine.txt"

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
"$build/bin/barbershop" doctor | tee "$logs/doctor.txt"

if [ $tests = ON ]; then
  step "ctest -L cuda"
  (cd "$build" && ctest -L cuda --output-on-failure --timeout 300) 2>&1 | tee "$logs/ctest-cuda.txt" | tail -40
fi

step "random ${size}px weights"
weights=$build/weights-$size
[ -f "$weights/ffhq.pt" ] ||
  "$python" tests/fixtures/random_weights.py "$weights" --size "$size" --multiplier 2 >"$logs/weights.log" 2>&1
gpu=$("$python" -c 'import torch; print(torch.cuda.get_device_name(0))' | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9-')
for preset in "${presets[@]}"; do
  step "benchmark: preset $preset, ${size}x$size"
  "$build/bin/barbershop-bench" --weights "$weights" --device cuda --preset "$preset" \
    --json "$results/$gpu-$preset.json" 2>&1 | grep -v '^\[' | tee "$logs/bench-$preset.txt"
done
step "done"
