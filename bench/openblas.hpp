#pragma once
// The few OpenBLAS entry points the benchmarks use as their native baseline,
// declared here once (Debian's libopenblas has no C header on every setup);
// the weak ones are absent on other BLAS builds and checked before use.
extern "C" {
void cblas_sgemm(int order, int transa, int transb, int m, int n, int k, float alpha,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
void openblas_set_num_threads(int) __attribute__((weak));
char* openblas_get_corename() __attribute__((weak));
}
