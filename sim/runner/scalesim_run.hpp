#pragma once
// `nibble run --scalesim-cfg F --scalesim-topology F` (issue 8): the chip and
// workload come from SCALE-Sim inputs through the importers
// (workloads/importers), and the run also writes compute_report.csv with
// SCALE-Sim's COMPUTE_REPORT columns, one row per layer:
//   LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %,
//   Compute Util %
// (definitions in docs/reports.md).
#include <filesystem>
#include <string>
#include <vector>

#include "sim/config/chip_config.hpp"
#include "sim/runner/run_result.hpp"
#include "workloads/ir/workload.hpp"

namespace nibble::runner {

struct ScaleSimInputs {
  config::ChipConfig chip;
  workload::Workload workload;
};

// Converts and strictly loads both inputs with technology table `tech`
// (nothing is written where the user looks: the chip JSON goes through a
// private temporary folder).
ScaleSimInputs load_scalesim(const std::filesystem::path& cfg,
                             const std::filesystem::path& topology,
                             const std::vector<config::Override>& overrides,
                             const std::filesystem::path& tech);

// The cycle account of every op under Nibble's own microarchitecture (the
// chip with array.timing_model nibble, TIMING mode), simulated in a child
// process before the caller's own simulation (call before run_workload).
// Empty, with a warning, when the ops do not map under Nibble's timing.
std::vector<CycleAccount> nibble_accounts(const workload::Workload& w,
                                          const config::ChipConfig& chip);

std::string compute_report_csv(const RunResult& result, const ScaleSimInputs& inputs);
void write_compute_report(const RunResult& result, const ScaleSimInputs& inputs,
                          const std::filesystem::path& file);

}  // namespace nibble::runner
