#!/usr/bin/env bash
# Ships one trained style with the project's own commands: scores the network on the quick dev set with its
# own training loss (scripts/ablate.sh --trained, which also exports it), installs the exported model as
# models/STYLE.onnx, keeps its compare reports in docs/compare/STYLE (scripts/publish-compare.sh) and
# redraws the README gallery (scripts/make-gallery.sh). Needs the VGG file and ../shared's photos:
#   FASTSTYLE_VGG=../shared/models/vgg19.safetensors scripts/make-docs.sh STYLE RUN_OR_CHECKPOINT CONFIG.yaml
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -eq 3 ]] || { echo "usage: make-docs.sh STYLE RUN_OR_CHECKPOINT CONFIG.yaml" >&2; exit 2; }
style="$1" trained="$2" config="$3"
variant="$(basename "${config%.*}")"
scores="${OUT:-$root/artifacts/make-docs/$style}"
OUT="$scores" "$root/scripts/ablate.sh" --trained "$trained" --dev quick "$config"
cp "$scores/$variant/model.onnx" "$root/models/$style.onnx"
"$root/scripts/publish-compare.sh" "$scores/$variant" "$style"
"$root/scripts/make-gallery.sh"
