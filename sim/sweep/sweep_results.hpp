#pragma once
// Merging finished points into DIR/results.csv (one row per point: id,
// status, the swept values, then the run totals) and DIR/layers.csv (per
// finished point and layer: cycles and energy summed over the layer's ops),
// both written atomically. Used at the end of a local sweep and by
// `nibble sweep collect DIR` after a Slurm array.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/sweep/sweep_manifest.hpp"

namespace nibble::sweep {

// The totals of `nibble run`'s report.json copied into results.csv, in order.
inline const std::vector<std::string>& result_totals() {
  static const std::vector<std::string> names = {
      "cycles",     "seconds",    "macs",       "ops",          "energy_pj", "tops",
      "tops_per_w", "dram_bytes", "sram_bytes", "stall_cycles", "area_mm2",  "leakage_pj"};
  return names;
}

struct CollectSummary {
  size_t finished = 0;
  std::vector<std::string> failed;   // with a .failed.json record
  std::vector<std::string> missing;  // neither finished nor failed
};

// Per-layer totals of one report: layers in first-appearance order.
struct LayerTotals {
  std::string layer;
  double cycles = 0;
  double energy_pj = 0;
};

// Reads one point's report.json. Throws InputError naming the file when it
// is not a `nibble run` report (no totals object).
struct PointReport {
  std::vector<std::string> totals;  // text per result_totals() name ("" when absent)
  std::vector<LayerTotals> layers;
};
PointReport read_point_report(const std::filesystem::path& report_json);

// Per-layer totals of a report's op list (`nibble run`'s /ops, `nibble
// train`'s /chip/ops): cycles and energy_pj summed per layer over its ops.
std::vector<LayerTotals> layer_totals(const nlohmann::json& ops);
// layers.csv rows of one point.
std::string layers_csv_rows(const std::string& point, const std::vector<LayerTotals>& layers);

// Writes results.csv and layers.csv (training sweeps: also summary.csv, see
// train_results.hpp).
CollectSummary collect_results(const SweepDir& dir, const SweepManifest& m);

// One CSV field (RFC 4180 quoting when needed).
std::string csv_field(const std::string& text);

}  // namespace nibble::sweep
