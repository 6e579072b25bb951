#pragma once
// A workload run as a report (docs/reports.md, "nibble run"): totals (each
// {"value","unit"}), the top-level "ops" array (per op, per pass), one
// "layer" section per layer for summary.txt, "energy" sections per block
// kind, and report.csv as one row per (op, pass).
#include "sim/report/report.hpp"
#include "sim/runner/run_result.hpp"

namespace nibble::runner {

// Fills `report` (command, config and seed are the caller's).
void add_run(report::Report& report, const RunResult& result);

}  // namespace nibble::runner
