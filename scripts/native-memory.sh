# Sourced by ./faststyle and the benchmark scripts: how glibc's allocator serves libtorch's tensors.
# - Big tensors go back to the OS on every free by default (mmap threshold 128 KiB); keeping them
#   cached made 4x256 training steps 1.2-3x faster (issue 3). 32 MiB is glibc's largest threshold.
# - Larger ones (a 512 px image's 64-channel activations are 64 MiB) are still mapped afresh for each
#   tensor, and filling 4 KiB pages one fault at a time cost as much as the arithmetic: with
#   transparent huge pages requested for malloc's memory (glibc >= 2.35; ignored by older ones and
#   where THP is "never") a conv1_2-sized Winograd layer at 512 px, forward and data gradient, went
#   490 -> 308 ms and oneDNN's direct one 451 -> 361 ms (AMD EPYC Zen 3, THP "madvise").
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-4294967296}"
case "${GLIBC_TUNABLES:-}" in
  *glibc.malloc.hugetlb=*) ;;
  "") export GLIBC_TUNABLES="glibc.malloc.hugetlb=1" ;;
  *) export GLIBC_TUNABLES="$GLIBC_TUNABLES:glibc.malloc.hugetlb=1" ;;
esac
