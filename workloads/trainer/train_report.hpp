#pragma once
// report.json of a training run: the effective recipe, the model, the seed
// and the per-epoch history. Holds nothing that depends on the wall clock,
// so the same inputs and seed give a byte-identical file.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "workloads/trainer/trainer.hpp"

namespace nibble::train {

struct RunInfo {
  std::string model_path, recipe_path;
  uint64_t seed = 0;
  int epochs = 0;
  int train_images = 0, test_images = 0;
  std::string dataset;
};

nlohmann::json make_train_report(Model& model, const Recipe& recipe, const RunInfo& info,
                                 const std::vector<EpochRecord>& history);
nlohmann::json epoch_json(const EpochRecord& r);
// report.json's "numerics_health": per epoch and layer, and run totals
// (docs/trainer.md "Numerics health"; the names under "totals" are read by
// nibble sweep --train).
// gemms: the model's GEMM layers in the records' order (for the formats).
nlohmann::json numerics_health_json(const std::vector<EpochRecord>& history,
                                    const std::vector<GemmLayer*>& gemms);
// The totals object (acc_saturations, fp4_underflow_fraction, ...) of some
// layer records.
nlohmann::json health_totals_json(const std::vector<LayerHealthRecord>& layers);
// One line for summary.txt: an epoch's totals and its worst layer.
std::string health_summary_line(const std::vector<LayerHealthRecord>& layers);

// Writes `content` to `path` through a temporary file in the same folder
// and a rename, so a reader never sees a half-written file.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace nibble::train
