#pragma once
// Trace replay (issue 7): `nibble run --chip C --trace DIR` executes every op
// of a reference-trainer trace (workloads/trace) on the simulated chip and
// compares every GEMM output, quantized tensor and scale-register value
// bit-for-bit with the trainer's tensors. sim/app/run.cpp parses the CLI and
// calls run_trace_replay(); everything else lives here.
#include <cstdint>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "hw_models/mac_array.hpp"

namespace nibble::replay {

struct ReplayOptions {
  std::filesystem::path chip;       // chip config JSON
  std::vector<std::string> sets;    // --set /json/pointer=value overrides of the chip config
  std::filesystem::path trace_dir;  // folder holding manifest.json
  std::filesystem::path out_dir;    // report.json / report.csv / summary.txt go here
  hw::FidelityMode mode = hw::FidelityMode::fast;  // fast or detailed (timing has no data)
  std::filesystem::path timeline;  // optional Chrome/Perfetto trace of block activity
  nlohmann::ordered_json invocation;  // report.json's "invocation" (sim/app/invocation.hpp)
};

// Runs the replay and writes the report. Returns the process exit code:
// 0 when every compared value matched, 1 when any mismatched. Bad input
// (missing/invalid trace or chip) throws InputError.
int run_trace_replay(const ReplayOptions& options);

}  // namespace nibble::replay
