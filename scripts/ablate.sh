#!/usr/bin/env bash
# Fixed-budget ablation of training recipes (issue 11). Each variant is a full training config
# (YAML); every variant trains the same number of steps from its config's seed, is exported, and
# is scored by `faststyle compare` with its own loss at 256 px on a fixed dev set the trainer never
# sees: the 7 photos of ../shared/data/content and the first 20 of ../shared/data/coco/val2017
# (train on train2017 only). Gatys runs twice: from seeded noise (Johnson et al.'s protocol) and
# from the content image. One Markdown row per variant goes to stdout and to OUT/rows.md.
#
#   FASTSTYLE_VGG=../shared/models/vgg19.safetensors scripts/ablate.sh [--steps N] [--dev quick|full] VARIANT.yaml...
#   scripts/ablate.sh --trained RUN_OR_CHECKPOINT_OR_ONNX [--dev quick|full] VARIANT.yaml
#     scores a network trained elsewhere (a long run, a resumed run) with VARIANT's loss, without training.
#     A multi-style network is scored on VARIANT's painting: compare runs the style trained on that image.
#
# --dev quick scores on the first 4 content photos + 4 val photos (for a first look; say so when quoting it).
# Environment: FASTSTYLE_DATASET (default ../shared/data/coco/train2017), OUT (default artifacts/ablate),
# NOISE_ITERATIONS (default 10,20,30,50), CONTENT_ITERATIONS (default 5,10,20), FASTSTYLE_CLI (default ./faststyle;
# point it at a copied build, e.g. "dotnet /tmp/cli/faststyle.dll", to keep editing sources while it runs),
# REUSE_GATYS (an earlier ablate.sh OUT: each variant's Gatys runs are taken from REUSE_GATYS/VARIANT/compare-INIT
# where that exists, or else from a published model's report folder REUSE_GATYS/INIT, as docs/compare/STYLE/noise,
# via `compare --reuse-gatys`; Gatys never depends on the network, and it is nearly all of the time).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/../shared"
steps=1000
dev=full
trained=""
variants=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --dev) dev="$2"; shift 2 ;;
    --trained) trained="$(realpath "$2")"; shift 2 ;;
    -*) echo "ablate.sh: unknown option $1" >&2; exit 2 ;;
    *) variants+=("$1"); shift ;;
  esac
done
[[ ${#variants[@]} -gt 0 ]] || { echo "ablate.sh: give at least one variant config (YAML)" >&2; exit 2; }
[[ -z "$trained" || ${#variants[@]} -eq 1 ]] || { echo "ablate.sh: --trained scores one network: give exactly one variant config" >&2; exit 2; }
: "${FASTSTYLE_VGG:?set FASTSTYLE_VGG to a VGG-19 safetensors file}"
export FASTSTYLE_DATASET="${FASTSTYLE_DATASET:-$shared/data/coco/train2017}"
out="${OUT:-$root/artifacts/ablate}"
noise_iterations="${NOISE_ITERATIONS:-10,20,30,50}"
content_iterations="${CONTENT_ITERATIONS:-5,10,20}"
mkdir -p "$out"
reuse="${REUSE_GATYS:+$(realpath "$REUSE_GATYS")}"
[[ -z "$reuse" || "$reuse" != "$(realpath "$out")" ]] || { echo "ablate.sh: REUSE_GATYS is OUT itself; this run deletes each variant's folder first" >&2; exit 2; }
read -r -a cli <<< "${FASTSTYLE_CLI:-$root/faststyle}"
source "$root/scripts/native-memory.sh"

source "$root/scripts/dev-set.sh"
mapfile -t dev_set < <(dev_set "$shared" "$dev")
mapfile -t val < <(printf '%s\n' "${dev_set[@]}" | grep /val2017/)   # thumbnails: a content photo and two val photos
case "$FASTSTYLE_DATASET" in *val2017*) echo "ablate.sh: the dataset must not contain the dev photos (val2017)" >&2; exit 2 ;; esac


# summary REPORT_JSON: "mean ± std (reached/images)" of equivalent iterations, counting images
# Gatys never reached within the run as the run's length (a lower bound, marked with >=).
summary() {
  jq -r '
    .settings.max_iterations as $max
    | [.images[] | (.equivalent_iterations // $max)] as $e
    | ($e | add / length) as $m
    | ([$e[] | (. - $m) * (. - $m)] | add / length | sqrt) as $s
    | ([.images[] | select(.equivalent_iterations == null)] | length) as $censored
    | "\(if $censored > 0 then ">=" else "" end)\($m * 10 | round / 10) ± \($s * 10 | round / 10)"
      + (if $censored > 0 then " (\($censored) not reached by \($max))" else "" end)' "$1"
}

echo "| variant | steps | train wall time | equiv. iterations, noise init | equiv. iterations, content init | network / Gatys@50 (noise) | output style / photo style | images |" | tee "$out/rows.md"
echo "|---|---|---|---|---|---|---|---|" | tee -a "$out/rows.md"
for variant in "${variants[@]}"; do
  variant="$(realpath "$variant")"
  name="$(basename "$variant" .yaml)"
  dir="$out/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  style_image="$(cd "$(dirname "$variant")" && realpath "$(yaml_value "$variant" style_image "")")"
  style_size="$(yaml_value "$variant" style_size 512)"
  start=$(date +%s)
  if [[ -n "$trained" ]]; then
    steps="(trained elsewhere)"
    if [[ "$trained" == *.onnx ]]; then cp "$trained" "$dir/model.onnx"
    else "${cli[@]}" export "$trained" --output "$dir/model.onnx" > "$dir/export.log" 2>&1; fi
  else
    "${cli[@]}" train "$variant" --max-steps "$steps" --output "$dir/run" > "$dir/train.log" 2>&1 \
      || { echo "ablate.sh: training $name failed (see $dir/train.log)" >&2; exit 1; }
    "${cli[@]}" export "$dir/run" --output "$dir/model.onnx" > "$dir/export.log" 2>&1
  fi
  wall=$(( $(date +%s) - start ))
  for init in noise content; do
    iterations=$([[ $init == noise ]] && echo "$noise_iterations" || echo "$content_iterations")
    reuse_args=()
    for earlier in ${reuse:+"$reuse/$name/compare-$init" "$reuse/$init"}; do
      [[ -f "$earlier/report.json" ]] && { reuse_args=(--reuse-gatys "$earlier"); break; }
    done
    "${cli[@]}" compare --model "$dir/model.onnx" --style "$style_image" --content "${dev_set[@]}" \
      --size 256 --style-size "$style_size" --loss "$variant" --init "$init" --seed 0 \
      --iterations "$iterations" "${reuse_args[@]}" --output "$dir/compare-$init" > "$dir/compare-$init.log" 2>&1
  done
  noise="$(summary "$dir/compare-noise/report.json")"
  from_content="$(summary "$dir/compare-content/report.json")"
  ratio=$(jq -r '[.images[] | .network.loss.total as $n | [.gatys.checkpoints[] | select(.iteration == 50) | .loss.total][0] as $g
                  | select($g != null) | $n / $g]
                 | if length == 0 then "–" else (add / length * 100 | round / 100 | tostring) end' "$dir/compare-noise/report.json")
  style_fraction=$(jq -r '.summary.network_style_fraction | "\(.mean * 1000 | round / 10)% ± \(.std * 1000 | round / 10)"' "$dir/compare-noise/report.json")
  # Thumbnails: three dev photos the network never saw, small enough to commit.
  # A multi-style model is drawn with the variant's style (compare picks it by the painting's sha256).
  mkdir -p "$dir/thumbs"
  thumb_style=()
  style_name="$(yaml_value "$variant" style_name "")"
  if [[ -n "$style_name" ]] && "${cli[@]}" stylize --model "$dir/model.onnx" --list-styles 2>/dev/null | grep -qx "$style_name"; then
    thumb_style=(--style "$style_name")
  fi
  "${cli[@]}" stylize --model "$dir/model.onnx" "${dev_set[0]}" "${val[0]}" "${val[1]}" --size 192 "${thumb_style[@]}" --output "$dir/thumbs" > /dev/null 2>&1 || true
  row="| $name | $steps | $((wall / 60)) min | $noise | $from_content | $ratio | $style_fraction | ${#dev_set[@]} ($dev) |"
  echo "$row" | tee -a "$out/rows.md"
done
