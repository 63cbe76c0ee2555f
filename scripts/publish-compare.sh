#!/usr/bin/env bash
# Copies one scored network's compare reports (a variant folder of scripts/ablate.sh) into docs/compare/STYLE/,
# small enough for the repository: report.json (every number), report.md without the per-image picture tables
# (the per-image files are not kept), loss.png, and the grid downsized to 1200 px wide.
#   scripts/publish-compare.sh ABLATE_VARIANT_FOLDER STYLE        (dev tooling: needs /usr/bin/python3 with PIL)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -eq 2 ]] || { echo "usage: publish-compare.sh ABLATE_VARIANT_FOLDER STYLE" >&2; exit 2; }
source="$1" style="$2"
for init in noise content; do
  from="$source/compare-$init" to="$root/docs/compare/$style/$init"
  [[ -f "$from/report.json" ]] || { echo "publish-compare.sh: $from/report.json: missing (run scripts/ablate.sh first)" >&2; exit 1; }
  mkdir -p "$to"
  cp "$from/report.json" "$from/loss.png" "$to/"
  # A picture table is its header, its rule and its row of images/ links: drop all three.
  awk '/^\| content \| network \|/ { skip = 2; next } skip > 0 { skip--; next } { print }' "$from/report.md" > "$to/report.md"
  /usr/bin/python3 "$root/scripts/thumbnail.py" "$from/grid.jpg" "$to/grid.jpg" 1200
done
echo "wrote $root/docs/compare/$style/{noise,content}"
