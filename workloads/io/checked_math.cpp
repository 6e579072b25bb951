#include "workloads/io/checked_math.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

#include "workloads/io/input_error.hpp"

namespace nibble::io {

uint64_t memory_budget_bytes() {
  constexpr uint64_t kDefault = 4ull << 30;
  const char* env = std::getenv("NIBBLE_MEMORY_BUDGET_MIB");
  if (env == nullptr || *env == '\0') return kDefault;
  uint64_t mib = 0;
  for (const char* c = env; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9' || mib > (1ull << 40)) return kDefault;
    mib = mib * 10 + static_cast<uint64_t>(*c - '0');
  }
  return mib == 0 ? kDefault : mib << 20;
}

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

uint64_t checked_product(std::initializer_list<uint64_t> factors, uint64_t limit,
                         const std::string& file, const std::string& where,
                         const std::string& what) {
  uint64_t p = 1;
  std::string spelled;
  for (uint64_t f : factors) spelled += fmt::format("{}{}", spelled.empty() ? "" : " x ", f);
  for (uint64_t f : factors)
    if (mul_overflows(p, f, &p))
      throw InputFileError(
          file, where,
          fmt::format("{} = {} overflows 64 bits; expected at most {}", what, spelled, limit));
  if (p > limit)
    throw InputFileError(file, where,
                         fmt::format("{} = {} = {}; expected at most {}", what, spelled, p, limit));
  return p;
}

void check_allocation(uint64_t bytes, const std::string& file, const std::string& where,
                      const std::string& why) {
  const uint64_t budget = memory_budget_bytes();
  if (bytes > budget)
    throw InputFileError(file, where,
                         fmt::format("{} would need {:.1f} GiB of memory; the budget is {:.1f} GiB "
                                     "(NIBBLE_MEMORY_BUDGET_MIB raises it)",
                                     why, static_cast<double>(bytes) / (1ull << 30),
                                     static_cast<double>(budget) / (1ull << 30)));
}

}  // namespace nibble::io
