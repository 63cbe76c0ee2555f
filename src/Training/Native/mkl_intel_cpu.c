/*
 * libtorch links Intel oneMKL, whose sgemm asks mkl_serv_intel_cpu_true() whether the CPU is an
 * Intel one and, if not, never uses its AVX-512 kernels: on an AMD EPYC Zen 5 a 2048^3 fp32 matmul
 * ran at 208 GFLOP/s, and at 452 GFLOP/s with this answer (issue 10). MKL still picks its kernels
 * from the CPU's feature bits, so the answer only lifts the vendor check.
 *
 * Loaded with RTLD_GLOBAL before libtorch (MklCpuDispatch.cs), this definition comes first in the
 * global symbol scope, so libtorch's call resolves here. Built at build time when a C compiler
 * exists (FastStyle.Training.csproj); without it, nothing changes.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
