#!/usr/bin/env bash
# The programs start and run on a machine without the CUDA toolkit (issue 26):
# in a mount namespace where a tmpfs hides /usr/local/cuda and every
# /usr/local/cuda-*, with LD_LIBRARY_PATH empty, `barbershop doctor` works and
# says what it says where the toolkit is visible, and a 64 px transfer (tiny
# step counts) writes its PNG. The CLI and the plug-in link LibTorch's CPU
# part only (readelf: no libtorch.so, libtorch_cuda.so, libc10_cuda.so or
# CUDA runtime among their NEEDED entries) and resolve nothing under
# /usr/local/cuda (ldd).
# Where no NVIDIA driver is but the toolkit has its stub libcuda.so (what
# programs link against; it loads, and reports no device), the stub plays the
# driver's part, to check the GPU module's loading: found in ../lib, it loads
# LibTorch's CUDA libraries before LibTorch first asks about CUDA (doctor
# names the CUDA version they were built for); with the toolkit hidden it
# fails with the missing library named and what to install; a program with
# no module beside it says where it looked.
# Exit 77 (skipped, with the reason) where `unshare -m` is not permitted.
# usage: no_cuda_toolkit.sh BARBERSHOP PLUGIN_OR_EMPTY MODULE_OR_EMPTY PIPELINE_FIXTURE_DIR FACES_DIR
set -u
cli=$1 plugin=$2 module=$3 weights=$4/weights faces=$5
if ! unshare -m true 2>/dev/null; then
  echo "skipped: unshare -m is not permitted here (it needs root or user namespaces), so the toolkit cannot be hidden"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
cuda_line() { grep '^CUDA: ' "$1"; }

# Whether a real NVIDIA driver is installed: its libcuda.so.1 in the dynamic
# linker's cache or in a folder of LD_LIBRARY_PATH.
driver=false
/sbin/ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 ' && driver=true
for folder in ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }}; do [ -e "$folder/libcuda.so.1" ] && driver=true; done

# without_toolkit COMMAND...: COMMAND in a new mount namespace with a tmpfs
# over the toolkit's folders (/usr/local/cuda is usually a link to one) and
# LD_LIBRARY_PATH empty.
without_toolkit() {
  unshare -m bash -c '
    for folder in /usr/local/cuda /usr/local/cuda-*; do
      [ -d "$folder" ] && mount -t tmpfs -o size=1m none "$(realpath "$folder")"
    done
    exec env LD_LIBRARY_PATH= "$@"' hide "$@"
}

# The executables' NEEDED entries: LibTorch's CPU part only.
for program in "$cli" $plugin; do
  needed=$(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  check "$(basename "$program") needs libtorch_cpu.so" grep -qx libtorch_cpu.so <<<"$needed"
  check "$(basename "$program") needs no LibTorch CUDA library or CUDA runtime" \
    test -z "$(grep -E '^(libtorch\.so|libtorch_cuda|libc10_cuda|libcudart|libcuda\.)' <<<"$needed")"
  check "$(basename "$program"): ldd resolves nothing under /usr/local/cuda" \
    test -z "$(ldd "$program" | grep -E '=> /usr/local/cuda')"
  without_toolkit ldd "$program" >"$work/ldd.txt" 2>&1
  check "$(basename "$program"): every library found without the toolkit" test -z "$(grep 'not found' "$work/ldd.txt")"
done

# doctor where the toolkit is visible, then hidden: the same CUDA line.
"$cli" doctor --weights "$weights" --cache "$work/cache" >"$work/visible.txt" 2>&1
check "doctor exits 0 with the toolkit visible" test $? -eq 0
without_toolkit "$cli" doctor --weights "$weights" --cache "$work/cache" >"$work/hidden.txt" 2>&1
check "doctor exits 0 with the toolkit hidden" test $? -eq 0
check "hidden toolkit: the toolkit is really hidden" \
  test -z "$(without_toolkit ls /usr/local/cuda/ 2>/dev/null)"
if ! $driver; then
  check "no driver: CUDA not used, toolkit visible" grep -qxF "CUDA: not used (no NVIDIA driver)" "$work/visible.txt"
  check "no driver: the same CUDA line with the toolkit hidden" test "$(cuda_line "$work/hidden.txt")" = "$(cuda_line "$work/visible.txt")"
  check "no driver: doctor's device is the CPU" grep -q "^device: cpu" "$work/hidden.txt"
else
  # The GPU part either loads (CUDA libraries installed elsewhere) or says
  # what failed and what to install.
  check "driver, toolkit hidden: CUDA loaded or what to install said" \
    grep -qE "^CUDA: (.* loaded \(CUDA |not used: the NVIDIA driver is there, but .*install)" "$work/hidden.txt"
fi
check "hidden toolkit: LibTorch and the BLAS still reported" grep -q "^BLAS: " "$work/hidden.txt"

# A whole 64 px transfer with the toolkit hidden.
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1 BARBERSHOP_PCA_SAMPLES=2000
without_toolkit "$cli" transfer --identity "$faces/16.png" --structure "$faces/15.png" --appearance "$faces/117.png" \
  --weights "$weights" --no-cache --out "$work/out.png" >"$work/transfer.log" 2>&1
check "transfer exits 0 with the toolkit hidden" test $? -eq 0
check "transfer ran every stage" grep -q "^blending: 100%" "$work/transfer.log"
check "transfer wrote a PNG" test "$(head -c 8 "$work/out.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
[ $failures -eq 0 ] || cat "$work/transfer.log"

# The stub driver: only where no real one is and the module was built.
stub=$(ls /usr/local/cuda/lib*/stubs/libcuda.so /usr/local/cuda/targets/*/lib/stubs/libcuda.so 2>/dev/null | head -1)
if ! $driver && [ -n "$stub" ] && [ -n "$module" ]; then
  mkdir -p "$work/driver"
  cp "$stub" "$work/driver/libcuda.so.1"  # a copy: the toolkit's own is hidden below
  LD_LIBRARY_PATH=$work/driver "$cli" doctor --weights "$weights" --cache "$work/cache" >"$work/stub.txt" 2>&1
  check "stub driver: the module in ../lib loaded" grep -qF "CUDA: $(realpath "$module") loaded (CUDA " "$work/stub.txt"
  check "stub driver: LibTorch's CUDA hooks in place (its CUDA version), no device" \
    grep -qE "^CUDA: .+ loaded \(CUDA [0-9]+\.[0-9]+\), no device$" "$work/stub.txt"
  check "stub driver: no device, so the CPU" grep -q "^device: cpu" "$work/stub.txt"
  without_toolkit env LD_LIBRARY_PATH="$work/driver" "$cli" doctor --weights "$weights" --cache "$work/cache" \
    >"$work/stub-hidden.txt" 2>&1
  check "stub driver, toolkit hidden: doctor exits 0" test $? -eq 0
  check "stub driver, toolkit hidden: the missing library named, and what to install" \
    grep -qE "^CUDA: not used: the NVIDIA driver is there, but lib[A-Za-z_]+\.so[.0-9]*: cannot open shared object file.*install them" \
    "$work/stub-hidden.txt"
  mkdir -p "$work/alone/bin"
  cp "$cli" "$work/alone/bin/"
  LD_LIBRARY_PATH=$work/driver "$work/alone/bin/$(basename "$cli")" doctor --weights "$weights" --cache "$work/cache" \
    >"$work/alone.txt" 2>&1
  check "stub driver, no module beside the program: where it looked said" \
    grep -qF "CUDA: not used: the NVIDIA driver is there, but libbarbershop-cuda.so is neither in $work/alone/bin nor in $work/alone/lib" \
    "$work/alone.txt"
  [ $failures -eq 0 ] || cat "$work/stub.txt" "$work/stub-hidden.txt" "$work/alone.txt"
else
  echo "note: the stub-driver checks need no real driver, the toolkit's stub libcuda.so and the module"
fi

echo "no_cuda_toolkit: $passed passed, $failures failed"
test $failures -eq 0
