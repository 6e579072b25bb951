#include "hw_models/numerics/tensor_ops.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/gradscale.hpp"
#include "hw_models/numerics/quantize_bulk.hpp"

namespace nibble::num {
namespace {

void check_same(const char* what, size_t a, size_t b) {
  if (a != b)
    throw InputError(std::string(what) + ": tensor sizes differ (" + std::to_string(a) + " vs " +
                     std::to_string(b) + ")");
}

// Scales x by 2^-exp in chunks (a stack buffer: no allocation) and hands
// each chunk to `encode`.
template <class Out, class Encode>
void scaled_chunks(std::span<const float> x, int exp, std::span<Out> out, Encode encode) {
  if (exp == 0) return encode(x, out);
  const float factor = std::ldexp(1.0f, -exp);
  std::array<float, 1024> buf;
  for (size_t i = 0; i < x.size(); i += buf.size()) {
    const size_t n = std::min(buf.size(), x.size() - i);
    for (size_t j = 0; j < n; ++j) buf[j] = x[i + j] * factor;
    encode(std::span<const float>(buf.data(), n), out.subspan(i, n));
  }
}

}  // namespace

float max_abs(std::span<const float> x) {
  float m = 0.0f;
  for (float v : x) m = std::max(m, std::fabs(v));
  return m;
}

int float_top_log2(const FloatFormat& f) {
  return static_cast<int>(std::floor(std::log2(max_finite(f))));
}

int float_gradient_exp(float max_abs_value, const FloatFormat& f) {
  if (!(max_abs_value > 0) || !std::isfinite(max_abs_value)) return 0;
  return gradscale_exp_from_max(max_abs_value, float_top_log2(f));
}

void fp32_to_fp16_scaled_bulk(std::span<const float> x, int exp, std::span<uint16_t> out) {
  check_same("fp32_to_fp16_scaled_bulk", x.size(), out.size());
  scaled_chunks(x, exp, out,
                [](std::span<const float> a, std::span<uint16_t> b) { fp32_to_fp16_bulk(a, b); });
}

void encode_float_scaled_bulk(const FloatFormat& f, std::span<const float> x, int exp,
                              std::span<uint8_t> out) {
  check_same("encode_float_scaled_bulk", x.size(), out.size());
  scaled_chunks(x, exp, out, [&f](std::span<const float> a, std::span<uint8_t> b) {
    encode_float_bulk(f, a, b);
  });
}

void sgd_momentum_update(std::span<float> w, std::span<float> v, std::span<const float> g, float lr,
                         float momentum, float weight_decay, std::span<const float> row_factor) {
  check_same("sgd_momentum_update (w, v)", w.size(), v.size());
  check_same("sgd_momentum_update (w, grad)", w.size(), g.size());
  if (!row_factor.empty() && w.size() % row_factor.size() != 0)
    throw SimulationError("sgd_momentum_update: " + std::to_string(row_factor.size()) +
                          " row factors do not divide " + std::to_string(w.size()) + " weights");
  // Without row factors the whole tensor is one row whose gradient is used as is.
  const size_t rows = row_factor.empty() ? 1 : row_factor.size();
  const size_t cols = w.size() / rows;
  for (size_t r = 0; r < rows; ++r) {
    const bool scaled = !row_factor.empty();
    const float factor = scaled ? row_factor[r] : 1.0f;
    for (size_t i = r * cols; i < (r + 1) * cols; ++i) {
      const float gi = scaled ? g[i] * factor : g[i];
      const float mv = momentum * v[i];
      const float mvg = mv + gi;
      const float decay = weight_decay * w[i];
      v[i] = mvg + decay;
      const float step = lr * v[i];
      w[i] = w[i] - step;
    }
  }
}

}  // namespace nibble::num
