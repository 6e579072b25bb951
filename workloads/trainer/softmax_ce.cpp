#include "workloads/trainer/softmax_ce.hpp"

#include <cmath>

namespace nibble::train {

LossResult softmax_cross_entropy(const Mat& logits, const std::vector<uint8_t>& labels) {
  const int n = static_cast<int>(logits.rows()), k = static_cast<int>(logits.cols());
  LossResult r;
  r.dlogits.resize(n, k);
  for (int i = 0; i < n; ++i) {
    int arg = 0;
    for (int j = 1; j < k; ++j)
      if (logits(i, j) > logits(i, arg)) arg = j;
    const float mx = logits(i, arg);
    double z = 0.0;
    for (int j = 0; j < k; ++j) z += std::exp(static_cast<double>(logits(i, j) - mx));
    const int y = labels[static_cast<size_t>(i)];
    r.loss += std::log(z) - static_cast<double>(logits(i, y) - mx);
    r.correct += arg == y;
    for (int j = 0; j < k; ++j) {
      const double p = std::exp(static_cast<double>(logits(i, j) - mx)) / z;
      r.dlogits(i, j) = static_cast<float>((p - (j == y ? 1.0 : 0.0)) / n);
    }
  }
  r.loss /= n;
  return r;
}

}  // namespace nibble::train
