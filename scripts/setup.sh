#!/usr/bin/env bash
# Prepares a Debian 12 machine with Node 20 to build, train and test torch-ts, then builds it.
# Idempotent: installs only what is missing, rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

# libtorch-dev: headers + libtorch 1.13 to build against. libopenblas0-pthread: without it
# libtorch's GEMMs fall back to the reference BLAS (~50x slower). python3-torch(vision):
# the oracle tests compare against. dataset-fashion-mnist: the default training data.
# libjpeg62-turbo-dev: the JPEG decoder PIL uses, for ImageFolder (the build probes its header).
# libgloo-dev: the Gloo headers ProcessGroupGloo.hpp includes (torch.distributed's backend).
# iproute2: `ip netns`, for the test that runs ranks on two network namespaces.
packages=(libtorch-dev libopenblas0-pthread libjpeg62-turbo-dev python3-torch python3-torchvision dataset-fashion-mnist cmake g++ make libgloo-dev iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build
node --input-type=module -e "import('./dist/index.js').then((t) => { const c = t.config(); console.log('setup: torch-ts ready: libtorch ' + c.libtorchVersion + ' (' + c.builtFrom + '), CUDA ' + (c.cudaAvailable ? 'available' : 'not available') + ', ' + c.numThreads + ' threads'); })"
