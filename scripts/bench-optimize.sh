#!/usr/bin/env bash
# Seconds per L-BFGS iteration (one loss+gradient evaluation, VGG-19 to relu5_1) at 256 and 512 px
# (issue 2). Peer: PyTorch 1.13, 2 threads: 0.50 s at 256, 2.08 s at 512.
#   FASTSTYLE_VGG=../shared/models/vgg19.safetensors scripts/bench-optimize.sh CONTENT STYLE
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
content="${1:?content image}"; style="${2:?style image}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for size in 256 512; do
  "$root/faststyle" optimize --content "$content" --style "$style" --output "$out/o$size.png" --size "$size" \
      --iterations "${ITERATIONS:-20}" --metrics "$out/m$size.json" >/dev/null
  spi=$(grep -o '"seconds_per_iteration": *[0-9.]*' "$out/m$size.json" | grep -o '[0-9.]*$')
  echo "optimize ${size} px: ${spi} s/iteration (mean over ${ITERATIONS:-20}, including the first)"
done
