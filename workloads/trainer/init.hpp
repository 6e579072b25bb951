#pragma once
// Deterministic weight initialisation. std::mt19937_64's output is fixed by
// the standard, but std::uniform_real_distribution is not, so uniforms are
// built from raw engine bits: same seed -> same weights on every platform.
#include <random>

#include "workloads/trainer/tensor.hpp"

namespace nibble::train {

// He (Kaiming) uniform: U(-sqrt(6/fan_in), +sqrt(6/fan_in)), for ReLU nets.
Mat kaiming_uniform(int rows, int cols, int fan_in, std::mt19937_64& rng);

}  // namespace nibble::train
