// MPE array: DETAILED (cycles emerge from moving data through the PE grid)
// against FAST/TIMING (cycles from the formulas of docs/microarch.md), and
// both against the scalar numerics reference GEMMs (numerics/gemm_ref.hpp),
// bit for bit: accumulator words, FP16 outputs and saturation counts.
#include <gtest/gtest.h>

#include <systemc>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hw_models/mac_array.hpp"
#include "hw_models/mac_array_timing.hpp"
#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/gemm_ref.hpp"
#include "tests/hw/sc_child.hpp"

namespace nibble::hw {
namespace {

using test::Bytes;

const sc_core::sc_time kClock(1, sc_core::SC_NS);

struct GemmCase {
  uint32_t dataflow, rows, cols, depth, setup, precision, macs_per_pe, accumulator_bits;
  uint32_t m, n, k;
  uint32_t seed;

  MacArrayParams params() const {
    MacArrayParams p;
    p.rows = rows;
    p.cols = cols;
    p.dataflow = static_cast<Dataflow>(dataflow);
    p.pe_pipeline_depth = depth;
    p.fold_setup_cycles = setup;
    p.accumulator_bits = accumulator_bits;
    p.macs_per_cycle_per_pe = {};
    switch (static_cast<Precision>(precision)) {
      case Precision::int4_int4:
        p.macs_per_cycle_per_pe.int4_int4 = macs_per_pe;
        break;
      case Precision::int4_fp4:
        p.macs_per_cycle_per_pe.int4_fp4 = macs_per_pe;
        break;
      case Precision::hfp8:
        p.macs_per_cycle_per_pe.hfp8 = macs_per_pe;
        break;
      case Precision::fp16:
        p.macs_per_cycle_per_pe.fp16 = macs_per_pe;
        break;
      case Precision::mxfp4:
        p.macs_per_cycle_per_pe.mxfp4 = macs_per_pe;
        break;
      case Precision::nvfp4:
        p.macs_per_cycle_per_pe.nvfp4 = macs_per_pe;
        break;
    }
    return p;
  }
  Precision prec() const { return static_cast<Precision>(precision); }
  std::string describe() const {
    static const char* df[] = {"ws", "os", "is"};
    static const char* pr[] = {"int4_int4", "int4_fp4", "hfp8", "fp16", "mxfp4", "nvfp4"};
    std::ostringstream o;
    o << df[dataflow] << " " << rows << "x" << cols << " depth " << depth << " setup " << setup
      << " " << pr[precision] << " k=" << macs_per_pe << " acc" << accumulator_bits << " GEMM " << m
      << "x" << n << "x" << k;
    return o.str();
  }
};

// Operands of one case: the codes the array sees, plus the same values in
// the types the numerics reference GEMMs take.
struct Operands {
  MacFormat format;
  num::BlockFp4Tensor a_blocks, b_blocks;  // block-scaled modes: A (M x K), B^T (N x K)
  std::vector<OperandCode> a, b;
  std::vector<int8_t> a_int, b_int;
  std::vector<uint8_t> a_u8, b_u8;
  std::vector<uint16_t> a_u16, b_u16;
};

uint8_t random_finite_code(std::mt19937& rng, const num::FloatFormat& f) {
  std::uniform_int_distribution<uint32_t> code(0, f.code_count() - 1);
  for (;;) {
    const uint32_t c = code(rng);
    if (std::isfinite(num::decode_float(f, c))) return static_cast<uint8_t>(c);
  }
}

Operands make_operands(const GemmCase& c) {
  std::mt19937 rng(c.seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Operands o;
  o.format.precision = c.prec();
  const uint64_t na = uint64_t{c.m} * c.k, nb = uint64_t{c.k} * c.n;
  o.a.resize(na);
  o.b.resize(nb);
  // One zero in six, so zero gating is exercised.
  auto zero = [&] { return pick(0, 5) == 0; };
  switch (c.prec()) {
    case Precision::int4_int4:
    case Precision::int4_fp4: {
      const bool fp4_in_a = c.prec() == Precision::int4_fp4 && (c.seed & 1);
      const bool fp4_in_b = c.prec() == Precision::int4_fp4 && !fp4_in_a;
      o.format.fp4_operand = fp4_in_a ? Fp4Operand::a : Fp4Operand::b;
      const bool unsigned_acts = c.seed & 2;  // UINT4 activations 0..15 or INT4 -8..7
      auto int4 = [&](bool uns) {
        return static_cast<int8_t>(zero() ? 0 : uns ? pick(0, 15) : pick(-8, 7));
      };
      auto fp4 = [&] { return static_cast<uint8_t>(zero() ? 0 : pick(0, 15)); };
      if (fp4_in_a)
        o.a_u8.resize(na);
      else
        o.a_int.resize(na);
      if (fp4_in_b)
        o.b_u8.resize(nb);
      else
        o.b_int.resize(nb);
      for (uint64_t i = 0; i < na; ++i) {
        if (fp4_in_a)
          o.a[i] = o.a_u8[i] = fp4();
        else
          o.a[i] = int4_operand(o.a_int[i] = int4(false));
      }
      for (uint64_t i = 0; i < nb; ++i) {
        if (fp4_in_b)
          o.b[i] = o.b_u8[i] = fp4();
        else
          o.b[i] = int4_operand(o.b_int[i] = int4(unsigned_acts));
      }
      o.format.output_scale = {
          0.0371f, c.prec() == Precision::int4_fp4 ? num::kFp4FixedExp2 + pick(-3, 3) : 0};
      break;
    }
    case Precision::hfp8: {
      o.format.hfp8_a = num::kHfp8Fwd143;
      o.format.hfp8_b =
          (c.seed & 1) ? num::kHfp8Bwd152 : num::kHfp8Fwd143;  // backward: gradients 1-5-2
      o.a_u8.resize(na);
      o.b_u8.resize(nb);
      for (uint64_t i = 0; i < na; ++i)
        o.a[i] = o.a_u8[i] = zero() ? 0 : random_finite_code(rng, o.format.hfp8_a);
      for (uint64_t i = 0; i < nb; ++i)
        o.b[i] = o.b_u8[i] = zero() ? 0 : random_finite_code(rng, o.format.hfp8_b);
      o.format.output_scale = {0.75f, 0};
      break;
    }
    case Precision::fp16: {
      auto fp16 = [&] {  // finite, exponents kept where products and sums stay finite
        if (zero()) return uint16_t{0};
        return static_cast<uint16_t>((pick(0, 1) << 15) | (pick(0, 22) << 10) | pick(0, 1023));
      };
      o.a_u16.resize(na);
      o.b_u16.resize(nb);
      for (uint64_t i = 0; i < na; ++i) o.a[i] = o.a_u16[i] = fp16();
      for (uint64_t i = 0; i < nb; ++i) o.b[i] = o.b_u16[i] = fp16();
      o.format.output_scale = {1.0f, 0};
      break;
    }
    case Precision::mxfp4:
    case Precision::nvfp4: {
      // Real data through numerics' quantizer (block 16 or 32, 1-D or 2-D
      // tiles, nearest or stochastic), then packed as the scale unit writes
      // it: E2M1 code, the block's scale code, the block-end flag.
      const bool mx = c.prec() == Precision::mxfp4;
      num::BlockFp4Config q;
      q.format = mx ? num::BlockFormat::mxfp4 : num::BlockFormat::nvfp4;
      q.block_size = (c.seed & 4) ? 16 : 32;
      q.tiles_2d = q.block_size == 16 && (c.seed & 8);
      q.scale_rounding = static_cast<num::ScaleRounding>((c.seed >> 4) % 3);
      q.rounding = (c.seed & 128) ? num::E2m1Rounding::stochastic : num::E2m1Rounding::nearest_even;
      q.seed = c.seed;
      std::normal_distribution<float> gauss(0.0f, 1.0f);
      const float range = std::ldexp(1.0f, pick(-20, 20));
      auto data = [&](uint64_t n) {
        std::vector<float> v(n);
        for (auto& x : v) x = zero() ? 0.0f : gauss(rng) * range * std::ldexp(1.0f, pick(-6, 6));
        return v;
      };
      const std::vector<float> a = data(na), b_t = data(nb);
      o.a_blocks = num::quantize_block_fp4(a, int(c.m), int(c.k), q);
      o.b_blocks = num::quantize_block_fp4(b_t, int(c.n), int(c.k), q, na);
      const uint32_t bs = uint32_t(q.block_size);
      for (uint32_t m = 0; m < c.m; ++m)
        for (uint32_t k = 0; k < c.k; ++k)
          o.a[uint64_t{m} * c.k + k] = block_fp4_operand(o.a_blocks.codes[uint64_t{m} * c.k + k],
                                                         o.a_blocks.scale_code(int(m), int(k / bs)),
                                                         (k + 1) % bs == 0 || k + 1 == c.k);
      for (uint32_t n = 0; n < c.n; ++n)
        for (uint32_t k = 0; k < c.k; ++k)
          o.b[uint64_t{k} * c.n + n] = block_fp4_operand(o.b_blocks.codes[uint64_t{n} * c.k + k],
                                                         o.b_blocks.scale_code(int(n), int(k / bs)),
                                                         (k + 1) % bs == 0 || k + 1 == c.k);
      o.format.block_size = bs;
      o.format.output_scale = {num::block_fp4_alpha(o.a_blocks, o.b_blocks), 0};
      break;
    }
  }
  return o;
}

// The numerics library's scalar reference GEMM for the case.
struct Reference {
  std::vector<int64_t> acc;  // accumulator words: int64 (integer modes) or fp32 bits (float modes)
  std::vector<uint16_t> fp16;
  uint64_t saturations = 0;
};
Reference reference_gemm(const GemmCase& c, const Operands& o) {
  Reference r;
  const uint64_t outputs = uint64_t{c.m} * c.n;
  r.acc.assign(outputs, 0);
  r.fp16.assign(outputs, 0);
  const int M = int(c.m), N = int(c.n), K = int(c.k);
  num::GemmConfig cfg;
  cfg.acc_bits = int(c.accumulator_bits);
  num::GemmStats stats;
  switch (c.prec()) {
    case Precision::int4_int4:
      num::ref::gemm_int4_int4(num::row_major(o.a_int.data(), M, K),
                               num::row_major(o.b_int.data(), K, N), o.format.output_scale, cfg,
                               r.fp16.data(), r.acc.data(), &stats);
      break;
    case Precision::int4_fp4:
      if (o.format.fp4_operand == Fp4Operand::a)
        num::ref::gemm_fp4_int4(num::row_major(o.a_u8.data(), M, K),
                                num::row_major(o.b_int.data(), K, N), o.format.output_scale, cfg,
                                r.fp16.data(), r.acc.data(), &stats);
      else
        num::ref::gemm_int4_fp4(num::row_major(o.a_int.data(), M, K),
                                num::row_major(o.b_u8.data(), K, N), o.format.output_scale, cfg,
                                r.fp16.data(), r.acc.data(), &stats);
      break;
    case Precision::hfp8:
    case Precision::fp16: {
      cfg.mode = num::AccumMode::fp32;
      std::vector<float> sums(outputs);
      if (c.prec() == Precision::hfp8)
        num::ref::gemm_hfp8(num::row_major(o.a_u8.data(), M, K), o.format.hfp8_a,
                            num::row_major(o.b_u8.data(), K, N), o.format.hfp8_b,
                            o.format.output_scale.scale, cfg, r.fp16.data(), sums.data());
      else
        num::ref::gemm_fp16(num::row_major(o.a_u16.data(), M, K),
                            num::row_major(o.b_u16.data(), K, N), o.format.output_scale.scale, cfg,
                            r.fp16.data(), sums.data());
      for (uint64_t i = 0; i < outputs; ++i)
        r.acc[i] = static_cast<int64_t>(std::bit_cast<uint32_t>(sums[i]));
      break;
    }
    case Precision::mxfp4:
    case Precision::nvfp4: {
      std::vector<float> sums(outputs);
      num::gemm_block_fp4_ref(o.a_blocks, o.b_blocks, nullptr, r.fp16.data(), sums.data());
      for (uint64_t i = 0; i < outputs; ++i)
        r.acc[i] = static_cast<int64_t>(std::bit_cast<uint32_t>(sums[i]));
      break;
    }
  }
  r.saturations = stats.saturations;
  return r;
}

struct GemmOutcome {
  uint64_t cycles[3];   // detailed, fast, timing: reported by run()
  uint64_t elapsed[3];  // simulated clocks between issuing run() and its return
  uint64_t formula;
  uint64_t detailed_vs_fast_mismatches;  // accumulator or FP16 elements that differ
  uint64_t detailed_vs_reference_mismatches;
  uint64_t macs[2], zero_gated[2], saturations[2], folds[2];
  uint64_t reference_saturations;
};

// Drives one GEMM through the three fidelity modes, one after the other.
struct GemmDriver : sc_core::sc_module {
  SC_HAS_PROCESS(GemmDriver);
  GemmDriver(sc_core::sc_module_name name, const GemmCase& c)
      : sc_core::sc_module(name), gemm_case(c), operands(make_operands(c)) {
    const std::string base = basename();
    arrays[0] =
        make_mac_array(FidelityMode::detailed, (base + "_detailed").c_str(), c.params(), kClock);
    arrays[1] = make_mac_array(FidelityMode::fast, (base + "_fast").c_str(), c.params(), kClock);
    arrays[2] =
        make_mac_array(FidelityMode::timing, (base + "_timing").c_str(), c.params(), kClock);
    SC_THREAD(drive);
  }
  void drive() {
    GemmJob job{operands.format, {gemm_case.m, gemm_case.n, gemm_case.k}, operands.a, operands.b};
    for (int i = 0; i < 3; ++i) {
      const sc_core::sc_time t0 = sc_core::sc_time_stamp();
      arrays[i]->run(job, outputs[i]);
      elapsed[i] = static_cast<uint64_t>((sc_core::sc_time_stamp() - t0) / kClock);
    }
  }
  GemmCase gemm_case;
  Operands operands;
  std::unique_ptr<MacArray> arrays[3];
  GemmOutput outputs[3];
  uint64_t elapsed[3] = {};
};

std::vector<GemmCase> random_cases(uint32_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  static constexpr uint32_t kDefaultMacs[4] = {4, 4, 2, 1};
  std::vector<GemmCase> cases;
  for (uint32_t i = 0; i < count; ++i) {
    GemmCase c{};
    c.dataflow = i % 3;         // every dataflow
    c.precision = (i / 3) % 4;  // every precision mode with every dataflow
    c.rows = pick(1, 16);
    c.cols = pick(1, 16);
    if (i < 12) c.rows = c.cols = (i % 2 == 0) ? 1 : 16;  // the extreme shapes for sure
    c.depth = pick(0, 3) == 0 ? pick(2, 4) : 1;
    c.setup = pick(0, 2) == 0 ? pick(1, 5) : 0;
    c.macs_per_pe = pick(0, 3) == 0 ? pick(1, 5) : kDefaultMacs[c.precision];
    c.accumulator_bits = pick(0, 6) == 0 ? pick(8, 14) : 32;  // narrow ones saturate
    c.m = pick(1, 37);
    c.n = pick(1, 37);
    c.k = pick(1, 45);
    c.seed = rng();
    cases.push_back(c);
  }
  return cases;
}

Bytes simulate_cases(const std::vector<GemmCase>& cases) {
  std::vector<std::unique_ptr<GemmDriver>> drivers;
  for (size_t i = 0; i < cases.size(); ++i)
    drivers.push_back(std::make_unique<GemmDriver>(("gemm" + std::to_string(i)).c_str(), cases[i]));
  sc_core::sc_start();
  std::vector<GemmOutcome> outcomes;
  for (const auto& d : drivers) {
    const GemmCase& c = d->gemm_case;
    GemmOutcome o{};
    for (int i = 0; i < 3; ++i) {
      o.cycles[i] = d->outputs[i].cycles;
      o.elapsed[i] = d->elapsed[i];
    }
    o.formula = gemm_cycles(c.params(), c.prec(), {c.m, c.n, c.k});
    const Reference ref = reference_gemm(c, d->operands);
    const GemmOutput& det = d->outputs[0];
    const GemmOutput& fast = d->outputs[1];
    for (size_t e = 0; e < ref.acc.size(); ++e) {
      o.detailed_vs_fast_mismatches +=
          (det.accumulators.at(e) != fast.accumulators.at(e)) + (det.fp16.at(e) != fast.fp16.at(e));
      o.detailed_vs_reference_mismatches +=
          (det.accumulators.at(e) != ref.acc[e]) + (det.fp16.at(e) != ref.fp16[e]);
    }
    for (int i = 0; i < 2; ++i) {
      const MacArrayCounters& k = d->arrays[i]->counters();
      o.macs[i] = k.macs[c.precision];
      o.zero_gated[i] = k.zero_gated_macs;
      o.saturations[i] = k.accumulator_saturations;
      o.folds[i] = k.folds;
    }
    o.reference_saturations = ref.saturations;
    outcomes.push_back(o);
  }
  return test::to_bytes(outcomes);
}

TEST(MacArray, DetailedEqualsFastOnRandomGemms) {
  const std::vector<GemmCase> cases = random_cases(240, 20261123);
  const auto outcomes =
      test::from_bytes<GemmOutcome>(test::run_in_child([&] { return simulate_cases(cases); }));
  ASSERT_EQ(outcomes.size(), cases.size());
  uint32_t agreeing = 0, saturating = 0;
  uint64_t zero_gated = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const GemmCase& c = cases[i];
    const GemmOutcome& o = outcomes[i];
    SCOPED_TRACE("case " + std::to_string(i) + ": " + c.describe());
    EXPECT_EQ(o.cycles[0], o.cycles[1]);
    EXPECT_EQ(o.cycles[1], o.cycles[2]);
    EXPECT_EQ(o.cycles[0], o.formula);
    for (int m = 0; m < 3; ++m) EXPECT_EQ(o.elapsed[m], o.cycles[m]) << "mode " << m;
    EXPECT_EQ(o.detailed_vs_fast_mismatches, 0u);
    EXPECT_EQ(o.detailed_vs_reference_mismatches, 0u);
    for (int m = 0; m < 2; ++m) {
      EXPECT_EQ(o.macs[m], uint64_t{c.m} * c.n * c.k);
      EXPECT_EQ(o.saturations[m], o.reference_saturations);
    }
    EXPECT_EQ(o.folds[0], o.folds[1]);
    EXPECT_EQ(o.zero_gated[0], o.zero_gated[1]);
    zero_gated += o.zero_gated[0];
    agreeing += o.cycles[0] == o.cycles[1] && o.detailed_vs_fast_mismatches == 0 &&
                o.detailed_vs_reference_mismatches == 0;
    saturating += o.reference_saturations > 0;
  }
  EXPECT_EQ(agreeing, cases.size());
  EXPECT_GT(saturating, 5u) << "the narrow-accumulator cases should exercise saturation";
  EXPECT_GT(zero_gated, 0u);
  std::printf("detailed == fast == reference on %u of %zu random GEMMs (%u with saturation)\n",
              agreeing, cases.size(), saturating);
}

// The block-scaled FP4 modes: DETAILED (the PE datapath, block by block),
// FAST (numerics' gemm_block_fp4) and numerics' scalar gemm_block_fp4_ref,
// on real data quantized by numerics (both formats, block 16 and 32, 2-D
// tiles, every scale rounding, nearest and stochastic, ragged K).
TEST(MacArray, BlockFp4DetailedEqualsFastOnRandomGemms) {
  std::vector<GemmCase> cases = random_cases(240, 20261128);
  std::mt19937 rng(16);
  for (size_t i = 0; i < cases.size(); ++i) {
    GemmCase& c = cases[i];
    c.precision = static_cast<uint32_t>(i % 2 ? Precision::nvfp4 : Precision::mxfp4);
    c.macs_per_pe = std::uniform_int_distribution<uint32_t>(1, 5)(rng);
    c.k = std::uniform_int_distribution<uint32_t>(1, 100)(rng);
    c.accumulator_bits = 32;
  }
  const auto outcomes =
      test::from_bytes<GemmOutcome>(test::run_in_child([&] { return simulate_cases(cases); }));
  ASSERT_EQ(outcomes.size(), cases.size());
  uint32_t agreeing = 0;
  uint64_t zero_gated = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const GemmCase& c = cases[i];
    const GemmOutcome& o = outcomes[i];
    SCOPED_TRACE("case " + std::to_string(i) + ": " + c.describe());
    EXPECT_EQ(o.cycles[0], o.cycles[1]);
    EXPECT_EQ(o.cycles[1], o.cycles[2]);
    EXPECT_EQ(o.cycles[0], o.formula);
    EXPECT_EQ(o.detailed_vs_fast_mismatches, 0u);
    EXPECT_EQ(o.detailed_vs_reference_mismatches, 0u);
    for (int m = 0; m < 2; ++m) EXPECT_EQ(o.macs[m], uint64_t{c.m} * c.n * c.k);
    EXPECT_EQ(o.zero_gated[0], o.zero_gated[1]);
    zero_gated += o.zero_gated[0];
    agreeing += o.cycles[0] == o.cycles[1] && o.detailed_vs_fast_mismatches == 0 &&
                o.detailed_vs_reference_mismatches == 0;
  }
  EXPECT_EQ(agreeing, cases.size());
  EXPECT_GT(zero_gated, 0u);
  std::printf("block fp4: detailed == fast == reference on %u of %zu random GEMMs\n", agreeing,
              cases.size());
}

// Hand-derived fold cycles (docs/microarch.md 2.3), 1-cycle PEs, no setup.
TEST(MacArrayTiming, HandDerivedFormulas) {
  MacArrayParams p;
  p.rows = 4;
  p.cols = 4;
  p.macs_per_cycle_per_pe = {1, 1, 1, 1};
  // WS, one fold: load 4 + stream M=5 + psum through 4 rows + skew of 4 cols - 2 = 15
  // = SCALE-Sim's 2*Sr + Sc + T - 2 = 8 + 4 + 5 - 2.
  p.dataflow = Dataflow::ws;
  EXPECT_EQ(gemm_cycles(p, Precision::fp16, {5, 4, 4}), 15u);
  // WS, K=6 -> two K folds (4 + 2 active rows), N=6 -> two column folds (4 + 2):
  // each fold 4 + 5 + 4 + cols_active - 2 -> (11 + 4) * 2 + (11 + 2) * 2 = 56.
  EXPECT_EQ(gemm_cycles(p, Precision::fp16, {5, 6, 6}), 56u);
  // IS mirrors WS with M and N swapped.
  p.dataflow = Dataflow::is;
  EXPECT_EQ(gemm_cycles(p, Precision::fp16, {4, 5, 4}), 15u);
  // OS, one fold, K=8: last operands reach PE(3,3) at clock 7+3+3 = 13, its sum is
  // captured then, and row 0's result needs 3 more hops: clocks 0..16 -> 17 cycles.
  p.dataflow = Dataflow::os;
  EXPECT_EQ(gemm_cycles(p, Precision::fp16, {4, 4, 8}), 17u);
  // Four MACs per PE in INT4 mode: K=8 is 2 groups -> 2 + 4 + 4 + 1 + 4 - 4 = 11.
  p.macs_per_cycle_per_pe.int4_int4 = 4;
  EXPECT_EQ(gemm_cycles(p, Precision::int4_int4, {4, 4, 8}), 11u);
  // PE pipeline depth 3 in WS: partial sums take 3 clocks per row: 4 + 5 + 12 + 4 - 2 = 23.
  p.dataflow = Dataflow::ws;
  p.pe_pipeline_depth = 3;
  EXPECT_EQ(gemm_cycles(p, Precision::fp16, {5, 4, 4}), 23u);
  // Per-fold setup is paid once per fold: 2 folds * 5 more cycles.
  p.pe_pipeline_depth = 1;
  p.fold_setup_cycles = 5;
  EXPECT_EQ(gemm_cycles(p, Precision::fp16, {5, 4, 8}), 2 * (15u + 5u));
}

// Completion is probed one clock before and exactly at the latency T.
struct ProbeDriver : sc_core::sc_module {
  SC_HAS_PROCESS(ProbeDriver);
  ProbeDriver(sc_core::sc_module_name name, const GemmCase& c, FidelityMode mode)
      : sc_core::sc_module(name), gemm_case(c), operands(make_operands(c)) {
    array = make_mac_array(mode, (std::string(basename()) + "_array").c_str(), c.params(), kClock);
    SC_THREAD(drive);
  }
  void drive() {
    GemmJob job{operands.format, {gemm_case.m, gemm_case.n, gemm_case.k}, operands.a, operands.b};
    array->run(job, output);
  }
  GemmCase gemm_case;
  Operands operands;
  std::unique_ptr<MacArray> array;
  GemmOutput output;
};

TEST(MacArray, CompletesExactlyAtLatency) {
  std::vector<GemmCase> cases;
  for (uint32_t df = 0; df < 3; ++df)
    for (uint32_t depth : {1u, 3u})
      cases.push_back({df, 5, 3, depth, 2, 0, 4, 32, 7, 4, 13, 99 + df});
  struct Probe {
    uint64_t latency, done_before[2], done_at[2];
  };
  const auto probes = test::from_bytes<Probe>(test::run_in_child([&] {
    std::vector<std::unique_ptr<ProbeDriver>> drivers;
    std::vector<uint64_t> times;
    for (size_t i = 0; i < cases.size(); ++i)
      for (int mode = 0; mode < 2; ++mode) {
        drivers.push_back(std::make_unique<ProbeDriver>(
            ("probe" + std::to_string(i) + "_" + std::to_string(mode)).c_str(), cases[i],
            static_cast<FidelityMode>(mode)));
        const GemmCase& c = cases[i];
        const uint64_t t = gemm_cycles(c.params(), c.prec(), {c.m, c.n, c.k});
        times.push_back(t - 1);
        times.push_back(t);
      }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    std::vector<Probe> out(cases.size());
    uint64_t now = 0;
    for (uint64_t t : times) {
      // sc_start(d) stops at now + d before running that instant's timed
      // events; the zero-time steps run them (all deltas), so "done at T" is observable.
      sc_core::sc_start(static_cast<double>(t - now) * kClock);
      while (sc_core::sc_pending_activity_at_current_time())
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
      now = t;
      for (size_t i = 0; i < cases.size(); ++i) {
        const GemmCase& c = cases[i];
        const uint64_t latency = gemm_cycles(c.params(), c.prec(), {c.m, c.n, c.k});
        out[i].latency = latency;
        for (int mode = 0; mode < 2; ++mode) {
          const uint64_t done = drivers[i * 2 + mode]->array->completed();
          if (t == latency - 1) out[i].done_before[mode] = done;
          if (t == latency) out[i].done_at[mode] = done;
        }
      }
    }
    return test::to_bytes(out);
  }));
  ASSERT_EQ(probes.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].describe() + ", T = " + std::to_string(probes[i].latency));
    for (int mode = 0; mode < 2; ++mode) {
      EXPECT_EQ(probes[i].done_before[mode], 0u) << "mode " << mode << " done at T-1";
      EXPECT_EQ(probes[i].done_at[mode], 1u) << "mode " << mode << " not done at T";
    }
  }
}

TEST(MacArray, WritesVcdOfArrayEdges) {
  const std::string stem = std::string(NIBBLE_BINARY_DIR) + "/mac_array_test_trace";
  std::remove((stem + ".vcd").c_str());
  test::run_in_child([&] {
    const GemmCase c{0, 4, 4, 1, 0, 0, 4, 32, 6, 5, 9, 7};
    ProbeDriver driver("vcd", c, FidelityMode::detailed);
    sc_core::sc_trace_file* file = sc_core::sc_create_vcd_trace_file(stem.c_str());
    driver.array->trace(file);
    sc_core::sc_start();
    sc_core::sc_close_vcd_trace_file(file);
    return Bytes{};
  });
  std::ifstream in(stem + ".vcd");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("south_edge_col0_value"), std::string::npos);
  EXPECT_NE(text.str().find("west_edge_row0_tag"), std::string::npos);
  std::remove((stem + ".vcd").c_str());
}

TEST(MacArray, RejectsMalformedJobs) {
  const Bytes result = test::run_in_child([&] {
    std::string log;
    MacArrayParams p;
    p.rows = p.cols = 2;
    auto fast = make_mac_array(FidelityMode::fast, "fast", p, kClock);
    std::vector<OperandCode> a(3), b(4);
    try {
      GemmOutput out;
      fast->run(GemmJob{{}, {1, 2, 2}, a, b}, out);  // A has 3 codes, not 2
    } catch (const InputError& e) {
      log += std::string("A:") + e.what() + "\n";
    }
    try {
      GemmOutput out;
      fast->run(GemmJob{{}, {0, 2, 2}, a, b}, out);
    } catch (const InputError& e) {
      log += std::string("zero:") + e.what() + "\n";
    }
    try {
      MacArrayParams chunked = p;
      chunked.accumulation = Accumulation::fp16_chunked;
      auto unsupported = make_mac_array(FidelityMode::detailed, "chunked", chunked, kClock);
    } catch (const InputError& e) {
      log += std::string("chunked:") + e.what() + "\n";
    }
    return Bytes(log.begin(), log.end());
  });
  const std::string log(result.begin(), result.end());
  EXPECT_NE(log.find("A:"), std::string::npos) << log;
  EXPECT_NE(log.find("expected M*K"), std::string::npos) << log;
  EXPECT_NE(log.find("zero:"), std::string::npos) << log;
  EXPECT_NE(log.find("chunked:"), std::string::npos) << log;
}

TEST(MacArray, RegistersItsCounters) {
  const Bytes result = test::run_in_child([] {
    MacArrayParams p;
    p.rows = p.cols = 2;
    auto array = make_mac_array(FidelityMode::timing, "array", p, kClock);
    StatRegistry registry;
    array->register_stats(registry, "core0.array");
    std::string names;
    for (const auto& e : registry.entries()) names += e.name + "\n";
    return Bytes(names.begin(), names.end());
  });
  const std::string names(result.begin(), result.end());
  EXPECT_NE(names.find("core0.array.macs_int4_fp4\n"), std::string::npos);
  EXPECT_NE(names.find("core0.array.zero_gated_macs\n"), std::string::npos);
  EXPECT_NE(names.find("core0.array.busy_cycles\n"), std::string::npos);
}

}  // namespace
}  // namespace nibble::hw
