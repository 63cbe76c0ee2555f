# Sourced by scripts that score networks: the one definition of the dev set and of reading a config scalar.
# dev_set SHARED [quick|full]: the photos the trainers never see, one per line: the 7 of SHARED/data/content
# and the first 20 of SHARED/data/coco/val2017 (quick: the first 4 of each).
dev_set() {
  local n_content=1000 n_val=20
  if [[ "${2:-full}" == quick ]]; then n_content=4; n_val=4; fi
  ls "$1"/data/content/*.jpg | sort | head -n "$n_content"
  ls "$1"/data/coco/val2017/*.jpg | sort | head -n "$n_val"
}
# yaml_value FILE KEY DEFAULT: a top-level scalar of a config.
yaml_value() { local v; v=$(grep -E "^$2:" "$1" | head -n1 | sed -E "s/^$2:[[:space:]]*//; s/[[:space:]]*#.*$//"); echo "${v:-$3}"; }
