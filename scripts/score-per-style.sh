#!/usr/bin/env bash
# Scores every style of a multi-style network the way each shipped single-style model was scored (issue 14):
# for each style the model lists, scripts/ablate.sh --trained MODEL --dev full configs/tvtail/STYLE.yaml, so
# `compare` runs the style trained on that painting with that style's own loss (equivalent L-BFGS iterations,
# noise and content init, on the 27 dev photos). A style without a configs/tvtail/STYLE.yaml is skipped with a
# message. Rows go to OUT/STYLE/rows.md and, all together, to OUT/rows.md.
#   FASTSTYLE_VGG=../shared/models/vgg19.safetensors scripts/score-per-style.sh MODEL.onnx|RUN|CHECKPOINT [--dev quick|full]
# Environment: OUT (default artifacts/score-per-style), FASTSTYLE_CLI (default ./faststyle), as scripts/ablate.sh;
# REUSE_GATYS: an earlier score-per-style OUT whose Gatys runs are reused (ablate.sh's REUSE_GATYS, per style), or
# docs/compare, the shipped models' published runs, to score against exactly the runs their figures came from.
# A RUN or CHECKPOINT is exported once to OUT/model.onnx first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 1 ]] || { echo "usage: scripts/score-per-style.sh MODEL.onnx|RUN|CHECKPOINT [--dev quick|full]" >&2; exit 2; }
: "${FASTSTYLE_VGG:?set FASTSTYLE_VGG to a VGG-19 safetensors file}"
model="$(realpath "$1")"; shift
dev=full
[[ "${1:-}" == "--dev" ]] && { dev="${2:?--dev takes quick or full}"; shift 2; }
out="${OUT:-$root/artifacts/score-per-style}"
read -r -a cli <<< "${FASTSTYLE_CLI:-$root/faststyle}"
mkdir -p "$out"
if [[ "$model" != *.onnx ]]; then
  rm -f "$out/model.onnx"
  "${cli[@]}" export "$model" --output "$out/model.onnx"
  model="$out/model.onnx"
fi
mapfile -t names < <("${cli[@]}" stylize --model "$model" --list-styles)
rows=()
for s in "${names[@]}"; do
  config="$root/configs/tvtail/$s.yaml"
  if [[ ! -f "$config" ]]; then echo "score-per-style: no configs/tvtail/$s.yaml; '$s' not scored" >&2; continue; fi
  echo "=== $s $(date -u +%H:%M:%S)" >&2
  OUT="$out/$s" REUSE_GATYS="${REUSE_GATYS:+$REUSE_GATYS/$s}" "$root/scripts/ablate.sh" --trained "$model" --dev "$dev" "$config"
  rows+=("$out/$s/rows.md")
done
[[ ${#rows[@]} -gt 0 ]] || { echo "score-per-style: no style of $model has a configs/tvtail config" >&2; exit 1; }
# ablate.sh's header once, then each style's row.
{ head -n 2 "${rows[0]}"; for r in "${rows[@]}"; do tail -n 1 "$r"; done; } > "$out/rows.md"
echo "score-per-style: rows in $out/rows.md" >&2
