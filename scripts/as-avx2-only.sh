#!/usr/bin/env bash
# Runs a command as if on an x86 CPU with AVX2 but no AVX-512, AVX512-BF16 or AMX (issue 10: the common
# laptop and cloud case, where bf16 is emulated), on a machine that has them:
# - /proc/cpuinfo, which `precision: auto` and the MKL loader read, is replaced (in a private mount namespace)
#   by a copy without the avx512*, amx* and avx_vnni flags;
# - oneDNN, ATen's vectorised kernels, MKL and OpenBLAS (the PyTorch peer's) are capped at AVX2 through their own
#   environment variables. ONNX Runtime has no such switch: its kernels still use AVX-512 where the CPU has it.
# The instruction set is then an AVX2-only CPU's; clock, caches and core count stay this machine's, so times
# are indicative only. Needs root (or CAP_SYS_ADMIN) for unshare --mount.
#
#   scripts/as-avx2-only.sh ./faststyle train configs/starry_night.yaml --max-steps 20 --set image_size=128
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: scripts/as-avx2-only.sh COMMAND [ARGS...]" >&2; exit 2; }
grep -qw avx2 /proc/cpuinfo || { echo "as-avx2-only.sh: this CPU has no avx2 to keep" >&2; exit 1; }
fake="$(mktemp)"
trap 'rm -f "$fake"' EXIT
sed -E 's/ (avx512[a-z0-9_]*|amx[a-z0-9_]*|avx_vnni)\b//g' /proc/cpuinfo > "$fake"
export DNNL_MAX_CPU_ISA=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 OPENBLAS_CORETYPE=Haswell
unshare --mount bash -c 'mount --bind "$0" /proc/cpuinfo && shift && exec "$@"' "$fake" "$0" "$@"
