#!/usr/bin/env bash
# Ours against the PyTorch CPU peer (../shared/peer), the same work back to back in one run (issue 10):
# training step 4x128 and 4x256 (fp32, and bf16 where the CPU has avx512_bf16 or AMX), peak RSS at
# the largest training size, stylise 256/512/1024 px, one optimisation loss+gradient evaluation
# 256/512 px (fp32, and bf16 as for training). Prints a Markdown table: ours, peer, ours/peer and GFLOP/s beside each time.
#
#   scripts/bench-vs-peer.sh [--smoke] [--only train|infer|gatys[,...]] [--retries N] [--rounds N] [--out DIR] [--cache DIR]
#
#   --smoke     1 warm-up + 1 timed step at the smallest size of each kind (train 128, infer 256,
#               gatys 256) and no reruns unless --retries is given: checks that everything runs,
#               in about 2 minutes on a quiet machine; not a benchmark
#   --only      kinds to run (comma list); default all three
#   --retries   reruns of a contaminated configuration (default 2; 0 with --smoke)
#   --rounds    times the whole set N times (default 1), ours first in even rounds and the peer first in
#               odd ones; each round's pair gives a ratio and the table reports their median and range.
#               For shared (cloud) machines, where the same work drifts by 10-25% between minutes
#               without other_cores_busy showing it (a neighbour's load on shared caches and clocks)
#   --out       results folder; default artifacts/bench/<date-time>[-smoke]
#   --cache     the peer's cache folder (OpenBLAS); default $FASTSTYLE_PEER_CACHE, else ~/.cache/faststyle-peer
# Inputs (from the repository root): ../shared/models/vgg19.safetensors (or $FASTSTYLE_VGG),
# ../shared/data/coco, ../shared/data/styles/mosaic.jpg; content image: the first JPEG of the photo
# folder in sorted order (the peer's default).
# Conditions (the peer's README): 2 threads, 2 warm-up + 5 timed steps, median (min and max shown),
# a fresh process per configuration (peak RSS), ours first then the peer's for each kind and size.
# A row is contaminated when another process kept >= 0.1 cores busy during its timed steps
# (other_cores_busy, measured the same way on both sides); it is rerun up to --retries times and
# the least contaminated attempt is reported. The peer is set up first if it is not (setup.sh,
# needs root for apt-get). Output: OUT/raw.jsonl (every attempt of both sides), OUT/table.md,
# OUT/logs/ (per-step logs), OUT/peer/ (the peer's own result folders).
set -uo pipefail

usage() { sed -n '2,/^set /p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "bench-vs-peer: $*" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
shared="$root/../shared"
peer="$shared/peer"
helper="$root/scripts/bench-vs-peer.py"
vgg="${FASTSTYLE_VGG:-$shared/models/vgg19.safetensors}"
data="$shared/data/coco"
style="$shared/data/styles/mosaic.jpg"
threads=2
smoke=0 only="train,infer,gatys" retries="" rounds=1 out=""
cache="${FASTSTYLE_PEER_CACHE:-$HOME/.cache/faststyle-peer}"

while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --only) only=${2:-}; shift ;;
    --retries) retries=${2:-}; shift ;;
    --rounds) rounds=${2:-}; shift ;;
    --out) out=${2:-}; shift ;;
    --cache) cache=${2:-}; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench-vs-peer: unknown argument '$1'" >&2; usage 2 ;;
  esac
  shift
done
for k in ${only//,/ }; do case "$k" in train|infer|gatys) ;; *) die "--only takes train, infer or gatys, not '$k'" ;; esac; done
[ -d "$peer" ] || die "peer benchmark not found at $peer (../shared/peer beside the repository)"
[ -f "$vgg" ] || die "VGG-19 weights not found: $vgg (set FASTSTYLE_VGG)"
[ -d "$data" ] || die "photo folder not found: $data"
[ -f "$style" ] || die "style image not found: $style"
content=$(find "$data" -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) | LC_ALL=C sort | head -n1)
[ -n "$content" ] || die "no JPEG under $data"

if [ $smoke = 1 ]; then
  retries=${retries:-0}
  kind=smoke warmup=1 steps=1 train_sizes="128" infer_sizes="256" gatys_sizes="256"
else
  retries=${retries:-2}
  kind=full warmup=2 steps=5 train_sizes="128 256" infer_sizes="256 512 1024" gatys_sizes="256 512"
fi
[[ $retries =~ ^[0-9]+$ ]] || die "--retries takes a whole number, not '$retries'"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a whole number from 1, not '$rounds'"
out="${out:-$root/artifacts/bench/$(date -u +%Y%m%d-%H%M%S)-$kind}"
mkdir -p "$out/logs" "$out/peer" || die "cannot create $out"
raw="$out/raw.jsonl"
: > "$raw"

# --- The machine (the same flag list and bf16 rule as the peer's run.sh and common.py) ---
flags=$(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2)
isa=$(for f in avx2 fma avx512f avx512_vnni avx512_bf16 amx_tile amx_bf16; do [[ " $flags " == *" $f "* ]] && echo "$f"; done | paste -sd' ')
if [[ " $flags " =~ \ (avx512_bf16|amx_bf16|amx_tile|amx_int8)\  ]]; then amps="none bf16"; bf16="yes (native bf16)"; else amps="none"; bf16="no (no avx512_bf16 or AMX: bf16 would be emulated)"; fi
{
  echo "**CPU:** $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') — $(nproc) logical CPUs — flags: ${isa:-none}"
  echo "**bf16 rows:** $bf16"
  echo "**Run:** $(date -u '+%Y-%m-%d %H:%M UTC'), $kind ($warmup warm-up + $steps timed steps, $threads threads$([ "$rounds" -gt 1 ] && echo ", $rounds rounds")), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench || echo ' + local changes')"
} > "$out/header.md"
sed 's/\*\*//g' "$out/header.md" >&2

# --- Set up the peer if needed ---
peer_blas_dir() { find "$(realpath -m "$cache")/openblas" -path '*/openblas-pthread/libblas.so.3' -printf '%h\n' 2>/dev/null | head -n1; }
if ! /usr/bin/python3 -c 'import torch, numpy, PIL' 2>/dev/null || [ -z "$(peer_blas_dir)" ]; then
  echo "bench-vs-peer: setting up the peer ($peer/setup.sh $cache; log $out/logs/peer-setup.log)" >&2
  "$peer/setup.sh" "$cache" > "$out/logs/peer-setup.log" 2>&1 || { tail -n 5 "$out/logs/peer-setup.log" >&2; die "peer setup failed"; }
fi

# --- Build ours ---
echo "bench-vs-peer: building bench/FastStyle.Bench (Release)" >&2
dotnet build "$root/bench/FastStyle.Bench" -c Release -nologo -v quiet > "$out/logs/build.log" 2>&1 \
  || { grep -E "error" "$out/logs/build.log" >&2; die "build failed (log: $out/logs/build.log)"; }
bench="$root/bench/FastStyle.Bench/bin/Release/net10.0/FastStyle.Bench.dll"

# The product's conditions: ./faststyle sets the same allocator variables for every command.
source "$root/scripts/native-memory.sh"
export OMP_NUM_THREADS=$threads

tag_of() {  # KIND SIZE AMP -> the peer's tag
  local precision=fp32; [ "$3" = bf16 ] && precision=bf16
  case "$1" in train) echo "train4x${2}_$precision" ;; *) echo "$1${2}_$precision" ;; esac
}

clean() {  # SIDE TAG: true if the round's best attempt so far exists and is not contaminated
  local busy; busy=$(python3 "$helper" busy "$raw" "$1" "$2" "$round")
  [ "$busy" != missing ] && python3 -c "import sys; sys.exit(0 if float('$busy') < 0.1 else 1)"
}

run_ours() {  # KIND SIZE AMP ATTEMPT
  local tag; tag=$(tag_of "$1" "$2" "$3")
  local args=(json "$1" --size "$2" --warmup "$warmup" --steps "$steps" --threads "$threads" --tag "$tag")
  case "$1" in
    train) args+=(--batch 4 --amp "$3" --vgg "$vgg" --data "$data" --style "$style") ;;
    infer) args+=(--content "$content") ;;
    gatys) args+=(--amp "$3" --vgg "$vgg" --content "$content" --style "$style") ;;
  esac
  local log="$out/logs/ours-$tag-r$round-a$4.log"
  echo "bench-vs-peer: ours $tag (round $((round + 1)), attempt $(($4 + 1)))" >&2
  echo "$tag round $round attempt $4: dotnet $bench ${args[*]}" >> "$out/commands.txt"
  dotnet "$bench" "${args[@]}" 2> "$log" | python3 "$helper" add "$raw" ours "$4" "$round"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "bench-vs-peer: ours $tag FAILED; last lines of $log:" >&2; tail -n 5 "$log" >&2; }
}

run_peer() {  # KIND SIZE ATTEMPT (the peer runs every precision of a training size together)
  local dir="$out/peer/$1$2-r$round-a$3" log="$out/logs/peer-$1$2-r$round-a$3.log"
  echo "bench-vs-peer: peer $1 $2 (round $((round + 1)), attempt $(($3 + 1)))" >&2
  "$peer/run.sh" --vgg "$vgg" --data "$data" --style "$style" --content "$content" --only "$1" --sizes "$2" \
      --warmup "$warmup" --steps "$steps" --cache "$cache" --out "$dir" 2> "$log" \
    | python3 "$helper" add "$raw" peer "$3" "$round"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "bench-vs-peer: peer $1 $2 FAILED; see $log" >&2; tail -n 5 "$log" >&2; }
  [ "$1" = gatys ] && [[ " $amps " == *" bf16 "* ]] && run_peer_gatys_bf16 "$2" "$3"
}

# The peer's run.sh times optimisation in fp32 only; its bench_gatys.py takes --amp bf16 (autocast), so
# the bf16 row runs that script directly, in the environment run.sh gives its scripts.
run_peer_gatys_bf16() {  # SIZE ATTEMPT
  local tag=gatys${1}_bf16 ob_lib log="$out/logs/peer-gatys${1}_bf16-r$round-a$2.log"
  ob_lib=$(peer_blas_dir)
  echo "bench-vs-peer: peer gatys $1 bf16 (round $((round + 1)), attempt $(($2 + 1)))" >&2
  OPENBLAS_NUM_THREADS=$threads PYTHONDONTWRITEBYTECODE=1 LD_LIBRARY_PATH="$ob_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    /usr/bin/python3 "$peer/bench_gatys.py" --threads "$threads" --warmup "$warmup" --steps "$steps" --tag "$tag" \
      --size "$1" --amp bf16 --vgg "$vgg" --content "$content" --style "$style" 2> "$log" \
    | python3 "$helper" add "$raw" peer "$2" "$round"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "bench-vs-peer: peer $tag FAILED; see $log" >&2; tail -n 5 "$log" >&2; }
}

selected() { [[ ",$only," == *",$1,"* ]]; }

peer_turn() {  # PARITY: inside run_size, runs the peer if it needs a run and this round puts it here
  [ "$redo_peer" = 1 ] && [ $((round % 2)) = "$1" ] || return 0
  [ "$attempt" = 0 ] || echo "bench-vs-peer: peer $k $size contaminated or failed, rerunning" >&2
  run_peer "$k" "$size" "$attempt"
}

run_size() {  # KIND SIZE: ours and the peer, rerunning contaminated sides (in this round)
  local k=$1 size=$2 group_amps=none attempt amp tag redo_peer done_all
  [ "$k" != infer ] && group_amps=$amps
  for ((attempt = 0; attempt <= retries; attempt++)); do
    redo_peer=0 done_all=1
    # Odd rounds time the peer first, so a drift within a round does not always favour one side.
    for amp in $group_amps; do clean peer "$(tag_of "$k" "$size" "$amp")" || redo_peer=1; done
    peer_turn 1
    for amp in $group_amps; do
      tag=$(tag_of "$k" "$size" "$amp")
      clean ours "$tag" || { [ $attempt = 0 ] || echo "bench-vs-peer: ours $tag contaminated or failed, rerunning" >&2; run_ours "$k" "$size" "$amp" "$attempt"; }
    done
    peer_turn 0
    for amp in $group_amps; do
      tag=$(tag_of "$k" "$size" "$amp")
      clean ours "$tag" && clean peer "$tag" || done_all=0
    done
    [ $done_all = 1 ] && break
  done
}

for ((round = 0; round < rounds; round++)); do
  for k in train infer gatys; do
    selected "$k" || continue
    sizes_var="${k}_sizes"
    for size in ${!sizes_var}; do run_size "$k" "$size"; done
  done
done
round=""  # the checks below look at every round

python3 "$helper" table "$raw" "$out/header.md" > "$out/table.md" || die "no table (see $raw)"
echo >&2
cat "$out/table.md"
echo >&2
echo "bench-vs-peer: raw JSON lines $raw; table $out/table.md" >&2
failed=""
for k in train infer gatys; do
  selected "$k" || continue
  sizes_var="${k}_sizes"
  group_amps=none; [ "$k" != infer ] && group_amps=$amps
  for size in ${!sizes_var}; do
    for amp in $group_amps; do
      tag=$(tag_of "$k" "$size" "$amp")
      for side in ours peer; do
        [ "$(python3 "$helper" busy "$raw" "$side" "$tag")" != missing ] || failed="$failed $side:$tag"
      done
    done
  done
done
[ -z "$failed" ] || { echo "bench-vs-peer: no result for$failed (see $out/logs)" >&2; exit 1; }
