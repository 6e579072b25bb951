#pragma once
// Up-front checks of a sweep: every point's chip config is loaded strictly
// with its overrides before anything runs or is written, so a bad pointer or
// value fails at once (InputError, exit 2) naming the point and the --set;
// so does a point whose chip has no lane for a GEMM mode the workload needs
// (0 MACs per PE per cycle: the chip file and the lane's pointer).
#include <string>
#include <utility>
#include <vector>

#include "hw_models/numerics/precision.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace nibble::sweep {

// gemm_modes: the workload's GEMM modes, each with the first op using it.
void validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                     const std::vector<std::pair<std::string, Precision>>& gemm_modes = {});

// A training sweep's points, each as `nibble train --chip` would check it
// before training: the chip config with the point's chip overrides, the
// recipe with its recipe overrides (and the batch), and the recipe's "gemm"
// keys against the chip (chip_exec::bind_gemm_to_chip). The first failure
// is an InputError naming the sweep file (or `nibble sweep --train`), the
// point, and the file, pointer, expected and found value.
void validate_train_points(const SweepSpec& spec, const std::vector<SweepPoint>& points);

}  // namespace nibble::sweep
