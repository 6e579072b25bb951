// The vectorised bulk quantizers == the scalar functions, bit for bit: FP4
// nearest and stochastic (every ISA path the CPU has, every rounding edge,
// NaN/inf/subnormals, counts), INT4/PACT/FP16 on rounding edges and tails.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pact.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"

namespace nibble::num {
namespace {

// Values around every FP4 threshold of grid_exp (below, at, above in fp32),
// plus specials and random bit patterns, in random order, both signs.
std::vector<float> fp4_probe_values(int grid_exp, std::mt19937_64& rng) {
  std::vector<float> v;
  auto probe = [&](double t) {
    const float f = static_cast<float>(t);
    for (float g : {std::nextafter(f, 0.0f), f, std::nextafter(f, INFINITY),
                    std::nextafter(std::nextafter(f, INFINITY), INFINITY)}) {
      v.push_back(g);
      v.push_back(-g);
    }
  };
  for (int e = -3; e <= 3; ++e) {
    probe(std::ldexp(std::ldexp(1.0, 2 * e), grid_exp));        // grid points (stochastic edges)
    probe(std::ldexp(2.5 * std::ldexp(1.0, 2 * e), grid_exp));  // nearest thresholds
  }
  probe(std::ldexp(0.5 * std::ldexp(1.0, -6), grid_exp));  // underflow edge
  probe(std::ldexp(64.0, grid_exp));                       // saturation edge
  for (float s : {0.0f, -0.0f, NAN, -NAN, INFINITY, -INFINITY, std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min()})
    v.push_back(s);
  std::uniform_real_distribution<double> u(-10, 10);
  for (int i = 0; i < 3000; ++i) {
    v.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
    v.push_back(static_cast<float>(std::ldexp(u(rng), grid_exp)));
  }
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

TEST(QuantizeBulk, Fp4EqualsScalarOnEveryPathEdgeAndCount) {
  std::mt19937_64 rng(77);
  using detail::Fp4BulkIsa;
  for (Fp4BulkIsa isa : {Fp4BulkIsa::best, Fp4BulkIsa::avx2, Fp4BulkIsa::portable}) {
    detail::fp4_bulk_isa_override = isa;
    for (int g : {-401, -400, -149, -130, -20, -2, -1, 0, 1, 3, 60, 127, 140, 400, 401}) {
      const auto x = fp4_probe_values(g, rng);
      for (Rounding r : {Rounding::nearest, Rounding::stochastic}) {
        const Fp4Config c{.rounding = r, .seed = 99};
        for (uint64_t base : {uint64_t{0}, uint64_t{12345}, ~uint64_t{0} - 5}) {
          for (std::size_t len : {x.size(), x.size() - 7, std::size_t{5}}) {
            const std::span<const float> xs(x.data(), len);
            std::vector<uint8_t> got(len), want(len);
            Fp4Counts cg{.total = 3, .saturated = 1, .underflow = 2, .max_abs = 1e-30};
            Fp4Counts cw = cg;
            fp4_quantize_bulk(xs, g, c, base, got, &cg);
            for (std::size_t i = 0; i < len; ++i) want[i] = fp4_encode(x[i], g, c, base + i, &cw);
            for (std::size_t i = 0; i < len; ++i)
              ASSERT_EQ(got[i], want[i]) << "x=" << x[i] << " g=" << g << " i=" << i << " rounding "
                                         << int(r) << " isa " << int(isa);
            ASSERT_EQ(cg.total, cw.total);
            ASSERT_EQ(cg.saturated, cw.saturated) << g;
            ASSERT_EQ(cg.underflow, cw.underflow) << g;
            ASSERT_EQ(cg.max_abs, cw.max_abs) << g;
            std::vector<uint8_t> nocount(len);
            fp4_quantize_bulk(xs, g, c, base, nocount);
            ASSERT_EQ(nocount, want);
          }
        }
      }
    }
  }
  detail::fp4_bulk_isa_override = Fp4BulkIsa::best;
}

TEST(QuantizeBulk, LinearQuantizersEqualScalarOnTiesAndTails) {
  std::mt19937_64 rng(5);
  for (float step : {0.5f, 0.1f, 3.0e-3f, 1e-30f}) {
    std::vector<float> x;
    for (int k = -40; k <= 40; ++k) {  // every half-step (ties) and its neighbours
      const float t = static_cast<float>(k) * 0.5f * step;
      for (float f : {std::nextafter(t, -INFINITY), t, std::nextafter(t, INFINITY)}) x.push_back(f);
    }
    for (int i = 0; i < 1000; ++i) x.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
    x.push_back(NAN);
    x.push_back(INFINITY);
    x.push_back(-INFINITY);
    for (std::size_t len : {x.size(), std::size_t{13}}) {
      const std::span<const float> xs(x.data(), len);
      std::vector<int8_t> c8(len);
      quantize_int4_bulk(xs, step, 7, c8);
      for (std::size_t i = 0; i < len; ++i)
        ASSERT_EQ(c8[i], quantize_int4(x[i], step, 7)) << x[i] << " step " << step;
      const float alpha = step * 15.0f;
      for (const PactConfig& pc : {PactConfig{}, PactConfig{.is_signed = true}}) {
        pact_quantize_bulk(xs, alpha, pc, c8);
        for (std::size_t i = 0; i < len; ++i)
          ASSERT_EQ(c8[i], pact_quantize(x[i], alpha, pc)) << x[i] << " alpha " << alpha;
      }
      std::vector<uint16_t> h(len);
      fp32_to_fp16_bulk(xs, h);
      for (std::size_t i = 0; i < len; ++i) ASSERT_EQ(h[i], fp32_to_fp16(x[i])) << x[i];
    }
  }
}

// The clip counts (numerics health) against a brute-force recount in
// double: steps are powers of two, so x / step is exact and no element sits
// on a rounding edge of the count's definition.
TEST(QuantizeBulk, ClipCountsEqualBruteForce) {
  std::mt19937_64 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float step : {0.5f, 0.125f, 0.0625f}) {
    std::vector<float> x;
    for (int i = 0; i < 3001; ++i) x.push_back(normal(rng));  // odd length: a vector tail
    for (float f : {NAN, INFINITY, -INFINITY, 7 * step, -7 * step, 15 * step, -15 * step})
      x.push_back(f);
    std::vector<int8_t> c8(x.size());
    uint64_t clipped = 5;  // counts are added
    quantize_int4_bulk(x, step, 7, c8, &clipped);
    uint64_t want = 5;
    for (float v : x) want += std::fabs(static_cast<double>(v)) / step > 7.0;
    EXPECT_EQ(clipped, want) << "int4 step " << step;
    EXPECT_GT(want, 5u);
    const float alpha = 15 * step;
    for (const PactConfig& pc : {PactConfig{}, PactConfig{.is_signed = true}}) {
      clipped = 0;
      pact_quantize_bulk(x, alpha, pc, c8, &clipped);
      const double lo = pc.is_signed ? -alpha : 0.0;
      want = 0;
      for (float v : x) want += static_cast<double>(v) > alpha || static_cast<double>(v) < lo;
      EXPECT_EQ(clipped, want) << "pact step " << step << " signed " << pc.is_signed;
      EXPECT_GT(want, 0u);
    }
  }
}

TEST(QuantizeBulk, DequantizersEqualScalar) {
  std::vector<uint8_t> codes(3 * 256 - 5);  // every byte (high bits ignored), and a tail
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<uint8_t>(i & 0xFF);
  for (int g : {-160, -20, 0, 7, 120}) {
    std::vector<float> out(codes.size());
    fp4_dequantize_bulk(codes, g, out);
    for (std::size_t i = 0; i < codes.size(); ++i)
      ASSERT_EQ(std::bit_cast<uint32_t>(out[i]),
                std::bit_cast<uint32_t>(
                    static_cast<float>(fp4_decode(static_cast<uint8_t>(codes[i] & 0xF), g))))
          << int(codes[i]) << " g " << g;
  }
  std::vector<int8_t> c8;
  for (int c = -8; c <= 15; ++c) c8.push_back(static_cast<int8_t>(c));
  std::vector<float> out(c8.size());
  dequantize_int4_bulk(c8, 0.37f, out);
  for (std::size_t i = 0; i < c8.size(); ++i) ASSERT_EQ(out[i], dequantize_int4(c8[i], 0.37f));
}

}  // namespace
}  // namespace nibble::num
