#include "workloads/data/synthetic.hpp"

#include <algorithm>
#include <random>
#include <vector>

namespace nibble::data {

Dataset make_synthetic(int count, int rows, int cols, int num_classes, uint64_t seed,
                       uint64_t split) {
  // std::mt19937_64 is specified bit-for-bit by the standard; distributions
  // are not, so only raw engine output is used below.
  std::mt19937_64 rng(seed);
  const int size = rows * cols;
  std::vector<std::vector<int>> protos(num_classes, std::vector<int>(size, 0));
  for (auto& p : protos) {
    for (int blob = 0; blob < 3; ++blob) {
      const int cy = static_cast<int>(rng() % rows), cx = static_cast<int>(rng() % cols);
      const int r = 1 + static_cast<int>(rng() % std::max(1, rows / 5));
      for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
          if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r) p[y * cols + x] = 200;
    }
  }
  rng.seed(seed ^ ((split + 1) * 0x9E3779B97F4A7C15ull));  // the sample stream of this split
  Dataset ds;
  ds.count = count;
  ds.rows = rows;
  ds.cols = cols;
  ds.num_classes = num_classes;
  ds.pixels.resize(static_cast<size_t>(count) * size);
  ds.labels.resize(count);
  for (int i = 0; i < count; ++i) {
    const int label = static_cast<int>(rng() % num_classes);
    ds.labels[i] = static_cast<uint8_t>(label);
    const int gain = 60 + static_cast<int>(rng() % 41);  // brightness 60..100 %
    for (int j = 0; j < size; ++j) {
      const int noise = static_cast<int>(rng() % 61) - 30;
      const int v = protos[label][j] * gain / 100 + noise;
      ds.pixels[static_cast<size_t>(i) * size + j] = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
  return ds;
}

}  // namespace nibble::data
