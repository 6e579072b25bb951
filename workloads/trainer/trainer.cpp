#include "workloads/trainer/trainer.hpp"

#include <chrono>
#include <cmath>
#include <numbers>
#include <random>

#include "workloads/trainer/softmax_ce.hpp"

namespace nibble::train {
namespace {

// Fashion-MNIST training-set pixel mean and standard deviation (of x/255).
constexpr float kPixelMean = 0.2860f;
constexpr float kPixelStd = 0.3530f;

// Fisher-Yates from raw engine bits (std::shuffle's use of the engine is
// implementation-defined).
std::vector<int> shuffled(int n, uint64_t seed) {
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[rng() % static_cast<uint64_t>(i + 1)]);
  return order;
}

}  // namespace

Trainer::Trainer(Model& model, const Recipe& recipe, Executor& exec, uint64_t seed)
    : model_(model), recipe_(recipe), exec_(exec), seed_(seed) {
  model_.apply_recipe(recipe_);
  params_ = model_.params();
}

Mat Trainer::batch_inputs(const data::Dataset& ds, const std::vector<int>& order, int first,
                          int n) {
  const int size = ds.image_size();
  Mat x(n, size);
  for (int i = 0; i < n; ++i) {
    const uint8_t* px = ds.pixels.data() + static_cast<size_t>(order[first + i]) * size;
    for (int j = 0; j < size; ++j) x(i, j) = (px[j] / 255.0f - kPixelMean) / kPixelStd;
  }
  return x;
}

double Trainer::learning_rate(uint64_t step, uint64_t total_steps, uint64_t steps_per_epoch) const {
  const auto& o = recipe_.optimizer;
  double lr = o.lr;
  if (o.warmup_steps > 0 && step < static_cast<uint64_t>(o.warmup_steps))
    return lr * static_cast<double>(step + 1) / o.warmup_steps;
  if (o.schedule == "cosine" && total_steps > 0)
    lr *= 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(step) /
                                static_cast<double>(total_steps)));
  if (o.schedule == "step" && steps_per_epoch > 0)
    lr *= std::pow(o.step_gamma, static_cast<double>(step / steps_per_epoch /
                                                     static_cast<uint64_t>(o.step_epochs)));
  return lr;
}

double Trainer::step(const Mat& x, const std::vector<uint8_t>& labels, double lr, int* correct) {
  StepContext ctx{&exec_, true, step_};
  exec_.begin_step(step_);
  const Mat logits = model_.forward(x, ctx);
  LossResult loss = softmax_cross_entropy(logits, labels);
  model_.backward(loss.dlogits, ctx);
  const auto& o = recipe_.optimizer;
  for (Param* p : params_) {
    const float wd = p->decay_override >= 0
                         ? p->decay_override
                         : (p->decay ? static_cast<float>(o.weight_decay) : 0.0f);
    UpdateOp u{p->layer,
               p->name,
               &p->value,
               &p->grad,
               &p->velocity,
               static_cast<float>(lr),
               static_cast<float>(o.momentum),
               wd,
               p->grad_row_factor};
    exec_.weight_update(u);
  }
  exec_.end_step();
  ++step_;
  if (correct) *correct = loss.correct;
  return loss.loss;
}

EpochRecord Trainer::train_epoch(const data::Dataset& train, int epoch, int total_epochs) {
  const auto t0 = std::chrono::steady_clock::now();
  const int batch = recipe_.optimizer.batch;
  const int n = train.count;
  const uint64_t steps_per_epoch = static_cast<uint64_t>((n + batch - 1) / batch);
  const uint64_t total_steps = steps_per_epoch * static_cast<uint64_t>(total_epochs);
  // uint64 step schedule: epoch e always uses shuffle seed (seed, e).
  const auto order = shuffled(n, seed_ * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch));
  double loss_sum = 0.0;
  int correct_sum = 0;
  double lr = 0;
  for (GemmLayer* g : model_.gemm_layers()) g->reset_health();
  for (int first = 0; first < n; first += batch) {
    const int b = std::min(batch, n - first);
    const Mat x = batch_inputs(train, order, first, b);
    std::vector<uint8_t> labels(b);
    for (int i = 0; i < b; ++i) labels[i] = train.labels[order[first + i]];
    lr = learning_rate(step_, total_steps, steps_per_epoch);
    int correct = 0;
    loss_sum += step(x, labels, lr, &correct) * b;
    correct_sum += correct;
    if (on_progress && ((first / batch) % 20 == 19 || first + b == n)) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      on_progress({epoch, first + b, n, loss_sum / (first + b),
                   static_cast<double>(correct_sum) / (first + b), secs});
    }
  }
  EpochRecord r;
  r.epoch = epoch;
  r.steps = step_;
  r.lr = lr;
  r.train_loss = n ? loss_sum / n : 0.0;
  r.train_accuracy = n ? static_cast<double>(correct_sum) / n : 0.0;
  for (GemmLayer* g : model_.gemm_layers())
    r.health.push_back({g->name(), g->precision().name, g->health()});
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

Evaluation Trainer::evaluate(const data::Dataset& ds, int batch) {
  std::vector<int> order(ds.count);
  for (int i = 0; i < ds.count; ++i) order[i] = i;
  Evaluation e;
  double loss_sum = 0.0;
  int correct = 0;
  for (int first = 0; first < ds.count; first += batch) {
    const int b = std::min(batch, ds.count - first);
    const Mat x = batch_inputs(ds, order, first, b);
    std::vector<uint8_t> labels(ds.labels.begin() + first, ds.labels.begin() + first + b);
    StepContext ctx{&exec_, false, step_};
    const LossResult l = softmax_cross_entropy(model_.forward(x, ctx), labels);
    loss_sum += l.loss * b;
    correct += l.correct;
  }
  e.count = ds.count;
  e.loss = ds.count ? loss_sum / ds.count : 0.0;
  e.accuracy = ds.count ? static_cast<double>(correct) / ds.count : 0.0;
  return e;
}

}  // namespace nibble::train
