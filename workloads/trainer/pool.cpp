#include "workloads/trainer/pool.hpp"

#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"

namespace nibble::train {

Shape PoolGeometry::output(Shape in, const std::string& where) const {
  const int oh = (in.h + 2 * padding - kernel) / stride + 1;
  const int ow = (in.w + 2 * padding - kernel) / stride + 1;
  if (kernel <= 0 || stride <= 0 || padding < 0 || oh <= 0 || ow <= 0)
    throw InputError(
        fmt::format("{}: window kernel {} stride {} padding {} does not fit a {}x{} input", where,
                    kernel, stride, padding, in.h, in.w));
  return {in.c, oh, ow};
}

}  // namespace nibble::train
