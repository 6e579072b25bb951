#include "workloads/data/dataset.hpp"

namespace nibble::data {

void Dataset::truncate(int n) {
  if (n < 0 || n >= count) return;
  count = n;
  pixels.resize(static_cast<size_t>(n) * image_size());
  labels.resize(static_cast<size_t>(n));
}

}  // namespace nibble::data
