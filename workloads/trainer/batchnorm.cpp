#include "workloads/trainer/batchnorm.hpp"

#include <cmath>

namespace nibble::train {

BatchNorm::BatchNorm(std::string name, Shape s, float momentum, float eps)
    : Layer(std::move(name), s, s), momentum_(momentum), eps_(eps) {
  gamma_ = {name_, "gamma", Mat::Ones(1, s.c), {}, {}, false};
  beta_ = {name_, "beta", Mat::Zero(1, s.c), {}, {}, false};
  gamma_.init_state();
  beta_.init_state();
  running_mean_ = Vec::Zero(s.c);
  running_var_ = Vec::Ones(s.c);
}

void BatchNorm::collect_params(std::vector<Param*>& out) {
  out.push_back(&gamma_);
  out.push_back(&beta_);
}

Mat BatchNorm::forward(const Mat& x, StepContext& ctx) {
  const int n = static_cast<int>(x.rows()), hw = in_.h * in_.w;
  Mat y(x.rows(), x.cols());
  if (ctx.training) {
    xhat_.resize(x.rows(), x.cols());
    inv_std_.resize(in_.c);
  }
  const double count = static_cast<double>(n) * hw;
  for (int c = 0; c < in_.c; ++c) {
    float mean, inv;
    if (ctx.training) {
      // Statistics in double, summed in a fixed order: deterministic and
      // free of cancellation for large batches.
      double s = 0.0, s2 = 0.0;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < hw; ++j) {
          const double v = x(i, c * hw + j);
          s += v;
          s2 += v * v;
        }
      const double m = s / count;
      const double var = std::max(0.0, s2 / count - m * m);
      mean = static_cast<float>(m);
      inv = static_cast<float>(1.0 / std::sqrt(var + eps_));
      inv_std_(c) = inv;
      const double unbiased = count > 1 ? var * count / (count - 1) : var;
      running_mean_(c) = (1 - momentum_) * running_mean_(c) + momentum_ * mean;
      running_var_(c) =
          (1 - momentum_) * running_var_(c) + momentum_ * static_cast<float>(unbiased);
    } else {
      mean = running_mean_(c);
      inv = 1.0f / std::sqrt(running_var_(c) + eps_);
    }
    const float g = gamma_.value(0, c), b = beta_.value(0, c);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < hw; ++j) {
        const float xh = (x(i, c * hw + j) - mean) * inv;
        if (ctx.training) xhat_(i, c * hw + j) = xh;
        y(i, c * hw + j) = g * xh + b;
      }
  }
  return y;
}

Mat BatchNorm::backward(const Mat& dy, StepContext&) {
  const int n = static_cast<int>(dy.rows()), hw = in_.h * in_.w;
  const float count = static_cast<float>(n) * hw;
  Mat dx(dy.rows(), dy.cols());
  for (int c = 0; c < in_.c; ++c) {
    double sum_dy = 0.0, sum_dy_xh = 0.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < hw; ++j) {
        sum_dy += dy(i, c * hw + j);
        sum_dy_xh += static_cast<double>(dy(i, c * hw + j)) * xhat_(i, c * hw + j);
      }
    gamma_.grad(0, c) = static_cast<float>(sum_dy_xh);
    beta_.grad(0, c) = static_cast<float>(sum_dy);
    const float k = gamma_.value(0, c) * inv_std_(c) / count;
    const float mdy = static_cast<float>(sum_dy), mdyx = static_cast<float>(sum_dy_xh);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < hw; ++j) {
        const int idx = c * hw + j;
        dx(i, idx) = k * (count * dy(i, idx) - mdy - xhat_(i, idx) * mdyx);
      }
  }
  return dx;
}

}  // namespace nibble::train
