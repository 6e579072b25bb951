// Bit-exact 4-bit GEMMs vs FP32 sgemm (OpenBLAS) on the same shapes, timed
// in the same run: prints MAC rates and the ratio (target >= 1.0).
// Plain timing main (best of several repetitions), not Google Benchmark, so
// the ratio is computed and printed directly.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "hw_models/numerics/gemm.hpp"

extern "C" {
enum CBLAS_ORDER_ { CblasRowMajor_ = 101 };
enum CBLAS_TRANSPOSE_ { CblasNoTrans_ = 111 };
void cblas_sgemm(int order, int transa, int transb, int m, int n, int k, float alpha,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
void openblas_set_num_threads(int) __attribute__((weak));
char* openblas_get_corename() __attribute__((weak));
}

namespace {

using namespace nibble::num;

template <class F>
double best_seconds(F&& f, double min_total = 0.6) {
  f();  // warm up (page faults, thread start)
  double best = 1e30, total = 0;
  int reps = 0;
  while (total < min_total || reps < 3) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    total += s;
    ++reps;
  }
  return best;
}

struct Shape {
  const char* name;
  int m, n, k;
};

void run(const Shape& s, int threads) {
  std::mt19937_64 rng(1);
  const auto mk = static_cast<std::size_t>(s.m) * s.k, kn = static_cast<std::size_t>(s.k) * s.n,
             mn = static_cast<std::size_t>(s.m) * s.n;
  std::vector<float> fa(mk), fb(kn), fc(mn);
  std::vector<int8_t> w(mk), x(kn);
  std::vector<uint8_t> g(mk);
  std::uniform_real_distribution<float> u(-1, 1);
  for (std::size_t i = 0; i < mk; ++i) {
    fa[i] = u(rng);
    w[i] = static_cast<int8_t>(static_cast<int>(rng() % 15) - 7);
    g[i] = static_cast<uint8_t>(rng() & 0xF);
  }
  for (std::size_t i = 0; i < kn; ++i) {
    fb[i] = u(rng);
    x[i] = static_cast<int8_t>(rng() % 16);
  }
  std::vector<uint16_t> c(mn);
  GemmConfig cfg{.threads = threads};
  if (openblas_set_num_threads) openblas_set_num_threads(threads);
  const double macs = double(s.m) * s.n * s.k;
  const double t_sgemm = best_seconds([&] {
    cblas_sgemm(CblasRowMajor_, CblasNoTrans_, CblasNoTrans_, s.m, s.n, s.k, 1.0f, fa.data(), s.k,
                fb.data(), s.n, 0.0f, fc.data(), s.n);
  });
  const double t_ii = best_seconds([&] {
    gemm_int4_int4(row_major(w.data(), s.m, s.k), row_major(x.data(), s.k, s.n), {0.01f, 0}, cfg,
                   c.data());
  });
  const double t_fi = best_seconds([&] {
    gemm_fp4_int4(row_major(g.data(), s.m, s.k), row_major(x.data(), s.k, s.n), {0.01f, -6}, cfg,
                  c.data());
  });
  std::printf(
      "%-22s %5dx%5dx%5d thr=%d  sgemm %7.1f GMAC/s | int4xint4 %7.1f GMAC/s ratio %5.2f | "
      "fp4xint4 %7.1f GMAC/s ratio %5.2f\n",
      s.name, s.m, s.n, s.k, threads, macs / t_sgemm * 1e-9, macs / t_ii * 1e-9, t_sgemm / t_ii,
      macs / t_fi * 1e-9, t_sgemm / t_fi);
}

}  // namespace

int main() {
  std::printf("integer kernel: %s\n", int_kernel_name(best_int_kernel()));
  if (openblas_get_corename) {
    std::printf("OpenBLAS sgemm core: %s\n", openblas_get_corename());
    // OpenBLAS 0.3.21 does not know Sapphire Rapids and falls back to its
    // SSE3 "Prescott" kernel: compare against the real AVX-512 one instead.
    if (std::string(openblas_get_corename()) == "Prescott")
      std::printf("  note: generic kernel; run with OPENBLAS_CORETYPE=SkylakeX for the AVX-512 sgemm baseline\n");
  }
  const Shape shapes[] = {
      {"square 256^3", 256, 256, 256},
      {"1024x1024x512", 1024, 1024, 512},
      // ResNet-50 conv3_x 3x3, 128->128 channels, 28x28 output, batch 4, as
      // GEMM: M = out channels, N = batch*28*28, K = 128*3*3.
      {"resnet conv3x3 (im2col)", 128, 4 * 28 * 28, 1152},
  };
  for (int threads : {1, 2})
    for (const auto& s : shapes) run(s, threads);
  return 0;
}
