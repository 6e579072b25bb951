#include "sim/sweep/sweep_validate.hpp"

#include <fmt/format.h>

#include "sim/config/chip_config.hpp"

namespace nibble::sweep {

void validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                     const std::vector<std::pair<std::string, Precision>>& gemm_modes) {
  for (const auto& p : points) {
    std::vector<config::Override> overrides;
    for (const auto& s : p.sets) overrides.push_back(config::parse_override(s));
    try {
      const config::ChipConfig cfg = config::load_chip_config(spec.chip, overrides);
      for (const auto& [op, mode] : gemm_modes)
        if (const std::string e = hw::absent_lane_error(
                cfg.chip, mode, fmt::format("op '{}' (a GEMM in {})", op, precision_key(mode)));
            !e.empty())
          throw InputError(e);
    } catch (const InputError& e) {
      throw InputError(fmt::format("sweep point {}: {}", p.id, e.what()));
    }
  }
}

}  // namespace nibble::sweep
