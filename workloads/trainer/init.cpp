#include "workloads/trainer/init.hpp"

#include <cmath>

namespace nibble::train {

Mat kaiming_uniform(int rows, int cols, int fan_in, std::mt19937_64& rng) {
  const double bound = std::sqrt(6.0 / fan_in);
  Mat w(rows, cols);
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
    w.data()[i] = static_cast<float>((2.0 * u - 1.0) * bound);
  }
  return w;
}

}  // namespace nibble::train
