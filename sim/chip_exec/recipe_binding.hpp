#pragma once
// On a chip the chip config owns the GEMM arithmetic (accumulator width and
// mode, FP16 chunk); the recipe owns policy. Shared by `nibble train --chip`
// and the up-front checks of `nibble sweep --train`, so both refuse the same
// contradictions with the same message.
#include <string>

#include "sim/config/chip_config.hpp"
#include "workloads/trainer/recipe.hpp"

namespace nibble::chip_exec {

// A recipe "gemm" key that is given and disagrees with the chip is an
// InputError naming both files and pointers; keys not given take the chip's
// values, so the report records what ran. Cores that accumulate differently
// are refused.
void bind_gemm_to_chip(train::Recipe& recipe, const config::ChipConfig& chip_cfg,
                       const std::string& chip_file);

}  // namespace nibble::chip_exec
