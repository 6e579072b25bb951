#include "sim/sweep/sweep_validate.hpp"

#include <fmt/format.h>

#include "sim/chip_exec/recipe_binding.hpp"
#include "sim/config/chip_config.hpp"
#include "workloads/trainer/recipe.hpp"

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

void validate_train_points(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
  const std::string source = spec.file.empty() ? std::string("nibble sweep --train") : spec.file;
  for (const auto& p : points) {
    const TrainSets sets = train_sets(spec, p);
    std::vector<config::Override> overrides;
    std::vector<std::string> recipe_sets = sets.recipe;
    // nibble train applies --batch as the last recipe override.
    if (spec.train.batch)
      recipe_sets.push_back(fmt::format("/optimizer/batch={}", *spec.train.batch));
    try {
      for (const auto& s : sets.chip) overrides.push_back(config::parse_override(s));
      const config::ChipConfig cfg = config::load_chip_config(spec.chip, overrides);
      train::Recipe recipe = train::Recipe::load(spec.train.recipe, recipe_sets);
      chip_exec::bind_gemm_to_chip(recipe, cfg, spec.chip.string());
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: sweep point {}: {}", source, p.id, e.what()));
    }
  }
}

}  // namespace nibble::sweep
