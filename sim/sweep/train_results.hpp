#pragma once
// Merging a training sweep's finished points (each a `nibble train --chip`
// report.json) into DIR/results.csv, DIR/layers.csv and DIR/summary.csv,
// written atomically; docs/sweeps.md "Training sweeps" lists the columns.
//
// results.csv: one row per point: point, status, the swept values, the
// budget that ran (net, recipe, mode, epochs, batch, train_images,
// test_images, and seed when it is not swept), the final epoch's accuracy
// and losses, the chip figures of the training steps (means per step over
// all of them, and their totals), area and leakage power, then one
// health_<name> column per scalar of /numerics_health/totals in any
// finished point's report (empty where a report lacks it).
//
// summary.csv: one row per combination of the axes other than "seed", in
// point order: how many seeds finished, the mean and sample standard
// deviation over them of each metric, and whether the combination is on
// the Pareto front of (test accuracy up, energy per step down, cycles per
// step down) over the means.
#include <string>
#include <vector>

#include "sim/sweep/sweep_results.hpp"

namespace nibble::sweep {

// Columns after the axes, before the health_* ones (seed_column: whether a
// "seed" budget column is written, i.e. the seed is not swept).
std::vector<std::string> train_result_columns(bool seed_column);
// The metrics summary.csv averages, in order (before the health_* ones).
const std::vector<std::string>& train_summary_metrics();

// One training point's report.json, read. Throws InputError naming the file
// when it is not a `nibble train --chip` report.
struct TrainPointReport {
  std::vector<std::string> values;                          // per train_result_columns(true)
  std::vector<std::pair<std::string, std::string>> health;  // health_<name>, value
  std::vector<LayerTotals> layers;
};
TrainPointReport read_train_point_report(const std::filesystem::path& report_json);

CollectSummary collect_train_results(const SweepDir& dir, const SweepManifest& m);

}  // namespace nibble::sweep
