#!/usr/bin/env bash
# Each style's loss on the dev set (the 7 photos of ../shared/data/content + the first 20 of val2017, as
# scripts/ablate.sh) for one or more multi-style ONNX models, at 256 px with the config's loss and style
# size: one Markdown row per model, one column per style (mean total loss ± std over the images).
#   FASTSTYLE_VGG=../shared/models/vgg19.safetensors scripts/sampling-score.sh CONFIG.yaml MODEL.onnx...
# Environment: OUT (default artifacts/sampling-score), FASTSTYLE_CLI (default ./faststyle).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/../shared"
[[ $# -ge 2 ]] || { echo "usage: scripts/sampling-score.sh CONFIG.yaml MODEL.onnx..." >&2; exit 2; }
: "${FASTSTYLE_VGG:?set FASTSTYLE_VGG to a VGG-19 safetensors file}"
config="$(realpath "$1")"; shift
out="${OUT:-$root/artifacts/sampling-score}"
read -r -a cli <<< "${FASTSTYLE_CLI:-$root/faststyle}"
source "$root/scripts/dev-set.sh"
mapfile -t dev < <(dev_set "$shared" full)
style_size="$(yaml_value "$config" style_size 512)"
mapfile -t names < <("${cli[@]}" stylize --model "$1" --list-styles)
header="| model |"; rule="|---|"
for s in "${names[@]}"; do header+=" $s |"; rule+="---|"; done
mkdir -p "$out"
echo "$header" | tee "$out/rows.md"; echo "$rule" | tee -a "$out/rows.md"
for model in "$@"; do
  row="| $(basename "$model" .onnx) |"
  for s in "${names[@]}"; do
    dir="$out/$(basename "$model" .onnx)/$s"; rm -rf "$dir"; mkdir -p "$dir"
    "${cli[@]}" stylize --model "$model" --style "$s" --size 256 -o "$dir" "${dev[@]}" > "$dir/stylize.log"
    stylized=(); for f in "${dev[@]}"; do stylized+=("$(ls "$dir/$(basename "${f%.*}")".* | head -n1)"); done
    image="$(cd "$(dirname "$config")" && realpath "$(grep -E "name: $s," "$config" | sed -E 's/.*image: ([^,}]*).*/\1/')")"
    "${cli[@]}" evaluate --style "$image" --content "${dev[@]}" --stylized "${stylized[@]}" --loss "$config" --size 256 --style-size "$style_size" --json "$dir/evaluate.json" > "$dir/evaluate.log"
    row+=" $(jq -r '.summary.total | "\(.mean | round) ± \(.std | round)"' "$dir/evaluate.json") |"
  done
  echo "$row" | tee -a "$out/rows.md"
done
