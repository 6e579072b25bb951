#pragma once
// GradScale: a per-layer power-of-two gradient scale s_g = 2^exp held in a
// scale register, chosen so the largest |gradient| lands at the top of the
// FP4 range (4^3 = 2^6).
// max mode: exp = ceil(log2(max|g|)) - top_log2, so max|g| * 2^-exp lies in
//   (2^(top_log2 - 1), 2^top_log2]; an all-zero tensor keeps the current exp.
// dynamic mode (no extra pass: uses the counts of the previous step):
//   over  = saturated / total, under = underflow / total
//   if over > overflow_tolerance:    exp += up_step, clean_steps = 0
//   else:
//     ++clean_steps
//     if under > underflow_tolerance or clean_steps >= growth_interval:
//                                    exp -= down_step, clean_steps = 0
//   exp is clamped to [min_exp, max_exp].
// (Like dynamic loss scaling, per layer: back off at once on overflow, probe
// a finer scale after a run of clean steps or when too much underflows.)
#include <cstdint>

#include "hw_models/numerics/fp4.hpp"

namespace nibble::num {

enum class GradScaleMode : uint8_t { max, dynamic };

struct GradScaleConfig {
  GradScaleMode mode = GradScaleMode::max;
  int top_log2 = kFp4MaxLog2;  // the largest FP4 magnitude, log2
  int initial_exp = 0;
  int min_exp = -64;
  int max_exp = 64;
  double overflow_tolerance = 0.0;  // fraction of saturated elements tolerated
  double underflow_tolerance =
      1.0;  // fraction of underflows that triggers a finer scale (1.0: never)
  int up_step = 1;
  int down_step = 1;
  int growth_interval = 100;  // clean steps before trying a finer scale
};

// Exact ceil(log2(max_abs)) - top_log2 (max_abs > 0, finite).
int gradscale_exp_from_max(double max_abs, int top_log2 = kFp4MaxLog2);

class GradScaleState {
 public:
  explicit GradScaleState(const GradScaleConfig& c = {}) : cfg_(c), exp_(c.initial_exp) {}
  int exp() const { return exp_; }
  // max mode: call before quantizing with this tensor's max-abs.
  int exp_for_tensor(double max_abs);
  // dynamic mode: call after quantizing a step with that step's counts.
  void update(const Fp4Counts& counts);
  uint64_t total_saturated() const { return total_saturated_; }
  uint64_t total_underflow() const { return total_underflow_; }
  int clean_steps() const { return clean_steps_; }

 private:
  int clamp(int e) const;
  GradScaleConfig cfg_;
  int exp_;
  int clean_steps_ = 0;
  uint64_t total_saturated_ = 0;
  uint64_t total_underflow_ = 0;
};

}  // namespace nibble::num
