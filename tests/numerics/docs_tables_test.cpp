// The value tables in docs/numerics.md are generated from the library and
// checked here. To regenerate after a deliberate change:
//   NIBBLE_UPDATE_DOCS=1 build/bin/test_numerics --gtest_filter='DocsTables.*'
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "hw_models/numerics/accumulate.hpp"
#include "hw_models/numerics/e2m1.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pack.hpp"
#include "hw_models/numerics/pact.hpp"

namespace nibble::num {
namespace {

std::string num(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
std::string bits(uint32_t v, int n) {
  std::string s;
  for (int i = n - 1; i >= 0; --i) s += ((v >> i) & 1) ? '1' : '0';
  return s;
}

std::string fp4_codes() {
  std::ostringstream o;
  o << "| code | bits (s eee) | value, even phase (x s_g) | value, odd phase (x s_g) | fixed-point "
       "integer (units of 4^-3) |\n"
    << "|---:|:---:|---:|---:|---:|\n";
  for (int c = 0; c < 16; ++c) {
    const auto code = static_cast<uint8_t>(c);
    o << "| " << c << " | " << bits(code >> 3, 1) << " " << bits(code & 7, 3) << " | "
      << num(fp4_decode(code, 0)) << " | " << num(fp4_decode(code, 1)) << " | " << fp4_fixed(code)
      << " |\n";
  }
  return o.str();
}

std::string fp4_thresholds() {
  std::ostringstream o;
  o << "| y = \\|x\\| / 2^grid_exp | exponent field | magnitude |\n|---|---:|---:|\n";
  double lo = 0;
  for (int e = 0; e <= 7; ++e) {
    // hi = the smallest y that rounds to field e + 1 (found by the code itself).
    double hi = INFINITY;
    if (e < 7) {
      hi = e == 0 ? 0.5 * fp4_decode(1, 0) : 2.5 * fp4_decode(static_cast<uint8_t>(e), 0);
      EXPECT_EQ(fp4_encode_nearest(static_cast<float>(hi), 0), e + 1);
      EXPECT_EQ(fp4_encode_nearest(std::nextafter(static_cast<float>(hi), 0.0f), 0), e);
    }
    o << "| [" << num(lo) << ", " << (e < 7 ? num(hi) : "inf") << (e < 7 ? ")" : "]") << " | " << e
      << " | " << num(fp4_decode(static_cast<uint8_t>(e), 0)) << " |\n";
    lo = hi;
  }
  return o.str();
}

std::string int4_codes() {
  std::ostringstream o;
  o << "| INT4 code | packed nibble | value (x step) | UINT4 code | value (x alpha/15) "
       "|\n|---:|:---:|---:|---:|---:|\n";
  for (int i = 0; i < 16; ++i) {
    const int s = i - 8;
    std::string sc = s == -8 ? "(-8, unused)" : std::to_string(s);
    o << "| " << sc << " | " << bits(static_cast<uint32_t>(s) & 0xF, 4) << " | "
      << num(dequantize_int4(static_cast<int8_t>(s), 1.0f)) << " | " << i << " | "
      << num(pact_dequantize(static_cast<int8_t>(i), 15.0f)) << " |\n";
  }
  return o.str();
}

std::string float_formats() {
  std::ostringstream o;
  o << "| format | bias | specials | overflow | max finite | min normal | min subnormal "
       "|\n|---|---:|---|---|---:|---:|---:|\n";
  const std::pair<const char*, FloatFormat> fs[] = {
      {"FP16 (binary16)", kFp16}, {"HFP8 1-4-3", kHfp8Fwd143}, {"HFP8 1-5-2", kHfp8Bwd152}};
  for (const auto& [name, f] : fs) {
    o << "| " << name << " | " << f.bias << " | "
      << (f.specials == Specials::ieee ? "inf, NaN" : "NaN") << " | "
      << (f.saturate ? "saturate" : "inf") << " | " << num(max_finite(f)) << " | "
      << num(std::ldexp(1.0, 1 - f.bias)) << " | " << num(min_subnormal(f)) << " |\n";
  }
  return o.str();
}

std::string value_grid(const FloatFormat& f) {
  std::ostringstream o;
  const int nm = 1 << f.man_bits;
  o << "| exponent field |";
  for (int m = 0; m < nm; ++m) o << " m=" << m << " |";
  o << "\n|---:|";
  for (int m = 0; m < nm; ++m) o << "---:|";
  o << "\n";
  for (int e = 0; e < (1 << f.exp_bits); ++e) {
    o << "| " << e << " |";
    for (int m = 0; m < nm; ++m)
      o << " " << num(decode_float(f, static_cast<uint32_t>((e << f.man_bits) | m))) << " |";
    o << "\n";
  }
  return o.str();
}

std::string e2m1_codes() {
  std::ostringstream o;
  o << "| code | bits (s ee m) | value | 2 × value (the PE's integer) |\n|---:|:---:|---:|---:|\n";
  for (int c = 0; c < 16; ++c) {
    const auto code = static_cast<uint8_t>(c);
    const double v = e2m1_decode(code);
    o << "| " << c << " | " << bits(code >> 3, 1) << " " << bits((code >> 1) & 3, 2) << " "
      << bits(code & 1, 1) << " | " << (c == 8 ? "-0" : num(v)) << " | " << e2m1_twice(code)
      << " |\n";
  }
  return o.str();
}

std::map<std::string, std::string> generated() {
  return {{"fp4-codes", fp4_codes()},
          {"e2m1-codes", e2m1_codes()},
          {"fp4-thresholds", fp4_thresholds()},
          {"int4-codes", int4_codes()},
          {"float-formats", float_formats()},
          {"hfp8-143-values", value_grid(kHfp8Fwd143)},
          {"hfp8-152-values", value_grid(kHfp8Bwd152)}};
}

const std::string kDoc = std::string(NIBBLE_SOURCE_DIR) + "/docs/numerics.md";

TEST(DocsTables, MatchTheLibrary) {
  std::ifstream in(kDoc);
  ASSERT_TRUE(in) << kDoc;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  const bool update = std::getenv("NIBBLE_UPDATE_DOCS") != nullptr;
  for (const auto& [name, table] : generated()) {
    const std::string begin = "<!-- generated:" + name + " -->\n", end = "<!-- end generated -->";
    const auto b = doc.find(begin);
    ASSERT_NE(b, std::string::npos) << "docs/numerics.md lacks the block " << begin;
    const auto start = b + begin.size();
    const auto e = doc.find(end, start);
    ASSERT_NE(e, std::string::npos) << name;
    if (update)
      doc.replace(start, e - start, table);
    else
      EXPECT_EQ(doc.substr(start, e - start), table)
          << "table " << name << " is stale: regenerate (see header)";
  }
  if (update) std::ofstream(kDoc) << doc;
}

}  // namespace
}  // namespace nibble::num
