#pragma once
// Validators for numeric flags, shared by every subcommand. CLI11's own
// PositiveNumber lets NaN through (NaN <= 0 is false) and an unsigned
// option silently wraps "-1" to 2^64-1; these refuse both, exit 2.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

namespace nibble::app {

// A finite number > 0 ("nan", "inf", "0", "-1" are refused).
inline const CLI::Validator kFinitePositive(
    [](std::string& s) -> std::string {
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end == nullptr || *end != '\0' || !std::isfinite(d) || !(d > 0))
        return "expected a positive finite number, found " + s;
      return "";
    },
    "POSITIVE");

// A non-negative integer spelled in decimal digits only ("-1" is refused
// rather than stored as 2^64-1).
inline const CLI::Validator kUnsignedInteger(
    [](std::string& s) -> std::string {
      if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
        return "expected a non-negative integer, found " + s;
      return "";
    },
    "UINT");

}  // namespace nibble::app
