#pragma once
// The training loop: deterministic shuffling, mini-batch SGD through the
// Executor, learning-rate schedule, evaluation. Single-threaded by design:
// the only parallelism is inside the numerics GEMMs, whose results do not
// depend on the thread count, so a seed fixes every bit.
#include <cstdint>
#include <functional>
#include <vector>

#include "workloads/data/dataset.hpp"
#include "workloads/trainer/model.hpp"
#include "workloads/trainer/numerics_health.hpp"
#include "workloads/trainer/recipe.hpp"

namespace nibble::train {

struct EpochRecord {
  int epoch = 0;
  uint64_t steps = 0;  // cumulative optimizer steps
  double lr = 0;       // at the last step of the epoch
  double train_loss = 0, train_accuracy = 0;
  double test_loss = 0, test_accuracy = 0;
  double seconds = 0;  // wall clock: never written into report.json
  // Numerics health of this epoch's training steps, per GEMM layer in
  // network order (numerics_health.hpp).
  std::vector<LayerHealthRecord> health;
};

struct Evaluation {
  double loss = 0, accuracy = 0;
  int count = 0;
};

struct Progress {
  int epoch = 0;
  int images_done = 0, images_total = 0;
  double running_loss = 0, running_accuracy = 0;
  double seconds = 0;
};

class Trainer {
 public:
  Trainer(Model& model, const Recipe& recipe, Executor& exec, uint64_t seed);
  EpochRecord train_epoch(const data::Dataset& train, int epoch, int total_epochs);
  Evaluation evaluate(const data::Dataset& ds, int batch = 100);
  // One optimizer step on a batch; returns the mean loss.
  double step(const Mat& x, const std::vector<uint8_t>& labels, double lr, int* correct);
  double learning_rate(uint64_t step, uint64_t total_steps, uint64_t steps_per_epoch) const;
  uint64_t steps_done() const { return step_; }
  std::function<void(const Progress&)> on_progress;  // called every few batches

  // Normalised inputs [n, H*W] for images [first, first+n) in `order`.
  static Mat batch_inputs(const data::Dataset& ds, const std::vector<int>& order, int first, int n);

 private:
  Model& model_;
  const Recipe& recipe_;
  Executor& exec_;
  uint64_t seed_;
  uint64_t step_ = 0;
  std::vector<Param*> params_;
};

}  // namespace nibble::train
