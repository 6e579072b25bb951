#pragma once
// The plain-software executor: FP32 GEMMs with Eigen, every quantized GEMM
// and every quantizer through the hw_models/numerics kernels (the same
// functions the simulated datapath calls, so a chip-backed executor can be
// bit-exact with this one).
#include <map>
#include <string>
#include <vector>

#include "hw_models/numerics/gradscale.hpp"
#include "workloads/trainer/executor.hpp"

namespace nibble::train {

// Array accumulation settings for the quantized GEMMs (recipe "gemm").
struct GemmSettings {
  std::string accumulation = "int_exact";  // int_exact (fp32 for float GEMMs) | fp16_chunked
  int acc_bits = 32;
  int chunk = 64;
  int threads = 1;  // numerics GEMM workers: results are independent of it
};

struct ExecutorStats {
  uint64_t gemms = 0, quantizations = 0, updates = 0;
  uint64_t accumulator_saturations = 0;
};

class SoftwareExecutor : public Executor {
 public:
  explicit SoftwareExecutor(GemmSettings s = {}) : settings_(s) {}
  std::vector<QTensor> quantize(const QuantizeOp& op) override;
  Mat gemm(const GemmOp& op) override;
  void weight_update(const UpdateOp& op) override;
  const ExecutorStats& stats() const { return stats_; }

 private:
  std::vector<QTensor> quantize_gradient(const QuantizeOp& op);
  std::vector<QTensor> quantize_blocks(const QuantizeOp& op);
  GemmSettings settings_;
  ExecutorStats stats_;
  // Dynamic GradScale keeps a clean-step counter beside each layer's
  // exponent register; ordered map: deterministic iteration.
  std::map<std::string, num::GradScaleState> dynamic_gradscale_;
  std::vector<float> block_scratch_;  // block_values of a transposed / Hadamard layout, reused
};

// Dequantized FP32 values of a tensor in any format (for tests and traces).
Mat dequantize(const QTensor& t);

}  // namespace nibble::train
