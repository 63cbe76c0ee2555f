#!/usr/bin/env bash
# The docs' style-mixing row (issue 14): one multi-style model, two of its styles blended at 0, 0.25, 0.5, 0.75
# and 1 with `faststyle stylize --style "a=W,b=1-W"`, on examples/tubingen.jpg at 512 px.
#   scripts/make-mix-gallery.sh MODEL.onnx STYLE_A STYLE_B [OUT.jpg]   (default docs/gallery/mix-A-B.jpg)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 3 ]] || { echo "usage: make-mix-gallery.sh MODEL.onnx STYLE_A STYLE_B [OUT.jpg]" >&2; exit 2; }
model="$1" a="$2" b="$3"
out="${4:-$root/docs/gallery/mix-$a-$b.jpg}"
mkdir -p "$(dirname "$out")"
read -r -a cli <<< "${FASTSTYLE_CLI:-$root/faststyle}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cells=() headers=""
for w in 0 0.25 0.5 0.75 1; do
  rest=$(awk -v w="$w" 'BEGIN { print 1 - w }')
  "${cli[@]}" stylize "$root/examples/tubingen.jpg" --size 512 --model "$model" --style "$a=$rest,$b=$w" --output "$work/$w.png" >/dev/null
  cells+=("$work/$w.png")
  headers+="${headers:+|}$b $w"
done
/usr/bin/python3 "$root/scripts/image-grid.py" "$out" 5 "$headers" "${cells[@]}"
