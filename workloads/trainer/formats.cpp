#include "workloads/trainer/formats.hpp"

#include <fmt/format.h>

#include <array>

#include "hw_models/numerics/errors.hpp"

namespace nibble::train {
namespace {

constexpr std::array<std::string_view, 9> kFormatNames = {
    "fp32", "fp16", "hfp8_143", "hfp8_152", "int4", "uint4", "fp4_radix4", "mxfp4", "nvfp4"};
constexpr std::array<std::string_view, 3> kRoleNames = {"weight", "activation", "gradient"};
constexpr std::array<std::string_view, 4> kPassNames = {"forward", "grad_input", "grad_weight",
                                                        "update"};
constexpr std::array<std::string_view, 3> kPhaseNames = {"none", "even", "odd"};

template <class E, size_t N>
E parse_enum(const std::array<std::string_view, N>& names, std::string_view s,
             const std::string& where, const char* what) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  std::string expected;
  for (size_t i = 0; i < N; ++i) expected += (i ? ", " : "") + std::string(names[i]);
  throw InputError(
      fmt::format("{}: unknown {} '{}': expected one of {}", where, what, s, expected));
}

}  // namespace

std::string_view to_string(Format f) {
  return kFormatNames.at(static_cast<size_t>(f));
}
std::string_view to_string(Role r) {
  return kRoleNames.at(static_cast<size_t>(r));
}
std::string_view to_string(Pass p) {
  return kPassNames.at(static_cast<size_t>(p));
}
std::string_view to_string(Phase p) {
  return kPhaseNames.at(static_cast<size_t>(p));
}

Format format_from_string(std::string_view s, const std::string& where) {
  return parse_enum<Format>(kFormatNames, s, where, "format");
}
Role role_from_string(std::string_view s, const std::string& where) {
  return parse_enum<Role>(kRoleNames, s, where, "role");
}
Pass pass_from_string(std::string_view s, const std::string& where) {
  return parse_enum<Pass>(kPassNames, s, where, "pass");
}
Phase phase_from_string(std::string_view s, const std::string& where) {
  return parse_enum<Phase>(kPhaseNames, s, where, "phase");
}

int format_bits(Format f) {
  switch (f) {
    case Format::fp32:
      return 32;
    case Format::fp16:
      return 16;
    case Format::hfp8_143:
    case Format::hfp8_152:
      return 8;
    case Format::int4:
    case Format::uint4:
    case Format::fp4_radix4:
    case Format::mxfp4:
    case Format::nvfp4:
      return 4;  // elements; block scales are counted apart (8 bits per block)
  }
  return 32;
}

}  // namespace nibble::train
