#pragma once
// The executor interface: every GEMM, every quantization (with its scale
// register update) and every weight update of a training step goes through
// it. The software executor (software_executor.hpp) computes them with the
// hw_models/numerics kernels; sim/ provides an executor backed by the
// simulated chip, and the trace writer (workloads/trace) records ops here.
// So an op carries everything the hardware needs: layer, pass, formats,
// shapes, codes, scales and TPR phases.
#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/numerics/block_fp4.hpp"
#include "hw_models/numerics/fp4.hpp"
#include "hw_models/numerics/fp4_channels.hpp"
#include "workloads/trainer/formats.hpp"
#include "workloads/trainer/tensor.hpp"

namespace nibble::train {

// A tensor as it enters the array. fp32 tensors carry `values`; quantized
// ones carry only codes (what the hardware moves), one per element:
//   int4/uint4 : codes8 (signed int8 -7..7 / 0..15), value = code * scale
//   fp4_radix4 : codes8 (bits 0..15),  value = fp4_decode(code, exp2)
//                (exp2 = GradScale exponent + TPR phase offset)
//   hfp8_*     : codes8 (bit pattern), value = decode(code) * scale
//   fp16       : codes16 (bit pattern), value = decode(code) * scale
// For gradients, `scale` of fp16/hfp8 is a power of two (per-layer loss
// scaling by the same max rule as GradScale); otherwise it is 1.
//   mxfp4/nvfp4: `blocks` (numerics/block_fp4.hpp), blocked along the K axis
//                of the GEMM that consumes the tensor, as the hardware
//                blocks it: blocks.rows x blocks.cols is the stored
//                [rows x cols] tensor, or its transpose when
//                `blocks_transposed` (then the blocks run down the stored
//                columns). `scale` is NVFP4's S_dec (1 for MXFP4).
struct QTensor {
  Format format = Format::fp32;
  Phase phase = Phase::none;
  float scale = 1.0f;
  int exp2 = 0;
  Mat values;  // fp32 only
  Code8Mat codes8;
  CodeMat codes16;
  num::BlockFp4Tensor blocks;
  bool blocks_transposed = false;
  // int4 weights with channel_grids: dW row o is multiplied by row_factor[o]
  // (tensor step / row o's step); empty otherwise.
  std::vector<float> row_factor;
  // fp4_radix4 dW copy with a per-channel GradScale: the grid exponent of
  // each output channel (GradScale exponent + TPR offset); exp2 is their
  // maximum, the dW GEMM's output scale, and dW row o is rescaled by
  // 2^(channel_exp2[o] - exp2). Empty otherwise.
  std::vector<int> channel_exp2;
  int rows_ = 0, cols_ = 0;
  int rows() const { return rows_; }
  int cols() const { return cols_; }
};

// State of one scale register (per layer and role). Which fields are used
// depends on the format: int4 weights keep `scale` (SAWB/max), uint4 PACT
// activations keep `scale` = alpha/15, FP4 gradients keep the power-of-two
// GradScale exponent and the overflow/underflow counts of the last tensor.
struct ScaleRegister {
  float scale = 1.0f;
  int32_t exponent = 0;
  uint64_t overflows = 0;
  uint64_t underflows = 0;
  bool initialised = false;  // false until the first tensor set it
  bool operator==(const ScaleRegister&) const = default;
};

// Numerics health counts of one op (docs/trainer.md "Numerics health"):
// an executor adds to them when the op points at some (the trainer does in
// training steps). Counted in the passes that already run (the quantizers'
// own clamps, the accumulator's saturation counter), so both executors give
// the same numbers.
struct QuantCounts {
  uint64_t elements = 0;      // elements quantized, summed over the copies produced
  uint64_t clipped = 0;       // changed by a clamp: int4/uint4 x outside the clip range
                              // (PACT alpha, weight alpha); FP4/E2M1: saturated
  uint64_t underflow = 0;     // FP4/E2M1: a nonzero element encoded as zero
  uint64_t scale_clamps = 0;  // mxfp4/nvfp4: block scales clamped (block_fp4.hpp)
  QuantCounts& operator+=(const QuantCounts& o) {
    elements += o.elements;
    clipped += o.clipped;
    underflow += o.underflow;
    scale_clamps += o.scale_clamps;
    return *this;
  }
  bool operator==(const QuantCounts&) const = default;
};
struct GemmCounts {
  uint64_t gemms = 0;
  uint64_t outputs = 0;          // M x N per GEMM
  uint64_t acc_saturations = 0;  // accumulator clamps (integer modes), all outputs
  GemmCounts& operator+=(const GemmCounts& o) {
    gemms += o.gemms;
    outputs += o.outputs;
    acc_saturations += o.acc_saturations;
    return *this;
  }
  bool operator==(const GemmCounts&) const = default;
};

// How a tensor is quantized; filled from the recipe.
struct QuantSpec {
  Format format = Format::fp32;
  // int4 weights: max|sawb|mse; activations (uint4, or int4 when the input
  // may be negative): pact; fp4 gradients: max|dynamic; fp16/hfp8
  // gradients: max (power-of-two loss scale) or none.
  std::string scale_mode = "none";
  std::string rounding = "nearest";  // or "stochastic" (fp4)
  double sawb_c1 = 0.0, sawb_c2 = 0.0;
  // int4 weights of a GEMM whose output feeds a BatchNorm: one grid per
  // output channel (row), num::quantize_int4_rows; the GEMMs keep the tensor
  // step and dW is rescaled per row (QTensor::row_factor).
  bool channel_grids = false;
  uint64_t seed = 0;
  // mxfp4/nvfp4: elements per block along K (32 | 16), 16x16 2-D tiles
  // (NVFP4 weights), the MXFP4 E8M0 scale rounding (floor | ceil | even).
  int block_size = 0;
  bool tiles_2d = false;
  std::string scale_rounding = "floor";
  // Radix-4 FP4 gradients, max GradScale: max|g| * 2^-exp lands in
  // (2^(t-1), 2^t] for t = grad_scale_top_log2. The default, log2 of the
  // largest code (64), saturates nothing; each step above it clips the
  // largest gradients to 64 and lifts one more octave of small ones above
  // the underflow threshold.
  int grad_scale_top_log2 = num::kFp4MaxLog2;
  // Radix-4 FP4 gradients: the last copy (dW's) gets one GradScale exponent
  // per output channel by the max rule (numerics/fp4_channels.hpp); the
  // dX copy and the layer's register keep grad_scale.
  bool dw_channel_scale = false;
  // The largest target a recipe or trace may give: 12 octaves above the top
  // code, the FP4 grid's whole span.
  static constexpr int kMaxGradScaleTopLog2 = num::kFp4MaxLog2 + 12;
};

// One block-scaled copy of a tensor (mxfp4/nvfp4 quantize ops): blocked
// along the stored rows (transposed = false) or down the stored columns
// (transposed = true, the K axis of a GEMM that reads the tensor
// transposed); `hadamard`: the 16-point random Hadamard transform along K
// first (NVFP4 recipe: the dW GEMM's operands), with sign vector sign_mask.
struct BlockLayout {
  bool transposed = false;
  bool hadamard = false;
  uint16_t sign_mask = 0;
  bool operator==(const BlockLayout&) const = default;
};

struct QuantizeOp {
  std::string layer;
  Role role = Role::weight;
  QuantSpec spec;
  // Copies to produce, one per TPR phase (gradients: {even, odd} or one
  // phase); {none} for weights and activations.
  std::vector<Phase> phases{Phase::none};
  // mxfp4/nvfp4: one output per layout instead (phases is {none}).
  std::vector<BlockLayout> layouts;
  const Mat* input = nullptr;     // FP32 tensor to quantize
  float pact_alpha = 0.0f;        // PACT clip (uint4/int4 activations)
  uint64_t step = 0;              // for counter-based stochastic rounding
  ScaleRegister* reg = nullptr;   // read and updated
  QuantCounts* counts = nullptr;  // optional: += this op's health counts
  // Gradients with spec.dw_channel_scale: where the output channels are
  // (convolutions: rows of [out_c x batch*pixels]; linear: columns of
  // [batch x out]).
  num::ChannelAxis channel_axis = num::ChannelAxis::rows;
};

// C[m,n] = op(A)[m,k] * op(B)[k,n]; op transposes a stored matrix when the
// flag is set (A stored [k,m] if a_trans). The result is FP32 holding the
// value the datapath delivers (e.g. the FP16-rounded accumulator).
struct GemmOp {
  std::string layer;
  Pass pass = Pass::forward;
  int m = 0, n = 0, k = 0;
  const QTensor* a = nullptr;
  bool a_trans = false;
  const QTensor* b = nullptr;
  bool b_trans = false;
  GemmCounts* counts = nullptr;  // optional: += this GEMM's health counts
};

// SGD with momentum and weight decay on FP32 master weights:
//   v = momentum * v + (g + weight_decay * w);  w -= lr * v
struct UpdateOp {
  std::string layer;
  std::string param;  // "weight", "bias", "gamma", "beta", "pact_alpha"
  Mat* weights = nullptr;
  const Mat* grad = nullptr;
  Mat* velocity = nullptr;
  float lr = 0, momentum = 0, weight_decay = 0;
  // Per-channel weight grids and/or per-channel GradScale of dW: row o's
  // gradient times row_factor[o] (the SFU applies it as it reads dW); empty
  // otherwise.
  std::span<const float> row_factor = {};
};

class Executor {
 public:
  virtual ~Executor() = default;
  // One tensor per requested phase; updates *op.reg.
  virtual std::vector<QTensor> quantize(const QuantizeOp& op) = 0;
  virtual Mat gemm(const GemmOp& op) = 0;
  virtual void weight_update(const UpdateOp& op) = 0;
  // Marks the start of a training step (tracing, per-step chip stats).
  virtual void begin_step(uint64_t step) { (void)step; }
  virtual void end_step() {}
};

}  // namespace nibble::train
