#include "sim/sweep/sweep_validate.hpp"

#include <fmt/format.h>

#include "sim/config/chip_config.hpp"

namespace nibble::sweep {

void validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
  for (const auto& p : points) {
    std::vector<config::Override> overrides;
    for (const auto& s : p.sets) overrides.push_back(config::parse_override(s));
    try {
      config::load_chip_config(spec.chip, overrides);
    } catch (const InputError& e) {
      throw InputError(fmt::format("sweep point {}: {}", p.id, e.what()));
    }
  }
}

}  // namespace nibble::sweep
