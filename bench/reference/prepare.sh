#!/usr/bin/env bash
# Exports the reference implementation (ZPdesu/Barbershop) into
# bench/reference/Barbershop, a git-ignored folder that travels to the device
# machine through `carry` (never committed: the project holds none of its
# code). Its compiled CUDA ops (fused_act, upfirdn2d: JIT-built with nvcc at
# import) are replaced by this folder's plain PyTorch ones (plain_ops/, our
# own code), as many of its users run it; REFERENCE_OPS=compiled keeps them.
# Leaves out what a run does not read, to stay far under carry's 64 MiB.
# usage: bench/reference/prepare.sh [GIT_DIR_OR_URL]
#   default: the mirror the `fetch` tool makes, /work/.mirror/ZPdesu+Barbershop/repo
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source=${1:-/work/.mirror/ZPdesu+Barbershop/repo}
out=$here/Barbershop
rm -rf "$out"
mkdir -p "$out"
# Not exported: what a run does not read (the paper, sample inputs, other
# datasets' PCA files; a mirror may lack the paper's large files anyway).
skip=(':(exclude)docs' ':(exclude)input' ':(exclude)unprocessed' ':(exclude)pretrained_models/afhq*'
      ':(exclude)pretrained_models/metfaces*')
if [ -d "$source" ]; then
  git --git-dir="$source" archive HEAD -- . "${skip[@]}" | tar -x -C "$out"
  commit=$(git --git-dir="$source" rev-parse HEAD)
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  git clone --quiet --depth 1 "$source" "$tmp/repo"
  git -C "$tmp/repo" archive HEAD -- . "${skip[@]}" | tar -x -C "$out"
  commit=$(git -C "$tmp/repo" rev-parse HEAD)
fi
if [ "${REFERENCE_OPS:-plain}" != compiled ]; then
  cp "$here/plain_ops/fused_act.py" "$out/models/stylegan2/op/fused_act.py"
  cp "$here/plain_ops/upfirdn2d.py" "$out/models/stylegan2/op/upfirdn2d.py"
fi
echo "$commit ${REFERENCE_OPS:-plain} ops" >"$out/EXPORTED_FROM"
echo "reference $commit exported to $out ($(du -sh "$out" | cut -f1), ${REFERENCE_OPS:-plain} ops)"
