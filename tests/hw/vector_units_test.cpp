// LGU, scale unit and SFU: lane/latency timing derived by hand and probed at
// T-1 and T; arithmetic == the scalar numerics functions, element by element.
#include <gtest/gtest.h>

#include <systemc>

#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "hw_models/log_grad_unit.hpp"
#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/fp4_channels.hpp"
#include "hw_models/numerics/hadamard.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pact.hpp"
#include "hw_models/scale_unit.hpp"
#include "hw_models/sfu.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/hw/sc_probe.hpp"

namespace nibble::hw {
namespace {

using test::probe_at;
using test::Thread;

const sc_core::sc_time kClock(1, sc_core::SC_NS);

// The LGU and scale unit most tests below derive their timing for.
LguParams lgu_16_lanes_latency_3() {
  LguParams p;
  p.lanes = 16;
  p.latency_cycles = 3;
  return p;
}
ScaleUnitParams scale_unit_16_lanes_latency_4() {
  ScaleUnitParams p;
  p.lanes = 16;
  p.latency_cycles = 4;
  return p;
}

std::vector<uint16_t> random_fp16(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, scale);
  std::vector<uint16_t> v(n);
  for (auto& x : v) x = num::fp32_to_fp16(g(rng));
  return v;
}

// 100 gradients, 16 lanes, latency 3: ceil(100/16) = 7 issue clocks + 2 = 9;
// with both TPR phases in one pass 9, else two passes 18.
TEST(LogGradUnit, QuantizesBothPhasesLikeNumericsInLaneTime) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    const LguParams p = lgu_16_lanes_latency_3();
    LogGradUnit lgu("lgu", p, kClock, true);
    LguParams two_pass = p;
    two_pass.both_phases_per_pass = false;
    LogGradUnit lgu2("lgu2", two_pass, kClock, false);
    const auto grads = random_fp16(100, 5, 0.01f);
    std::vector<uint8_t> even(100), odd(100);
    num::Fp4Counts counts;
    const int exp = -10;
    LguJob job{grads, exp, {}, 0, even, odd, &counts, nullptr, {}};
    uint64_t t2 = 0;
    Thread t("t", [&] { lgu.quantize(job); });
    Thread u("u", [&] {
      t2 = lgu2.quantize(LguJob{grads, exp, {}, 0, {}, {}, nullptr, nullptr, {}});
    });
    auto out = probe_at(kClock, {8, 9}, [&] { return lgu.completed(); });
    sc_core::sc_start();
    out.push_back(t2);
    uint64_t mismatches = 0;
    num::Fp4Counts ref_counts;
    for (size_t i = 0; i < grads.size(); ++i) {
      const float x = num::fp16_to_fp32(grads[i]);
      mismatches += even[i] != num::fp4_encode(x, num::fp4_grid_exp(exp, num::TprPhase::even), {},
                                               i, &ref_counts);
      mismatches += odd[i] != num::fp4_encode(x, num::fp4_grid_exp(exp, num::TprPhase::odd), {}, i);
    }
    out.push_back(mismatches);
    out.push_back(counts.saturated == ref_counts.saturated &&
                  counts.underflow == ref_counts.underflow && counts.total == ref_counts.total);
    out.push_back(lgu.counters().fp4_codes);
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{0, 1, 18, 0, 1, 200}));
}

// Per-channel GradScale of dW: the scale unit latches each channel's max in
// one statistics pass (ceil(100/16) + 4 - 1 = 10 clocks), and the channel
// copy takes the place of one TPR phase in the LGU's pass (9 clocks, as
// above). 4 x 25 gradients, channels = rows, each row a few octaves below
// the previous one; codes == the scalar encoder on each row's own grid.
// A third copy in one pass is an error.
TEST(LogGradUnit, ChannelCopyTakesOnePhasesPlace) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    LogGradUnit lgu("lgu", lgu_16_lanes_latency_3(), kClock, true);
    ScaleUnit su("su", scale_unit_16_lanes_latency_4(), kClock, true);
    std::vector<float> x(100);
    std::mt19937 rng(3);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = std::ldexp(g(rng), -8 - 3 * static_cast<int>(i / 25));
    std::vector<float> maxes(4);
    std::vector<int> grid(4);
    std::vector<uint8_t> even(100), chan(100), third(100);
    const int exp = -10;
    uint64_t t_stats = 0, t_lgu = 0, rejected = 0;
    Thread t("t", [&] {
      t_stats = su.channel_max_abs(x, 4, 25, num::ChannelAxis::rows, maxes);
      num::channel_gradscale_exps(maxes, num::kFp4MaxLog2, exp, grid);
      for (int& e : grid) e = num::fp4_grid_exp(e, num::TprPhase::odd);
      LguJob job{{}, exp, {}, 0, even, {}, nullptr, nullptr, x};
      job.channel_codes = chan;
      job.channel_grid_exp = grid;
      job.rows = 4;
      job.cols = 25;
      t_lgu = lgu.quantize(job);
      job.odd_codes = third;
      try {
        lgu.quantize(job);
      } catch (const InputError&) {
        rejected = 1;
      }
    });
    sc_core::sc_start();
    uint64_t mismatches = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      mismatches += even[i] != num::fp4_encode(x[i], exp, {}, i);
      mismatches += chan[i] != num::fp4_encode(x[i], grid[i / 25], {}, i);
    }
    const uint64_t distinct_grids = grid[0] != grid[1] && grid[1] != grid[2] && grid[2] != grid[3];
    return test::to_bytes(std::vector<uint64_t>{t_stats, t_lgu, mismatches, distinct_grids,
                                                rejected, lgu.counters().fp4_codes});
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{10, 9, 0, 1, 1, 200}));
}

// Block-scaled FP4: 3 x 40 = 120 elements, 16 lanes, latency 3: ceil(120/16)
// = 8 + 2 = 10 clocks; with the Hadamard stage + 4 = 14. Values == numerics'
// quantize_block_fp4 of the (transformed) tensor; scale pass 8 + 3 = 11.
TEST(LogGradUnit, BlockFp4EncoderAndHadamardStage) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    LogGradUnit lgu("lgu", lgu_16_lanes_latency_3(), kClock, true);
    ScaleUnit su("su", scale_unit_16_lanes_latency_4(), kClock, true);
    std::mt19937 rng(9);
    std::normal_distribution<float> g(0.0f, 0.02f);
    std::vector<float> x(120);
    for (auto& v : x) v = g(rng);
    const num::BlockFp4Config nv{.format = num::BlockFormat::nvfp4,
                                 .block_size = 16,
                                 .rounding = num::E2m1Rounding::stochastic,
                                 .seed = 3};
    const num::BlockFp4Config mx{.format = num::BlockFormat::mxfp4, .block_size = 32};
    num::BlockFp4Tensor with_rht, plain;
    const uint16_t mask = num::hadamard_sign_mask(7);
    uint64_t t_rht = 0, t_plain = 0, t_scales = 0;
    Thread t("t", [&] {
      t_scales = su.block_scales_pass(x.size());
      t_rht = lgu.quantize_block_fp4({x, 3, 40, nv, true, mask, 5, &with_rht});
      t_plain = lgu.quantize_block_fp4({x, 3, 40, mx, false, 0, 0, &plain});
    });
    auto out = probe_at(kClock, {24, 25}, [&] { return lgu.completed(); });
    sc_core::sc_start();
    std::vector<float> xt = x;
    for (size_t row = 0; row < 3; ++row)
      num::hadamard16_inplace(std::span<float>(xt).subspan(row * 40, 40), mask);
    const auto ref_rht = num::quantize_block_fp4(xt, 3, 40, nv, 5);
    const auto ref_plain = num::quantize_block_fp4(x, 3, 40, mx);
    out.push_back(t_scales);
    out.push_back(t_rht);
    out.push_back(t_plain);
    out.push_back(with_rht.codes == ref_rht.codes && with_rht.scale_codes == ref_rht.scale_codes &&
                  plain.codes == ref_plain.codes && plain.scale_codes == ref_plain.scale_codes);
    out.push_back(lgu.counters().e2m1_codes);
    out.push_back(lgu.counters().hadamard_elements);
    return test::to_bytes(out);
  }));
  // completed at 11 + 14 = 25 (the scale pass runs first: 11 clocks).
  EXPECT_EQ(r, (std::vector<uint64_t>{0, 1, 11, 14, 10, 1, 240, 120}));
}

// 1000 elements, 16 lanes, latency 4: ceil(1000/16) = 63 + 3 = 66 per pass;
// register update 2 clocks.
TEST(ScaleUnit, StatisticsRegisterAndQuantizeTimingAndValues) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    ScaleUnitParams p;
    p.lanes = 16;
    p.latency_cycles = 4;
    p.register_update_cycles = 2;
    ScaleUnit su("su", p, kClock, true);
    const auto w = random_fp16(1000, 6, 0.05f);
    num::TensorStats stats;
    std::vector<int8_t> wq(1000), aq(1000);
    const float step = 0.01f, alpha = 0.1f;
    Thread t("t", [&] {
      su.gather_stats(w, stats);     // 0 .. 66
      su.write_register(3, 0.125f);  // 66 .. 68
      su.quantize_weights(w, step, 7, wq);
      su.quantize_activations(w, alpha, num::PactConfig{}, aq);
    });
    // Probe value: completed operations, plus 100 once the register holds the new scale.
    std::vector<uint64_t> out = probe_at(kClock, {65, 66, 67, 68}, [&] {
      return su.completed() + (su.scale_register(3) == 0.125f ? 100 : 0);
    });
    sc_core::sc_start();
    out.push_back(su.counters().busy_cycles);  // 3 * 66 + 2
    std::vector<float> wf(w.size());
    for (size_t i = 0; i < w.size(); ++i) wf[i] = num::fp16_to_fp32(w[i]);
    const num::TensorStats ref = num::tensor_stats(wf);
    out.push_back(std::memcmp(&ref, &stats, sizeof ref) == 0);
    uint64_t mismatches = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      mismatches += wq[i] != num::quantize_int4(wf[i], step, 7);
      mismatches += aq[i] != num::pact_quantize(wf[i], alpha);
    }
    out.push_back(mismatches);
    return test::to_bytes(out);
  }));
  // stats done at 66 (not 65); the register update is done and visible at 68 (not 67).
  EXPECT_EQ(r, (std::vector<uint64_t>{0, 1, 1, 102, 3 * 66 + 2, 1, 0}));
}

// FP32 op with 4 operations per element on 10 elements, 16 lanes, latency 4:
// ceil(40/16) = 3 + 3 = 6. FP16 op, 1 per element, 40 elements, latency 2: 3 + 1 = 4.
TEST(Sfu, LaneTimingByHand) {
  const auto r = test::from_bytes<uint64_t>(test::run_in_child([] {
    SfuParams p;
    p.lanes = 16;
    p.fp16_latency_cycles = 2;
    p.fp32_latency_cycles = 4;
    Sfu sfu("sfu", p, kClock);
    Thread t("t", [&] { sfu.run(SfuOp{true, 4}, 10); });
    auto out = probe_at(kClock, {5, 6}, [&] { return sfu.completed(); });
    out.push_back(sfu.cycles(SfuOp{false, 1}, 40));
    out.push_back(sfu.counters().fp32_ops);
    return test::to_bytes(out);
  }));
  EXPECT_EQ(r, (std::vector<uint64_t>{0, 1, 4, 40}));
}

}  // namespace
}  // namespace nibble::hw
