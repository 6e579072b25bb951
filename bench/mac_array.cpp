// MPE array models, timed in one run against a native baseline:
//   DETAILED: PE-cycles simulated per second on a 16x16 array (target >= 2e7);
//   FAST:     simulated MACs per second / OpenBLAS sgemm MACs per second on
//             the same GEMM shape (target >= 0.5);
//   TIMING:   wall time for ResNet-50's forward convolutions (batch 32,
//             im2col GEMMs, INT4) on a 128x128 array (target < 1 s).
// Plain timing main (best of several repetitions). SystemC allows one
// simulation per process, so everything runs inside one elaboration: a
// driver thread issues the GEMMs and measures wall time around each run().
#include <systemc>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "hw_models/mac_array.hpp"

extern "C" {
void cblas_sgemm(int order, int transa, int transb, int m, int n, int k, float alpha,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
}

namespace {

using namespace nibble;
using namespace nibble::hw;
constexpr int kCblasRowMajor = 101, kCblasNoTrans = 111;

double best_seconds(const std::function<void()>& f, int reps = 3) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

struct Bench : sc_core::sc_module {
  SC_HAS_PROCESS(Bench);
  explicit Bench(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    MacArrayParams p;
    p.rows = p.cols = 16;
    detailed = make_mac_array(FidelityMode::detailed, "detailed16", p, clk);
    fast = make_mac_array(FidelityMode::fast, "fast16", p, clk);
    MacArrayParams big = p;
    big.rows = big.cols = 128;
    timing = make_mac_array(FidelityMode::timing, "timing128", big, clk);
    SC_THREAD(drive);
  }

  static std::vector<OperandCode> int4_codes(size_t n, uint32_t seed, bool is_unsigned) {
    std::mt19937 rng(seed);
    std::vector<OperandCode> v(n);
    for (auto& x : v)
      x = int4_operand(static_cast<int8_t>(is_unsigned ? rng() % 16 : int(rng() % 15) - 7));
    return v;
  }

  void drive() {
    // DETAILED: WS int4_int4 on 16x16, M=1024 streamed rows, N=64, K=256.
    {
      const GemmShape s{1024, 64, 256};
      const auto a = int4_codes(size_t{s.m} * s.k, 1, true),
                 b = int4_codes(size_t{s.k} * s.n, 2, false);
      GemmOutput out;
      const double sec = best_seconds([&] { detailed->run(GemmJob{{}, s, a, b}, out); }, 2);
      const double pe_cycles = double(out.cycles) * 16 * 16;
      std::printf(
          "detailed 16x16 WS int4 %ux%ux%u: %llu cycles, %.3f s, %.3g PE-cycles/s (target 2e7: "
          "ratio %.2f)\n",
          s.m, s.n, s.k, static_cast<unsigned long long>(out.cycles), sec, pe_cycles / sec,
          pe_cycles / sec / 2e7);
    }
    // FAST vs sgemm, 512^3.
    {
      const GemmShape s{512, 512, 512};
      const auto a = int4_codes(size_t{s.m} * s.k, 3, true),
                 b = int4_codes(size_t{s.k} * s.n, 4, false);
      std::vector<float> fa(a.size()), fb(b.size()), fc(size_t{s.m} * s.n);
      for (size_t i = 0; i < a.size(); ++i) fa[i] = float(int8_t(a[i] & 0xFF));
      for (size_t i = 0; i < b.size(); ++i) fb[i] = float(int8_t(b[i] & 0xFF));
      GemmOutput out;
      const double macs = double(s.m) * s.n * s.k;
      const double t_fast = best_seconds([&] { fast->run(GemmJob{{}, s, a, b}, out); });
      const double t_blas = best_seconds([&] {
        cblas_sgemm(kCblasRowMajor, kCblasNoTrans, kCblasNoTrans, int(s.m), int(s.n), int(s.k),
                    1.0f, fa.data(), int(s.k), fb.data(), int(s.n), 0.0f, fc.data(), int(s.n));
      });
      std::printf("fast int4 %ux%ux%u: %.3g MAC/s; sgemm %.3g MAC/s; ratio %.2f (target >= 0.5)\n",
                  s.m, s.n, s.k, macs / t_fast, macs / t_blas, t_blas / t_fast);
    }
    // TIMING: ResNet-50 forward convolutions on 128x128.
    {
      const auto convs = resnet50_forward(32);
      uint64_t cycles = 0;
      double macs = 0;
      GemmOutput out;
      const double sec = best_seconds([&] {
        cycles = 0;
        macs = 0;
        for (const GemmShape& s : convs) {
          timing->run(GemmJob{{}, s, {}, {}}, out);
          cycles += out.cycles;
          macs += double(s.m) * s.n * s.k;
        }
      });
      std::printf(
          "timing 128x128 ResNet-50 forward (%zu convs, batch 32, int4): %llu cycles, utilisation "
          "%.2f, "
          "%.3g s wall (target < 1 s: ratio %.3g)\n",
          convs.size(), static_cast<unsigned long long>(cycles),
          macs / (double(cycles) * 128 * 128 * 4), sec, sec / 1.0);
    }
  }

  // ResNet-50 forward convolutions as im2col GEMMs: M = batch * output
  // pixels, N = output channels, K = input channels * kernel area.
  static std::vector<GemmShape> resnet50_forward(uint32_t batch) {
    std::vector<GemmShape> g;
    auto conv = [&](uint32_t out_hw, uint32_t cin, uint32_t cout, uint32_t kernel) {
      g.push_back({batch * out_hw * out_hw, cout, cin * kernel * kernel});
    };
    conv(112, 3, 64, 7);
    const uint32_t blocks[4] = {3, 4, 6, 3}, mid[4] = {64, 128, 256, 512}, hw[4] = {56, 28, 14, 7};
    uint32_t cin = 64;
    for (int s = 0; s < 4; ++s)
      for (uint32_t b = 0; b < blocks[s]; ++b) {
        conv(hw[s], cin, mid[s], 1);
        conv(hw[s], mid[s], mid[s], 3);
        conv(hw[s], mid[s], 4 * mid[s], 1);
        if (b == 0) conv(hw[s], cin, 4 * mid[s], 1);  // projection shortcut
        cin = 4 * mid[s];
      }
    return g;
  }

  sc_core::sc_time clk{1, sc_core::SC_NS};
  std::unique_ptr<MacArray> detailed, fast, timing;
};

}  // namespace

int main() {
  Bench bench("bench");
  sc_core::sc_start();
  return 0;
}
