#pragma once
// Tensor-level arithmetic that both the software executor
// (workloads/trainer/software_executor.cpp) and the chip's blocks (scale
// unit, LGU, SFU) perform. One copy on purpose: two copies of the same
// expression may be compiled differently (e.g. FMA contraction), and the
// closed-loop chip training must equal the software trainer bit for bit.
#include <cstdint>
#include <span>

#include "hw_models/numerics/float_format.hpp"

namespace nibble::num {

// max |x| (0 for an empty tensor; NaN-free inputs assumed, as the trainer's).
float max_abs(std::span<const float> x);

// log2 of the largest power of two not above a float format's max finite
// value: the top of the range a gradient's max-abs is scaled into.
int float_top_log2(const FloatFormat& f);

// Per-tensor power-of-two loss scale of an FP16/HFP8 gradient (max rule):
// exponent e with max|x| * 2^-e just below 2^float_top_log2; 0 when max is 0.
int float_gradient_exp(float max_abs_value, const FloatFormat& f);

// x * 2^-exp encoded in FP16 (binary16 bits) / an 8-bit float format. The
// power-of-two scaling is one exact multiply per element.
void fp32_to_fp16_scaled_bulk(std::span<const float> x, int exp, std::span<uint16_t> out);
void encode_float_scaled_bulk(const FloatFormat& f, std::span<const float> x, int exp,
                              std::span<uint8_t> out);

// SGD with momentum and weight decay on FP32 master weights, element-wise:
//   v = momentum * v + g + weight_decay * w;  w = w - lr * v
// (evaluated left to right, no fused multiply-add). With row_factor (one
// per row of a row-major w; per-channel weight grids, int4.hpp
// quantize_int4_rows) the gradient of row o is g * row_factor[o] first.
void sgd_momentum_update(std::span<float> w, std::span<float> v, std::span<const float> g, float lr,
                         float momentum, float weight_decay,
                         std::span<const float> row_factor = {});

}  // namespace nibble::num
