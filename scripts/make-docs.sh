#!/usr/bin/env bash
# Regenerates the shipped model and the committed comparison report from a training run, using only
# the project's own commands (issue 6). Needs the VGG file and the content photos:
#   FASTSTYLE_VGG=../shared/models/vgg19.safetensors scripts/make-docs.sh RUN_DIR [CONTENT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="${1:?training run folder (runs/starry_night)}"
content_dir="${2:-$root/../shared/data/content}"
cd "$root"
./faststyle export "$run" --output models/starry_night.onnx
./faststyle stylize examples/tubingen.jpg --output docs/gallery/tubingen-network.jpg
# Fair comparison: the loss the network was trained on (its config, with the style size of the run).
./faststyle compare --model models/starry_night.onnx --style styles/starry_night.jpg \
  --content "$content_dir"/*.jpg --iterations "${ITERATIONS:-50,100,200}" --size 256 --style-size 256 \
  --loss configs/starry_night.yaml --output docs/compare
