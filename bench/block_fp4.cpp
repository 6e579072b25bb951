// Block-scaled FP4 (MXFP4, NVFP4) GEMMs and quantizers on training-sized
// shapes, timed in the same run as native baselines: OpenBLAS sgemm and the
// INT4 x INT4 kernel (ibm4's) on the same M x N x K; the quantizer against a
// plain float copy of the same data. Prints GMAC/s and the ratios. Plain
// timing main (best of interleaved repetitions), as bench/numerics.cpp, so
// the ratios are computed and printed directly. Run with OPENBLAS_CORETYPE
// set if OpenBLAS does not recognise the CPU (see bench/numerics.cpp).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench/interleaved_timing.hpp"
#include "bench/openblas.hpp"
#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/gemm.hpp"
#include "hw_models/numerics/hadamard.hpp"

namespace {

using namespace nibble::num;
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

template <std::size_t N>
std::array<double, N> best_seconds_interleaved(const std::array<std::function<void()>, N>& fs,
                                               double min_total = 1.5) {
  return nibble::bench::best_seconds_interleaved<N>(fs, min_total, 5);
}

struct Shape {
  const char* name;
  int m, n, k;
};

std::vector<float> random_floats(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

void gemm_shape(const Shape& s) {
  std::mt19937_64 rng(1);
  const auto mk = static_cast<std::size_t>(s.m) * s.k, nk = static_cast<std::size_t>(s.n) * s.k,
             mn = static_cast<std::size_t>(s.m) * s.n;
  const std::vector<float> fa = random_floats(rng, mk), fb = random_floats(rng, nk);
  const BlockFp4Config mx{}, nv{.format = BlockFormat::nvfp4, .block_size = 16};
  const BlockFp4Tensor ma = quantize_block_fp4(fa, s.m, s.k, mx),
                       mb = quantize_block_fp4(fb, s.n, s.k, mx);
  const BlockFp4Tensor na = quantize_block_fp4(fa, s.m, s.k, nv),
                       nb = quantize_block_fp4(fb, s.n, s.k, nv);
  std::vector<int8_t> ia(mk), ib(nk);
  for (auto& v : ia) v = static_cast<int8_t>(static_cast<int>(rng() % 15) - 7);
  for (auto& v : ib) v = static_cast<int8_t>(rng() % 16);
  std::vector<float> fc(mn);
  std::vector<uint16_t> c16(mn);
  const GemmConfig cfg{};
  const double macs = double(s.m) * s.n * s.k;
  const auto t = best_seconds_interleaved<4>({
      [&] {  // C = A * B^T, B stored N x K as the block operands
        cblas_sgemm(kRowMajor, kNoTrans, kTrans, s.m, s.n, s.k, 1.0f, fa.data(), s.k, fb.data(),
                    s.k, 0.0f, fc.data(), s.n);
      },
      [&] {
        gemm_int4_int4(row_major(ia.data(), s.m, s.k), row_major(ib.data(), s.n, s.k).transposed(),
                       {0.01f, 0}, cfg, c16.data());
      },
      [&] { gemm_block_fp4(ma, mb, nullptr, c16.data()); },
      [&] { gemm_block_fp4(na, nb, nullptr, c16.data()); },
  });
  const double sg = macs / t[0] * 1e-9, i4 = macs / t[1] * 1e-9, m4 = macs / t[2] * 1e-9,
               n4 = macs / t[3] * 1e-9;
  std::printf(
      "  %-26s sgemm %6.1f | int4 %6.1f (%4.2fx) | mxfp4 %6.1f (%4.2fx sgemm, %4.2fx int4) | "
      "nvfp4 %6.1f (%4.2fx sgemm, %4.2fx int4)\n",
      s.name, sg, i4, i4 / sg, m4, m4 / sg, m4 / i4, n4, n4 / sg, n4 / i4);
}

void reference_speedup() {
  // The scalar reference against the kernel on one mid-sized shape.
  std::mt19937_64 rng(2);
  const int m = 256, n = 64, k = 288;
  const auto fa = random_floats(rng, std::size_t(m) * k),
             fb = random_floats(rng, std::size_t(n) * k);
  const BlockFp4Config nv{.format = BlockFormat::nvfp4, .block_size = 16};
  const auto a = quantize_block_fp4(fa, m, k, nv), b = quantize_block_fp4(fb, n, k, nv);
  std::vector<uint16_t> c(std::size_t(m) * n);
  const auto t =
      best_seconds_interleaved<2>({
                                      [&] { gemm_block_fp4_ref(a, b, nullptr, c.data()); },
                                      [&] { gemm_block_fp4(a, b, nullptr, c.data()); },
                                  },
                                  0.5);
  const double macs = double(m) * n * k;
  std::printf("\nnvfp4 %dx%dx%d: scalar reference %.2f GMAC/s, kernel %.2f GMAC/s (%.0fx)\n", m, n,
              k, macs / t[0] * 1e-9, macs / t[1] * 1e-9, t[0] / t[1]);
}

void quantizer_bench() {
  // The CNN's conv2 im2col matrix (batch 64, 14x14, 32 channels x 3x3).
  std::mt19937_64 rng(3);
  const int rows = 64 * 14 * 14, cols = 288;
  const std::size_t n = std::size_t(rows) * cols;
  const std::vector<float> x = random_floats(rng, n);
  std::vector<float> copy(n);
  const BlockFp4Config mx{}, nv{.format = BlockFormat::nvfp4, .block_size = 16},
      nv_sr{.format = BlockFormat::nvfp4, .block_size = 16, .rounding = E2m1Rounding::stochastic};
  const auto t = best_seconds_interleaved<5>({
      [&] { std::copy(x.begin(), x.end(), copy.begin()); },
      [&] { (void)quantize_block_fp4(x, rows, cols, mx); },
      [&] { (void)quantize_block_fp4(x, rows, cols, nv); },
      [&] { (void)quantize_block_fp4(x, rows, cols, nv_sr); },
      [&] { (void)quantize_block_fp4_rht(x, rows, cols, nv, true, kTeWgradSignMask); },
  });
  std::printf("\nQuantizers, %dx%d fp32 (Gelem/s; ratio to the float copy)\n", rows, cols);
  const char* names[] = {"float copy", "mxfp4 nearest", "nvfp4 nearest", "nvfp4 stochastic",
                         "nvfp4 Hadamard + nearest"};
  for (int i = 0; i < 5; ++i)
    std::printf("  %-26s %6.3f Gelem/s (%.3fx)\n", names[i], double(n) / t[i] * 1e-9, t[0] / t[i]);
}

}  // namespace

// Usage: bench_block_fp4 [gemm|quant]  (default: both)
int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  if (openblas_get_corename) std::printf("OpenBLAS sgemm core: %s\n", openblas_get_corename());
  std::printf("block fp4 kernel supported: avx512vnni %d, avx2 %d\n",
              block_fp4_kernel_supported(IntKernel::avx512vnni),
              block_fp4_kernel_supported(IntKernel::avx2));
  if (only != "quant") {
    // The CNN's block-format GEMMs at batch 64 (conv2: 32 -> 64 channels on
    // 14x14; fc1: 3136 -> 128), C = A * B^T with both blocked along K.
    const Shape shapes[] = {
        {"conv2 forward", 64 * 14 * 14, 64, 288},
        {"conv2 dX", 64 * 14 * 14, 288, 64},
        {"conv2 dW", 64, 288, 64 * 14 * 14},
        {"fc1 forward", 64, 128, 3136},
        {"fc1 dX", 64, 3136, 128},
    };
    std::printf("\nGEMMs, 1 thread (GMAC/s; ratios to OpenBLAS sgemm and to INT4 x INT4)\n");
    for (const auto& s : shapes) gemm_shape(s);
    reference_speedup();
  }
  if (only != "gemm") quantizer_bench();
  return 0;
}
