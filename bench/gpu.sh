#!/usr/bin/env bash
# Issue 7's GPU measurement in one go, on a machine with a CUDA PyTorch and
# neither OpenCV's C++ headers nor libgimp: build the CLI and the benchmark
# against PyTorch's own LibTorch (OpenCV, dlib and the plug-in off), make
# random-weight files at the official size (time does not depend on weight
# values), and run the benchmark once per preset, keeping its JSON.
# usage: bench/gpu.sh OUT_DIR [PRESET...]      (presets: fast paper; default: fast)
# Environment: PYTHON (python3), BENCH_SIZE (1024), BENCH_DEVICE (cuda),
# BENCH_BUILD (build-cuda), BENCH_JOBS (all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:?usage: bench/gpu.sh OUT_DIR [PRESET...]}")
shift
presets=("${@:-fast}")
python=${PYTHON:-python3}
size=${BENCH_SIZE:-1024}
device=${BENCH_DEVICE:-cuda}
build=${BENCH_BUILD:-build-cuda}
mkdir -p "$out"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DBARBERSHOP_WITH_OPENCV=OFF -DBARBERSHOP_WITH_DLIB=OFF -DBARBERSHOP_BUILD_PLUGIN=OFF \
      -DBARBERSHOP_BUILD_TESTS=OFF \
      -DCMAKE_PREFIX_PATH="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
      >"$out/configure.log"
cmake --build "$build" -j "${BENCH_JOBS:-$(nproc)}" --target barbershop-bench >"$out/build.log"

weights="$out/weights-$size"
[ -f "$weights/ffhq.pt" ] ||
  "$python" tests/fixtures/random_weights.py "$weights" --size "$size" --multiplier 2 >"$out/weights.log"
{
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  date -u +%Y-%m-%d
} | tee "$out/machine.txt"
for preset in "${presets[@]}"; do
  echo "== preset $preset, ${size}x$size, $device"
  "$build/bin/barbershop-bench" --weights "$weights" --device "$device" --preset "$preset" \
    --json "$out/bench-$preset.json" | grep -v '^{'
done
