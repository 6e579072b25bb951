#pragma once
// JSON views of a ChipExecutor's costs, shared by `nibble train --chip` and
// trace replay: per layer and pass (ops[i] = {name, layer, pass, cycles,
// energy_pj, passes: [{kind, calls, cycles, energy_pj: {total, <block>...}}]})
// and whole-run totals (cycles, energy, TOPS/W, time at the chip clock).
#include <nlohmann/json.hpp>

#include "sim/chip_exec/chip_executor.hpp"

namespace nibble::chip_exec {

nlohmann::ordered_json ops_json(const ChipExecutor& exec);
// Totals of the training steps so far: cycles, energy, per-step figures,
// simulated seconds, TOPS/W.
nlohmann::ordered_json training_totals_json(const ChipExecutor& exec);

struct StepFigures {
  uint64_t steps = 0;
  double cycles_per_step = 0, energy_uj_per_step = 0;
  double seconds = 0, energy_j = 0, tops_per_w = 0;
};
StepFigures step_figures(const ChipExecutor& exec);

}  // namespace nibble::chip_exec
