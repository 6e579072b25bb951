#pragma once
// Up-front checks of a sweep: every point's chip config is loaded strictly
// with its overrides before anything runs or is written, so a bad pointer or
// value fails at once (InputError, exit 2) naming the point and the --set.
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace nibble::sweep {

void validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points);

}  // namespace nibble::sweep
