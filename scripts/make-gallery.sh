#!/usr/bin/env bash
# The README gallery: every shipped style on the same photos at 512 px, made with `faststyle stylize --model NAME`.
# Rows are photos (examples/tubingen.jpg and two dev photos the networks never trained on), columns the photo
# and then one column per style. Dev tooling: the grid is assembled with /usr/bin/python3 and PIL.
#   scripts/make-gallery.sh [OUT.jpg]      (default docs/gallery/styles.jpg)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/docs/gallery/styles.jpg}"
mkdir -p "$(dirname "$out")"
styles=(starry_night the_scream wave udnie the_shipwreck_of_the_minotaur)
photos=("$root/examples/tubingen.jpg" "$root/../shared/data/content/golden_gate.jpg" "$root/../shared/data/coco/val2017/000000000285.jpg")
read -r -a cli <<< "${FASTSTYLE_CLI:-$root/faststyle}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cells=()
for photo in "${photos[@]}"; do
  [[ -f "$photo" ]] || { echo "make-gallery.sh: $photo: missing" >&2; exit 1; }
  name="$(basename "${photo%.*}")"
  cells+=("$photo") # the grid scales every cell to one height
  for style in "${styles[@]}"; do
    "${cli[@]}" stylize "$photo" --size 512 --model "$style" --output "$work/$name.$style.png" >/dev/null
    cells+=("$work/$name.$style.png")
  done
done
headers="photo"
for style in "${styles[@]}"; do headers+="|$style"; done
/usr/bin/python3 "$root/scripts/image-grid.py" "$out" "$(( ${#styles[@]} + 1 ))" "$headers" "${cells[@]}"
