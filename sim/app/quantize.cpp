// nibble quantize: reads numbers (one per line) on stdin and prints, per
// line, the code and the decoded value in the chosen format. How users and
// tests inspect a number format; all arithmetic is hw_models/numerics.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/fp16.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/gradscale.hpp"
#include "hw_models/numerics/hfp8.hpp"
#include "hw_models/numerics/int4.hpp"
#include "hw_models/numerics/pact.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/input_checks.hpp"

namespace nibble::app {
namespace {

struct QuantizeArgs {
  std::string format;
  double scale = NAN;  // unset: the format's default
  std::string phase = "even";
  std::string rounding = "nearest";
  uint64_t seed = 0;
  bool phase_given = false;
  int block_size = 0;
  bool block_size_given = false;  // else the format's default (mxfp4 32, nvfp4 16)
  std::string scale_rounding = "floor";
  bool scale_rounding_given = false;
};

bool is_block_format(const std::string& f) {
  return f == "mxfp4" || f == "nvfp4";
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
std::string shortest(float v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
std::string hex(uint32_t code, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, code);
  return buf;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

double parse_number(const std::string& text, std::size_t line) {
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size())
    throw InputError("stdin line " + std::to_string(line) + ": expected a number, found '" + text +
                     "'");
  return v;
}

// One value -> "code decoded".
class Quantizer {
 public:
  explicit Quantizer(const QuantizeArgs& a) : args_(a) {
    const bool fp4 = a.format == "fp4";
    const bool block = is_block_format(a.format);
    if (a.rounding != "nearest" && a.rounding != "stochastic" &&
        !(block && a.rounding == "nearest-away"))
      throw InputError("--rounding: expected nearest or stochastic" +
                       std::string(block ? " or nearest-away" : "") + ", found '" + a.rounding +
                       "'");
    if (a.phase != "even" && a.phase != "odd")
      throw InputError("--phase: expected even or odd, found '" + a.phase + "'");
    if (a.rounding == "stochastic" && !fp4 && !block)
      throw InputError("--rounding stochastic is only available for --format fp4, mxfp4, nvfp4");
    if (!block && a.block_size_given)
      throw InputError("--block-size applies to --format mxfp4 and nvfp4 only");
    if (a.scale_rounding_given && a.format != "mxfp4")
      throw InputError("--scale-rounding applies to --format mxfp4 only");
    if (a.scale_rounding != "floor" && a.scale_rounding != "ceil" && a.scale_rounding != "even")
      throw InputError("--scale-rounding: expected floor, ceil or even, found '" +
                       a.scale_rounding + "'");
    if (block && !std::isnan(a.scale))
      throw InputError("--scale does not apply to --format " + a.format +
                       " (its scales come from the data)");
    if (a.phase_given && !fp4) throw InputError("--phase applies to --format fp4 only");
    if (!std::isnan(a.scale) && !(a.scale > 0 && std::isfinite(a.scale)))
      throw InputError("--scale: expected a positive finite number, found " + shortest(a.scale));
    if (fp4 && !std::isnan(a.scale)) {
      int e;
      if (std::frexp(a.scale, &e) != 0.5)
        throw InputError("--scale: the fp4 GradScale must be a power of two, found " +
                         shortest(a.scale));
      grid_exp_ = e - 1;
    }
    if (fp4)
      grid_exp_ =
          fp4_grid_exp(grid_exp_, a.phase == "odd" ? num::TprPhase::odd : num::TprPhase::even);
  }

  std::string apply(double x, uint64_t index) const {
    using namespace num;
    const std::string& f = args_.format;
    const double s = std::isnan(args_.scale) ? 1.0 : args_.scale;
    if (f == "int4") {  // --scale is the clipping value alpha (default 7: step 1)
      const float step =
          int4_step(static_cast<float>(std::isnan(args_.scale) ? 7.0 : args_.scale), 7);
      const int8_t c = quantize_int4(static_cast<float>(x), step);
      return std::to_string(c) + " " + shortest(dequantize_int4(c, step));
    }
    if (f == "uint4") {  // PACT: --scale is alpha (default 15: step 1)
      const auto alpha = static_cast<float>(std::isnan(args_.scale) ? 15.0 : args_.scale);
      const int8_t c = pact_quantize(static_cast<float>(x), alpha);
      return std::to_string(c) + " " + shortest(pact_dequantize(c, alpha));
    }
    if (f == "fp4") {
      const Fp4Config cfg{
          .rounding = args_.rounding == "stochastic" ? Rounding::stochastic : Rounding::nearest,
          .seed = args_.seed};
      const uint8_t c = fp4_encode(static_cast<float>(x), grid_exp_, cfg, index);
      return hex(c, 1) + " " + shortest(fp4_decode(c, grid_exp_));
    }
    if (f == "fp16") {
      const uint16_t c = fp64_to_fp16(x / s);
      return hex(c, 4) + " " + shortest(static_cast<double>(fp16_to_fp32(c)) * s);
    }
    const FloatFormat& ff = f == "hfp8-143" ? kHfp8Fwd143 : kHfp8Bwd152;
    const uint32_t c = encode_double(ff, x / s);
    return hex(c, 2) + " " + shortest(static_cast<double>(decode_float(ff, c)) * s);
  }

 private:
  QuantizeArgs args_;
  int grid_exp_ = 0;
};

// mxfp4/nvfp4: consecutive values form the blocks (one row of blocks along
// K, a short last block allowed); the NVFP4 tensor scale is the whole input's.
std::string quantize_blocks(const QuantizeArgs& args, const std::vector<double>& values) {
  using namespace num;
  BlockFp4Config c;
  c.format = args.format == "mxfp4" ? BlockFormat::mxfp4 : BlockFormat::nvfp4;
  c.block_size = args.block_size_given ? args.block_size : default_block_size(c.format);
  c.scale_rounding = args.scale_rounding == "ceil"   ? ScaleRounding::ceil
                     : args.scale_rounding == "even" ? ScaleRounding::even
                                                     : ScaleRounding::floor;
  c.rounding = args.rounding == "stochastic"     ? E2m1Rounding::stochastic
               : args.rounding == "nearest-away" ? E2m1Rounding::nearest_away
                                                 : E2m1Rounding::nearest_even;
  c.seed = args.seed;
  try {
    validate(c);
  } catch (const InputError& e) {
    throw InputError(std::string("--block-size: ") + e.what());
  }
  std::vector<float> x(values.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(values[i]);
  const BlockFp4Tensor t = quantize_block_fp4(x, 1, static_cast<int>(x.size()), c);
  std::string out;
  for (int i = 0; i < t.cols; ++i) out += hex(t.codes[i], 1) + " " + shortest(t.value(0, i)) + "\n";
  return out;
}

void run(const QuantizeArgs& args) {
  const Quantizer q(args);
  // Read everything first: a bad line fails the run before anything is printed.
  std::vector<double> values;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    const std::string t = trim(line);
    if (t.empty()) continue;
    values.push_back(parse_number(t, line_no));
  }
  std::string out;
  if (is_block_format(args.format)) {
    out = quantize_blocks(args, values);
  } else {
    for (std::size_t i = 0; i < values.size(); ++i) out += q.apply(values[i], i) + "\n";
  }
  std::fputs(out.c_str(), stdout);
}

const Registrar registrar{
    "quantize", [](CLI::App& root) {
      auto args = std::make_shared<QuantizeArgs>();
      auto* cmd = root.add_subcommand(
          "quantize", "Quantize numbers from stdin (one per line); print code and decoded value");
      cmd->add_option("--format", args->format, "Number format")
          ->required()
          ->check(CLI::IsMember(
              {"int4", "uint4", "fp4", "fp16", "hfp8-143", "hfp8-152", "mxfp4", "nvfp4"}));
      cmd->add_option(
             "--scale", args->scale,
             "int4/uint4: clipping value alpha (default 7 / 15, i.e. step 1); fp4: GradScale, a "
             "power "
             "of two (default 1); fp16/hfp8: values are divided by it before encoding (default 1)")
          ->check(kFinitePositive);
      auto* phase = cmd->add_option("--phase", args->phase,
                                    "fp4 two-phase rounding grid: even {4^k} or odd {2*4^k}");
      cmd->add_option("--rounding", args->rounding,
                      "nearest (ties to even), or stochastic (fp4, mxfp4, nvfp4); mxfp4/nvfp4 also "
                      "nearest-away (ties away from zero, microxcaling's default)");
      auto* block_size =
          cmd->add_option("--block-size", args->block_size,
                          "mxfp4/nvfp4: values per block, 16 or 32 (default 32 / 16)");
      auto* scale_rounding =
          cmd->add_option("--scale-rounding", args->scale_rounding,
                          "mxfp4 E8M0 scale exponent: floor (OCP), ceil or even (default floor)");
      cmd->add_option("--seed", args->seed,
                      "Seed of the counter-based stochastic rounding (value i uses counter i)")
          ->check(kUnsignedInteger);
      cmd->callback([args, phase, scale_rounding, block_size] {
        args->block_size_given = block_size->count() > 0;
        args->phase_given = phase->count() > 0;
        args->scale_rounding_given = scale_rounding->count() > 0;
        run(*args);
      });
    }};

}  // namespace
}  // namespace nibble::app
