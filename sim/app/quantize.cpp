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
};

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
    if (a.rounding != "nearest" && a.rounding != "stochastic")
      throw InputError("--rounding: expected nearest or stochastic, found '" + a.rounding + "'");
    if (a.phase != "even" && a.phase != "odd")
      throw InputError("--phase: expected even or odd, found '" + a.phase + "'");
    if (a.rounding == "stochastic" && !fp4)
      throw InputError("--rounding stochastic is only available for --format fp4");
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
  for (std::size_t i = 0; i < values.size(); ++i) out += q.apply(values[i], i) + "\n";
  std::fputs(out.c_str(), stdout);
}

const Registrar registrar{
    "quantize", [](CLI::App& root) {
      auto args = std::make_shared<QuantizeArgs>();
      auto* cmd = root.add_subcommand(
          "quantize", "Quantize numbers from stdin (one per line); print code and decoded value");
      cmd->add_option("--format", args->format, "Number format")
          ->required()
          ->check(CLI::IsMember({"int4", "uint4", "fp4", "fp16", "hfp8-143", "hfp8-152"}));
      cmd->add_option(
             "--scale", args->scale,
             "int4/uint4: clipping value alpha (default 7 / 15, i.e. step 1); fp4: GradScale, a "
             "power "
             "of two (default 1); fp16/hfp8: values are divided by it before encoding (default 1)")
          ->check(kFinitePositive);
      auto* phase = cmd->add_option("--phase", args->phase,
                                    "fp4 two-phase rounding grid: even {4^k} or odd {2*4^k}");
      cmd->add_option("--rounding", args->rounding, "nearest, or stochastic (fp4 only)");
      cmd->add_option("--seed", args->seed,
                      "Seed of the counter-based stochastic rounding (value i uses counter i)")
          ->check(kUnsignedInteger);
      cmd->callback([args, phase] {
        args->phase_given = phase->count() > 0;
        run(*args);
      });
    }};

}  // namespace
}  // namespace nibble::app
