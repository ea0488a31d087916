#!/usr/bin/env bash
# Prepares .device/ (git-ignored) for scripts/gpu-check.sh on the GPU machine, which has Python,
# PyTorch + CUDA, CMake and a compiler but no Node.js and no network:
#   .device/node.xz              this machine's node binary, xz-compressed
#   .device/node_modules.tar.xz  what the GPU run executes: tsx and vitest (with esbuild/@esbuild
#                                and rollup's native binary, which they cannot run without),
#                                cmake-js with node-api-headers and node-addon-api (the build
#                                needs no download), node-gyp-build (loads the addon)
# Left out, as bulk the GPU run never loads: typescript (tsx and vitest transpile with esbuild),
# @img/sharp (libvips: image decoding, which no GPU-run test uses; lib/ imports sharp lazily),
# @types, prebuildify, caches.
# Fails if the tree that travels (git's tracked and unignored files plus .device/) would exceed
# 60 MiB (the device machine takes 64 MiB in all).
#   scripts/pack-device.sh        (from anywhere in the checkout; run npm ci first)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
LIMIT_MIB=60
[ -d node_modules/esbuild ] && [ -d node_modules/@esbuild ] && [ -d node_modules/cmake-js ] && [ -d node_modules/node-api-headers ] || {
  echo "pack-device: node_modules is incomplete (need esbuild, @esbuild, cmake-js, node-api-headers): run npm ci" >&2
  exit 1
}
mkdir -p .device
grep -qx '/.device/' .git/info/exclude 2>/dev/null || grep -qx '.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude

# node: the same compression as ../shared/device/pack-node.sh, without that script's own
# node_modules tarball (it leaves esbuild out, which tsx and vitest need).
node_bin=$(readlink -f "$(command -v node)")
if [ ! -f .device/node.xz ] || [ "$node_bin" -nt .device/node.xz ]; then
  echo "pack-device: compressing $node_bin ($(node --version)) ..."
  xz -T0 -6 -c "$node_bin" > .device/node.xz.tmp && mv .device/node.xz.tmp .device/node.xz
fi

echo "pack-device: packing node_modules ..."
tar --exclude='node_modules/.cache' --exclude='node_modules/.vite' --exclude='node_modules/.vitest' \
    --exclude='node_modules/typescript' --exclude='node_modules/.bin/tsc' --exclude='node_modules/.bin/tsserver' \
    --exclude='node_modules/@img' --exclude='node_modules/sharp' \
    --exclude='node_modules/@types' --exclude='node_modules/prebuildify' --exclude='node_modules/.bin/prebuildify' \
    -cf - node_modules | xz -T0 -6 > .device/node_modules.tar.xz.tmp
mv .device/node_modules.tar.xz.tmp .device/node_modules.tar.xz

# What travels: tracked files and untracked files git does not ignore, plus .device/.
tree_bytes=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
device_bytes=$(find .device -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
total=$((tree_bytes + device_bytes))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "pack-device: node.xz $(mib "$(stat -c %s .device/node.xz)"), node_modules.tar.xz $(mib "$(stat -c %s .device/node_modules.tar.xz)"), working tree $(mib "$tree_bytes")"
echo "pack-device: total carried $(mib "$total") (limit ${LIMIT_MIB} MiB)"
if [ "$total" -gt $((LIMIT_MIB * 1048576)) ]; then
  echo "pack-device: FAILED: the carried tree would be $(mib "$total"), over ${LIMIT_MIB} MiB" >&2
  exit 1
fi
