#include "hw_models/numerics/fp4_channels.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/gradscale.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"

namespace nibble::num {
namespace {

void check_shape(const char* what, std::size_t n, int rows, int cols, std::size_t channels,
                 ChannelAxis axis) {
  if (rows < 0 || cols < 0 || n != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
    throw InputError(std::string(what) + ": " + std::to_string(n) + " elements for a " +
                     std::to_string(rows) + " x " + std::to_string(cols) + " tensor");
  if (channels != static_cast<std::size_t>(channel_count(rows, cols, axis)))
    throw InputError(std::string(what) + ": " + std::to_string(channels) + " channel entries for " +
                     std::to_string(channel_count(rows, cols, axis)) + " channels");
}

}  // namespace

void channel_max_abs(std::span<const float> x, int rows, int cols, ChannelAxis axis,
                     std::span<float> out) {
  check_shape("channel_max_abs", x.size(), rows, cols, out.size(), axis);
  std::fill(out.begin(), out.end(), 0.0f);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const float a = std::fabs(x[static_cast<std::size_t>(r) * cols + c]);
      float& m = out[axis == ChannelAxis::rows ? r : c];
      if (a > m) m = a;
    }
}

int channel_gradscale_exps(std::span<const float> channel_max, int top_log2, int fallback_exp,
                           std::span<int> exps) {
  if (exps.size() != channel_max.size())
    throw InputError("channel_gradscale_exps: " + std::to_string(exps.size()) + " exponents for " +
                     std::to_string(channel_max.size()) + " channels");
  int top = fallback_exp;
  for (std::size_t c = 0; c < exps.size(); ++c) {
    const float m = channel_max[c];
    exps[c] = m > 0 && std::isfinite(m) ? gradscale_exp_from_max(m, top_log2) : fallback_exp;
    top = c == 0 ? exps[c] : std::max(top, exps[c]);
  }
  return top;
}

int fp4_channel_grid_exps(std::span<const float> channel_max, int top_log2, int fallback_exp,
                          TprPhase phase, const Fp4Config& c, std::span<int> grid_exp) {
  const int top = channel_gradscale_exps(channel_max, top_log2, fallback_exp, grid_exp);
  for (int& e : grid_exp) e = fp4_grid_exp(e, phase, c);
  return fp4_grid_exp(top, phase, c);
}

void fp4_quantize_channels(std::span<const float> x, int rows, int cols, ChannelAxis axis,
                           std::span<const int> grid_exp, const Fp4Config& c, uint64_t index_base,
                           std::span<uint8_t> codes, Fp4Counts* counts) {
  check_shape("fp4_quantize_channels", x.size(), rows, cols, grid_exp.size(), axis);
  if (codes.size() != x.size())
    throw InputError("fp4_quantize_channels: " + std::to_string(codes.size()) + " codes for " +
                     std::to_string(x.size()) + " elements");
  const auto w = static_cast<std::size_t>(cols);
  for (int r = 0; r < rows; ++r) {
    const std::size_t at = static_cast<std::size_t>(r) * w;
    if (axis == ChannelAxis::rows) {
      // A row is one channel: the vectorised quantizer on one grid.
      fp4_quantize_bulk(x.subspan(at, w), grid_exp[r], c, index_base + at, codes.subspan(at, w),
                        counts);
      continue;
    }
    for (std::size_t k = 0; k < w; ++k)
      codes[at + k] = fp4_encode(x[at + k], grid_exp[k], c, index_base + at + k, counts);
  }
}

}  // namespace nibble::num
