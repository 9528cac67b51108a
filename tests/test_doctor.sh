#!/usr/bin/env bash
# `barbershop doctor` against values computed here by other tools: sha256sum
# of each weights file, find's byte count of a cache folder filled here,
# getconf's processor count, the LibTorch and CUDA versions CMake found in
# LibTorch's own package files, nvidia-smi's device list, whether the NVIDIA
# driver's library is installed (ldconfig).
# Random bytes under the official names are damaged (they do not load);
# VALID_WEIGHTS holds random-weight files in the official formats, which load.
# usage: test_doctor.sh BARBERSHOP VALID_WEIGHTS TORCH_VERSION CUDA_VERSION   (CUDA_VERSION "" for a CPU LibTorch)
set -u
cli=$1 valid=$2 torch_version=$3 cuda_version=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
random_file() { head -c "$2" /dev/urandom >"$1"; }

# Three of the four files, random bytes: damaged, each with its digest.
weights=$work/weights
mkdir -p "$weights"
random_file "$weights/ffhq.pt" 300000
random_file "$weights/seg.pth" 1000
random_file "$weights/vgg16-397923af.pth" 5000
"$cli" doctor --weights "$weights" --cache "$work/no-cache-yet" >"$work/partial.txt" 2>&1
check "exit 1 when a file is missing" test $? -eq 1
for name in ffhq.pt seg.pth vgg16-397923af.pth; do
  check "$name: damaged, with sha256sum's digest and its size" \
    grep -qxF "  damaged  $weights/$name  $(stat -c %s "$weights/$name") bytes  sha256 $(sha "$weights/$name")" "$work/partial.txt"
done
check "vgg.pth listed as missing" grep -qxF "  missing  $weights/vgg.pth" "$work/partial.txt"
check "where to get vgg.pth is said" grep -q "vgg.pth (7289 bytes, from the LPIPS project" "$work/partial.txt"
check "absent cache folder reported" grep -qxF "cache: $work/no-cache-yet (not created yet)" "$work/partial.txt"

# A random file named vgg16-397923af.pth: its digest (almost surely) does not
# start with 397923af; the test asserts that premise before judging doctor.
vgg_prefix=$(sha "$weights/vgg16-397923af.pth" | cut -c1-8)
if [ "$vgg_prefix" != 397923af ]; then
  check "hash/name mismatch is a warning naming both prefixes" \
    grep -q "^warning: vgg16-397923af.pth: sha256 starts with $vgg_prefix, not 397923af" "$work/partial.txt"
fi

check "no manifest: each file not recorded" test "$(grep -c "^    manifest: not recorded" "$work/partial.txt")" -eq 3

# Files that load, and a generator named with its own digest prefix, as
# torch.hub names files, which matches.
cp "$valid"/* "$weights/"
prefix=$(sha "$valid/ffhq.pt" | cut -c1-8)
cp "$valid/ffhq.pt" "$work/stylegan2-$prefix.pt"
generator_size=$(stat -c %s "$work/stylegan2-$prefix.pt")
"$cli" doctor --weights "$weights" --generator "$work/stylegan2-$prefix.pt" --cache "$work/cache" >"$work/full.txt" 2>&1
check "exit 0 with every file there" test $? -eq 0
check "--generator replaces ffhq.pt" grep -qF "  found    $work/stylegan2-$prefix.pt  $generator_size bytes  sha256 $prefix" "$work/full.txt"
check "ffhq.pt not listed with --generator" test "$(grep -c "ffhq.pt" "$work/full.txt")" -eq 0
check "digest prefix in the name recognised" grep -qxF "  stylegan2-$prefix.pt: sha256 matches the $prefix in its name" "$work/full.txt"
check "no missing file reported" test "$(grep -c missing "$work/full.txt")" -eq 0

# Runtime facts against independent sources.
libtorch=$(sed -n 's/^LibTorch: //p' "$work/full.txt")
check "LibTorch $libtorch is the $torch_version of TorchConfigVersion.cmake" test "$libtorch" = "$torch_version"
check "LibTorch 2.x" test "${libtorch%%.*}" = 2
gpus=0
command -v nvidia-smi >/dev/null && gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
# LibTorch's CUDA part is loaded only where the NVIDIA driver's libcuda.so.1
# is: in the dynamic linker's cache or a folder of LD_LIBRARY_PATH.
driver=false
/sbin/ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 ' && driver=true
for folder in ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }}; do [ -e "$folder/libcuda.so.1" ] && driver=true; done
if ! $driver; then
  check "no NVIDIA driver: CUDA not used" grep -qxF "CUDA: not used (no NVIDIA driver)" "$work/full.txt"
  check "device cpu without a driver" grep -q "^device: cpu" "$work/full.txt"
elif [ -z "$cuda_version" ]; then
  check "a driver but a CPU LibTorch: no GPU part in this build, said" \
    grep -qE "^CUDA: not used: the NVIDIA driver is there, but libbarbershop-cuda\.so .*this build has no GPU part" "$work/full.txt"
elif [ "$gpus" -eq 0 ]; then
  check "CUDA: the module loaded, compiled ${cuda_version%%.*}.x, no device" \
    grep -qE "^CUDA: .*/libbarbershop-cuda\.so loaded \(CUDA ${cuda_version%%.*}\.[0-9]+\), no device$" "$work/full.txt"
  check "device cpu without a GPU" grep -q "^device: cpu" "$work/full.txt"
else
  check "CUDA: the module loaded, compiled ${cuda_version%%.*}.x, $gpus device(s)" \
    grep -qE "^CUDA: .*/libbarbershop-cuda\.so loaded \(CUDA ${cuda_version%%.*}\.[0-9]+\), $gpus device\(s\)$" "$work/full.txt"
  check "one line per device" test "$(grep -cE '^  cuda:[0-9]+  ' "$work/full.txt")" -eq "$gpus"
fi
# The BLAS: when the libtorch_cpu.so this CLI loads (ldd) defines sgemm_
# itself (nm), that one must run, not a system BLAS loaded ahead of it.
torch_cpu=$(ldd "$cli" | sed -n 's/^\s*libtorch_cpu\.so => \(\/[^ ]*\).*/\1/p')
if [ -n "$torch_cpu" ] && nm -D --defined-only "$torch_cpu" | grep -qw sgemm_; then
  check "BLAS: LibTorch's own ($torch_cpu)" grep -qxF "BLAS: LibTorch's own ($torch_cpu)" "$work/full.txt"
fi
# One thread per online processor, or OMP_NUM_THREADS where set (ctest -j2 in
# .ci/run sets 1); the doctor run with it changed must follow.
check "threads = ${OMP_NUM_THREADS:-online processors}" grep -qxF "threads: ${OMP_NUM_THREADS:-$(getconf _NPROCESSORS_ONLN)}" "$work/full.txt"
OMP_NUM_THREADS=3 "$cli" doctor >"$work/three.txt" 2>&1 || true
check "threads = OMP_NUM_THREADS=3" grep -qxF "threads: 3" "$work/three.txt"

# A cache with nested folders, files of random sizes and a link that must not
# be counted twice; find's total is the reference.
cache=$work/cache
mkdir -p "$cache/embeddings/ab" "$cache/pca"
for i in 1 2 3 4 5; do random_file "$cache/embeddings/ab/e$i.npy" $((RANDOM * 7 + 1)); done
random_file "$cache/pca/prior.npz" 123457
ln -s "$cache/pca/prior.npz" "$cache/link.npz"
bytes=$(find "$cache" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
files=$(find "$cache" -type f | wc -l)
"$cli" doctor --weights "$weights" --cache "$cache" >"$work/cache.txt" 2>&1
check "cache size = find's total ($bytes bytes in $files files)" \
  grep -qxF "cache: $cache  $bytes bytes in $files files ($((bytes / 1000000)) MB)" "$work/cache.txt"

# Defaults come from $BARBERSHOP_WEIGHTS and $XDG_CACHE_HOME.
BARBERSHOP_WEIGHTS=$weights XDG_CACHE_HOME=$work "$cli" doctor >"$work/env.txt" 2>&1
check "default weights folder from BARBERSHOP_WEIGHTS" grep -qxF "weights: $weights" "$work/env.txt"
check "default cache from XDG_CACHE_HOME" grep -qxF "cache: $work/barbershop (not created yet)" "$work/env.txt"

# It only reads: every file under the weights and cache folders is unchanged.
snapshot() { find "$weights" "$cache" -exec stat -c '%n %s %Y' {} + | sort; find "$weights" "$cache" -type f -exec sha256sum {} + | sort; }
before=$(snapshot)
"$cli" doctor --weights "$weights" --cache "$cache" >/dev/null 2>&1
check "weights and cache unchanged" test "$before" = "$(snapshot)"
"$cli" doctor --weights "$weights" --bogus x >/dev/null 2>"$work/bad.txt"
check "unknown option: exit 2 with a message" test $? -eq 2 -a -s "$work/bad.txt"

echo "test_doctor: $passed passed, $failures failed"
test $failures -eq 0
