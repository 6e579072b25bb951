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

// Writes `content` to `path` through a temporary file in the same folder
// and a rename, so a reader never sees a half-written file.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace nibble::train
