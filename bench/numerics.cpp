// Bit-exact 4-bit GEMMs vs FP32 sgemm (OpenBLAS) on the same shapes, timed
// in the same run: prints MAC rates, the ratio (target >= 1.0) and a
// PASS/FAIL line per shape; then the bulk quantizers' throughput against a
// plain float copy and an fp32 multiply-add pass over the same data.
// Plain timing main (best of several repetitions), not Google Benchmark, so
// the ratios are computed and printed directly.
//
// OpenBLAS 0.3.21 does not recognise this CPU (Sapphire Rapids) and falls
// back to its SSE3 "Prescott" sgemm, a baseline far too weak. OpenBLAS reads
// OPENBLAS_CORETYPE when the library is loaded, so setenv() in main is too
// late: if the user did not set it and the core is Prescott on an AVX-512
// CPU, the benchmark re-executes itself with OPENBLAS_CORETYPE=SkylakeX.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench/interleaved_timing.hpp"
#include "bench/openblas.hpp"
#include "hw_models/numerics/gemm.hpp"
#include "hw_models/numerics/gemm_ref.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"

extern "C" {
enum CBLAS_ORDER_ { CblasRowMajor_ = 101 };
enum CBLAS_TRANSPOSE_ { CblasNoTrans_ = 111 };
}

namespace {

using namespace nibble::num;

template <class F>
double best_seconds(F&& f, double min_total = 0.4) {
  f();  // warm up (page faults, thread start)
  double best = 1e30, total = 0;
  int reps = 0;
  while (total < min_total || reps < 5) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    total += s;
    ++reps;
  }
  return best;
}

template <std::size_t N>
std::array<double, N> best_seconds_interleaved(const std::array<std::function<void()>, N>& fs) {
  return nibble::bench::best_seconds_interleaved<N>(fs, 2.0, 7);
}

struct Shape {
  const char* name;
  int m, n, k;
};

struct Result {
  const Shape* shape;
  int threads;
  double sgemm, ii, fi, if4;  // GMAC/s
};

Result run(const Shape& s, int threads) {
  std::mt19937_64 rng(1);
  const auto mk = static_cast<std::size_t>(s.m) * s.k, kn = static_cast<std::size_t>(s.k) * s.n,
             mn = static_cast<std::size_t>(s.m) * s.n;
  std::vector<float> fa(mk), fb(kn), fc(mn);
  std::vector<int8_t> w(mk), x(kn);
  std::vector<uint8_t> g(mk), g2(kn);
  std::uniform_real_distribution<float> u(-1, 1);
  for (std::size_t i = 0; i < mk; ++i) {
    fa[i] = u(rng);
    w[i] = static_cast<int8_t>(static_cast<int>(rng() % 15) - 7);
    g[i] = static_cast<uint8_t>(rng() & 0xF);
  }
  for (std::size_t i = 0; i < kn; ++i) {
    fb[i] = u(rng);
    x[i] = static_cast<int8_t>(rng() % 16);
    g2[i] = static_cast<uint8_t>(rng() & 0xF);
  }
  std::vector<uint16_t> c(mn);
  GemmConfig cfg{.threads = threads};
  if (openblas_set_num_threads) openblas_set_num_threads(threads);
  const double macs = double(s.m) * s.n * s.k;
  const auto t = best_seconds_interleaved<4>({
      [&] {
        cblas_sgemm(CblasRowMajor_, CblasNoTrans_, CblasNoTrans_, s.m, s.n, s.k, 1.0f, fa.data(),
                    s.k, fb.data(), s.n, 0.0f, fc.data(), s.n);
      },
      [&] {
        gemm_int4_int4(row_major(w.data(), s.m, s.k), row_major(x.data(), s.k, s.n), {0.01f, 0},
                       cfg, c.data());
      },
      // dX = dY * W shape: FP4 (A) x INT4 (B).
      [&] {
        gemm_fp4_int4(row_major(g.data(), s.m, s.k), row_major(x.data(), s.k, s.n), {0.01f, -6},
                      cfg, c.data());
      },
      // INT4 (A) x FP4 (B).
      [&] {
        gemm_int4_fp4(row_major(w.data(), s.m, s.k), row_major(g2.data(), s.k, s.n), {0.01f, -6},
                      cfg, c.data());
      },
  });
  const double t_sgemm = t[0], t_ii = t[1], t_fi = t[2], t_if = t[3];
  const Result r{&s,
                 threads,
                 macs / t_sgemm * 1e-9,
                 macs / t_ii * 1e-9,
                 macs / t_fi * 1e-9,
                 macs / t_if * 1e-9};
  std::printf(
      "  %-24s thr=%d  sgemm %6.1f | int4xint4 %6.1f (%4.2fx) | fp4xint4 %6.1f (%4.2fx) | "
      "int4xfp4 %6.1f (%4.2fx) GMAC/s\n",
      s.name, threads, r.sgemm, r.ii, r.ii / r.sgemm, r.fi, r.fi / r.sgemm, r.if4, r.if4 / r.sgemm);
  std::fflush(stdout);
  return r;
}

// Bulk quantizer throughput (elements/s) on n floats, against a plain copy
// and an fp32 multiply-add pass (y = a*x + b) over the same data.
void quantizer_bench() {
  const std::size_t n = std::size_t{1} << 20;  // 4 MB in, fits L2/L3 like a layer's tensor
  std::mt19937_64 rng(3);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(n), y(n);
  for (auto& v : x) v = d(rng);
  std::vector<int8_t> c8(n);
  std::vector<uint8_t> u8(n);
  std::vector<uint16_t> h(n);
  const auto rate = [&](double s) { return double(n) / s * 1e-9; };
  const double copy =
      rate(best_seconds([&] { std::memcpy(y.data(), x.data(), n * sizeof(float)); }, 0.2));
  const double fma = rate(best_seconds(
      [&] {
        float* __restrict__ py = y.data();
        const float* __restrict__ px = x.data();
        for (std::size_t i = 0; i < n; ++i) py[i] = 1.0001f * px[i] + 0.5f;
      },
      0.2));
  std::printf(
      "\nBulk quantizers, %zu elements (Gelem/s; ratio to the float copy / to fp32 a*x+b)\n", n);
  std::printf("  %-38s %7.3f\n", "baseline: float copy (memcpy)", copy);
  std::printf("  %-38s %7.3f\n", "baseline: fp32 y = a*x + b", fma);
  const auto row = [&](const char* name, auto&& f) {
    const double r = rate(best_seconds(f, 0.2));
    std::printf("  %-38s %7.3f   %5.3fx copy  %5.3fx fma\n", name, r, r / copy, r / fma);
  };
  row("quantize_int4_bulk", [&] { quantize_int4_bulk(x, 0.37f, 7, c8); });
  row("pact_quantize_bulk (uint4)", [&] { pact_quantize_bulk(x, 2.5f, {}, c8); });
  Fp4Counts counts;
  const Fp4Config near{}, sr{.rounding = Rounding::stochastic, .seed = 7};
  row("fp4_quantize_bulk nearest", [&] { fp4_quantize_bulk(x, -3, near, 0, u8, &counts); });
  row("fp4_quantize_bulk stochastic", [&] { fp4_quantize_bulk(x, -3, sr, 0, u8, &counts); });
  detail::fp4_bulk_isa_override = detail::Fp4BulkIsa::portable;
  row("  (scalar fp4 nearest, reference)", [&] { fp4_quantize_bulk(x, -3, near, 0, u8, &counts); });
  row("  (scalar fp4 stochastic, reference)",
      [&] { fp4_quantize_bulk(x, -3, sr, 0, u8, &counts); });
  detail::fp4_bulk_isa_override = detail::Fp4BulkIsa::best;
  row("fp32_to_fp16_bulk", [&] { fp32_to_fp16_bulk(x, h); });
  row("dequantize_int4_bulk", [&] { dequantize_int4_bulk(c8, 0.37f, y); });
  row("fp4_dequantize_bulk", [&] { fp4_dequantize_bulk(u8, -3, y); });
}

// Re-exec with OPENBLAS_CORETYPE=SkylakeX when OpenBLAS fell back to its
// generic core on an AVX-512 CPU and the user did not choose a core.
void maybe_reexec(char** argv) {
  if (!openblas_get_corename || std::getenv("OPENBLAS_CORETYPE")) return;
  if (std::string(openblas_get_corename()) != "Prescott") return;
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) return;
  std::printf(
      "OpenBLAS picked its generic Prescott core: re-running with OPENBLAS_CORETYPE=SkylakeX\n");
  std::fflush(stdout);
  setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  execv("/proc/self/exe", argv);
  std::perror("bench_numerics: re-exec failed, continuing with the generic sgemm");
}

}  // namespace

// Usage: bench_numerics [gemm|quant]  (default: both)
int main(int argc, char** argv) {
  maybe_reexec(argv);
  const std::string only = argc > 1 ? argv[1] : "";
  if (only == "quant") {
    quantizer_bench();
    return 0;
  }
  std::printf("integer kernel: %s\n", int_kernel_name(best_int_kernel()));
  if (openblas_get_corename) std::printf("OpenBLAS sgemm core: %s\n", openblas_get_corename());
  const Shape shapes[] = {
      {"square 256^3", 256, 256, 256},
      {"1024x1024x512", 1024, 1024, 512},
      // ResNet-50 conv3_x 3x3, 128->128 channels, 28x28 output, batch 4, as
      // GEMM: M = out channels, N = batch*28*28, K = 128*3*3.
      {"resnet conv3x3 (im2col)", 128, 4 * 28 * 28, 1152},
  };
  std::printf("\nGEMMs (GMAC/s, ratio to sgemm in parentheses)\n");
  std::vector<Result> results;
  for (int threads : {1, 2})
    for (const auto& s : shapes) results.push_back(run(s, threads));

  {  // fp16_chunked mode (study mode, vectorised but sequential FP16 adds): informational
    const int d = 256;
    std::vector<uint8_t> g(static_cast<std::size_t>(d) * d);
    std::vector<int8_t> xi(g.size());
    std::mt19937_64 rng(9);
    for (std::size_t i = 0; i < g.size(); ++i) {
      g[i] = static_cast<uint8_t>(rng() & 0xF);
      xi[i] = static_cast<int8_t>(rng() % 16);
    }
    std::vector<uint16_t> c(g.size());
    const GemmConfig cfg{.mode = AccumMode::fp16_chunked, .chunk = 64};
    const double t = best_seconds(
        [&] {
          gemm_fp4_int4(row_major(g.data(), d, d), row_major(xi.data(), d, d), {0.01f, -6}, cfg,
                        c.data());
        },
        0.3);
    const double t_ref = best_seconds(
        [&] {
          ref::gemm_fp4_int4(row_major(g.data(), d, d), row_major(xi.data(), d, d), {0.01f, -6},
                             cfg, c.data());
        },
        0.3);
    std::printf(
        "\nfp16_chunked FP4xINT4 256^3, chunk 64: %.2f GMAC/s (scalar reference %.3f GMAC/s)\n",
        double(d) * d * d / t * 1e-9, double(d) * d * d / t_ref * 1e-9);
  }
  if (only != "gemm") quantizer_bench();

  std::printf("\nSummary: 4-bit GEMM MAC rate / FP32 sgemm MAC rate (target >= 1.00)\n");
  std::printf("  %-24s %4s %9s %9s %9s  %s\n", "shape", "thr", "int4xint4", "fp4xint4", "int4xfp4",
              "verdict");
  bool all = true;
  for (const auto& r : results) {
    const double worst = std::min({r.ii, r.fi, r.if4}) / r.sgemm;
    const bool pass = worst >= 1.0;
    all = all && pass;
    std::printf("  %-24s %4d %9.2f %9.2f %9.2f  %s (min %.2f)\n", r.shape->name, r.threads,
                r.ii / r.sgemm, r.fi / r.sgemm, r.if4 / r.sgemm, pass ? "PASS" : "FAIL", worst);
  }
  std::printf("%s: every 4-bit GEMM >= 1.0x sgemm on every shape and thread count\n",
              all ? "PASS" : "FAIL");
  return 0;  // a benchmark, not a test: noisy shared machines must not fail builds
}
