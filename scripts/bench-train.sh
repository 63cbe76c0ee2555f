#!/usr/bin/env bash
# Seconds per training step and images/s at 4x128 and 4x256, fp32 and bf16 (issue 3), plus the
# ratio of a full step to its conv kernels alone. Needs the VGG file and a photo folder:
#   FASTSTYLE_VGG=../shared/models/vgg19.safetensors FASTSTYLE_DATASET=../shared/data/coco scripts/bench-train.sh
# Run on an idle machine; each configuration runs in its own process (peak RSS per configuration).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${FASTSTYLE_VGG:?set FASTSTYLE_VGG to a VGG-19 safetensors file}"
: "${FASTSTYLE_DATASET:?set FASTSTYLE_DATASET to a folder of photos}"
style="${STYLE:-$root/styles/starry_night.jpg}"
steps="${STEPS:-8}"
source "$root/scripts/native-memory.sh"
dotnet build "$root/bench/FastStyle.Bench" -c Release -nologo -v quiet >/dev/null
bench="$root/bench/FastStyle.Bench/bin/Release/net10.0/FastStyle.Bench.dll"
for size in 128 256; do
  for precision in fp32 bf16; do
    /usr/bin/time -f "  peak RSS %M KiB" dotnet "$bench" train "$FASTSTYLE_VGG" "$FASTSTYLE_DATASET" "$style" 4 "$size" "$precision" "$steps"
  done
done
