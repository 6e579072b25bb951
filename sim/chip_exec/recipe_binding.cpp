#include "sim/chip_exec/recipe_binding.hpp"

#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"

namespace nibble::chip_exec {

void bind_gemm_to_chip(train::Recipe& recipe, const config::ChipConfig& chip_cfg,
                       const std::string& chip_file) {
  const auto& cores = chip_cfg.chip.cores;
  const auto& array = cores.front().array;
  for (size_t i = 1; i < cores.size(); ++i) {
    const auto& b = cores[i].array;
    if (b.accumulator_bits != array.accumulator_bits || b.accumulation != array.accumulation ||
        b.fp16_chunk_size != array.fp16_chunk_size)
      throw InputError(fmt::format(
          "{}: /cores/{}/array: accumulates differently from /cores/0/array; closed-loop training "
          "needs one arithmetic on every core",
          chip_file, i));
  }
  const std::string mode =
      array.accumulation == hw::Accumulation::int_exact ? "int_exact" : "fp16_chunked";
  auto clash = [&](const char* key, const std::string& recipe_value, const char* chip_key,
                   const std::string& chip_value) {
    throw InputError(fmt::format(
        "{}: /gemm/{} is {}, but the chip {} has /cores/0/array/{} = {}: on a chip the chip "
        "config owns the arithmetic; drop /gemm/{} from the recipe, or set the chip "
        "(--set /cores/0/array/{}=...)",
        recipe.path, key, recipe_value, chip_file, chip_key, chip_value, key, chip_key));
  };
  auto& g = recipe.gemm;
  if (recipe.gemm_given.accumulation && g.accumulation != mode)
    clash("accumulation", g.accumulation, "accumulation", mode);
  if (recipe.gemm_given.acc_bits && g.acc_bits != static_cast<int>(array.accumulator_bits))
    clash("acc_bits", std::to_string(g.acc_bits), "accumulator_bits",
          std::to_string(array.accumulator_bits));
  if (recipe.gemm_given.chunk && mode == "fp16_chunked" &&
      g.chunk != static_cast<int>(array.fp16_chunk_size))
    clash("chunk", std::to_string(g.chunk), "fp16_chunk_size",
          std::to_string(array.fp16_chunk_size));
  g.accumulation = mode;
  g.acc_bits = static_cast<int>(array.accumulator_bits);
  g.chunk = static_cast<int>(array.fp16_chunk_size);
  auto& e = recipe.effective["gemm"];
  e["accumulation"] = g.accumulation;
  e["acc_bits"] = g.acc_bits;
  if (mode == "fp16_chunked") e["chunk"] = g.chunk;
}

}  // namespace nibble::chip_exec
