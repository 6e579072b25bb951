#pragma once
// Per-channel GradScale of the radix-4 FP4 copy of an output gradient that
// feeds the dW GEMM (docs/numerics.md section 4, "Per-channel GradScale of
// dW"). dW[o, :] = sum over batch x pixels of dY[o, n] * X[:, n]: output
// channel o of dY meets only row o of dW, so each channel can sit on its own
// power-of-two grid and the factor 2^(e_o - e_top) comes out of the GEMM as
// a per-row factor of dW. dX = W^T dY sums over the channels, so its copy
// keeps the layer's one exponent.
//
// Channels of a row-major [rows x cols] gradient: its rows (convolutions,
// dY as [out_c x batch*pixels]) or its columns (linear layers, dY as
// [batch x out]).
#include <cstdint>
#include <span>

#include "hw_models/numerics/fp4.hpp"

namespace nibble::num {

enum class ChannelAxis : uint8_t { rows, cols };

inline int channel_count(int rows, int cols, ChannelAxis axis) {
  return axis == ChannelAxis::rows ? rows : cols;
}

// out[c] = max |x| over channel c (NaN compares false and is skipped; an
// infinity is kept). out.size() must be the channel count.
void channel_max_abs(std::span<const float> x, int rows, int cols, ChannelAxis axis,
                     std::span<float> out);

// The max GradScale rule per channel: exps[c] = ceil(log2(max[c])) - top_log2
// (gradscale_exp_from_max); a channel whose max is 0 or not finite gets
// fallback_exp (the layer's exponent). Returns the largest exponent.
int channel_gradscale_exps(std::span<const float> channel_max, int top_log2, int fallback_exp,
                           std::span<int> exps);

// The copy's grids: channel_gradscale_exps plus the TPR phase offset of
// each; returns the largest grid (the copy's exp2, the dW GEMM's scale).
int fp4_channel_grid_exps(std::span<const float> channel_max, int top_log2, int fallback_exp,
                          TprPhase phase, const Fp4Config& c, std::span<int> grid_exp);

// Quantize with channel c on grid grid_exp[c] (GradScale exponent plus the
// TPR phase offset). Element i (row-major) keeps the stochastic counter
// index_base + i, as in fp4_quantize_bulk; counts add up over the tensor.
void fp4_quantize_channels(std::span<const float> x, int rows, int cols, ChannelAxis axis,
                           std::span<const int> grid_exp, const Fp4Config& c, uint64_t index_base,
                           std::span<uint8_t> codes, Fp4Counts* counts = nullptr);

}  // namespace nibble::num
