// GradScale register update rules (see gradscale.hpp).
#include "hw_models/numerics/gradscale.hpp"

#include <algorithm>
#include <cmath>

namespace nibble::num {

int gradscale_exp_from_max(double max_abs, int top_log2) {
  int e2;
  const double m = std::frexp(max_abs, &e2);  // max_abs = m * 2^e2, m in [0.5, 1)
  const int ceil_log2 = m == 0.5 ? e2 - 1 : e2;
  return ceil_log2 - top_log2;
}

int GradScaleState::clamp(int e) const {
  return std::clamp(e, cfg_.min_exp, cfg_.max_exp);
}

int GradScaleState::exp_for_tensor(double max_abs) {
  if (max_abs > 0 && std::isfinite(max_abs))
    exp_ = clamp(gradscale_exp_from_max(max_abs, cfg_.top_log2));
  return exp_;
}

void GradScaleState::update(const Fp4Counts& c) {
  total_saturated_ += c.saturated;
  total_underflow_ += c.underflow;
  if (c.total == 0) return;
  const double n = static_cast<double>(c.total);
  const double over = static_cast<double>(c.saturated) / n;
  const double under = static_cast<double>(c.underflow) / n;
  if (over > cfg_.overflow_tolerance) {
    exp_ = clamp(exp_ + cfg_.up_step);
    clean_steps_ = 0;
    return;
  }
  ++clean_steps_;
  if (under > cfg_.underflow_tolerance || clean_steps_ >= cfg_.growth_interval) {
    exp_ = clamp(exp_ - cfg_.down_step);
    clean_steps_ = 0;
  }
}

}  // namespace nibble::num
