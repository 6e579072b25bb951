#pragma once
// Pooling window geometry shared by max and average pooling.
#include "workloads/trainer/tensor.hpp"

namespace nibble::train {

struct PoolGeometry {
  int kernel = 2, stride = 2, padding = 0;
  // Output shape; throws InputError naming `where` when it is empty.
  Shape output(Shape in, const std::string& where) const;
};

}  // namespace nibble::train
