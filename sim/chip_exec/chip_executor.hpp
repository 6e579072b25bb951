#pragma once
// The chip-backed executor (issue 7): every GEMM, quantization, scale
// register update and weight update of the trainer runs on a simulated chip
// (hw::Chip in FAST mode, DETAILED selectable for small arrays), and the
// chip's outputs are what training continues from.
//   GEMM        compiler plan (plan_gemm) with the op's operand codes, run by
//               the cores' controllers and arrays; transposed operands are
//               read column-wise by the mapper (docs/microarch.md section 8),
//               so they cost nothing extra.
//   quantize    weights: scale-unit statistics pass (SAWB/max alpha) over
//               the FP32 masters as the update pass streams them (no second
//               DRAM read), register write, quantize pass, INT4 codes written
//               to DRAM; activations:
//               PACT register write + quantize pass; FP4 gradients: statistics
//               pass (max GradScale; none for dynamic), register write, LGU
//               (both TPR phases); FP16/HFP8: statistics + convert pass;
//               MXFP4/NVFP4: per layout (block_quant.hpp) a block-maxima
//               pass in the scale unit, the LGU's Hadamard stage and E2M1
//               encoder, codes and scales written to DRAM.
//   update      read w, v (FP32) and g (FP16) by DMA, SFU SGD pass, write w, v.
// Arithmetic is numerics' one copy (the same functions SoftwareExecutor
// calls), so the executor equals SoftwareExecutor bit for bit when the chip's
// accumulator settings equal the recipe's. Costs (cycles, block counters for
// energy) are accumulated per (layer, pass) inside training steps, separately
// for inference (evaluation) outside steps.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hw_models/chip_params.hpp"
#include "hw_models/mac_array.hpp"
#include "hw_models/numerics/gradscale.hpp"
#include "sim/config/tech_params.hpp"
#include "sim/energy/energy_model.hpp"
#include "workloads/trainer/executor.hpp"

namespace nibble::chip_exec {

class ChipSession;

// Cycles and block counters of one kind of work (e.g. conv2's dW GEMMs).
struct CostBucket {
  std::string layer, pass, kind;  // pass: forward|grad_input|grad_weight|grad_quantize|update
  uint64_t calls = 0;
  uint64_t cycles = 0;
  std::vector<uint64_t> counters;  // deltas, in the session's stat registry order
};

struct CostTotals {
  uint64_t cycles = 0;
  std::vector<uint64_t> counters;
};

class ChipExecutor : public train::Executor {
 public:
  ChipExecutor(const hw::ChipParams& chip, const config::TechParams& tech, hw::FidelityMode mode);
  ~ChipExecutor() override;

  std::vector<train::QTensor> quantize(const train::QuantizeOp& op) override;
  train::Mat gemm(const train::GemmOp& op) override;
  void weight_update(const train::UpdateOp& op) override;
  void begin_step(uint64_t step) override;
  void end_step() override;

  // Per (layer, pass, kind) costs of the training steps, in first-seen order.
  const std::vector<CostBucket>& buckets() const { return buckets_; }
  const CostTotals& training() const { return training_; }    // inside steps
  const CostTotals& inference() const { return inference_; }  // outside steps (evaluation)
  uint64_t steps() const { return steps_; }
  // Energy of a set of counter deltas over `cycles` (leakage included).
  energy::EnergyReport energy_of(const std::vector<uint64_t>& counters, uint64_t cycles) const;
  const hw::ChipParams& chip_params() const { return chip_; }
  double clock_hz() const { return chip_.clock_mhz * 1e6; }

 private:
  template <class Job>
  void run_op(const std::string& layer, const char* pass, const char* kind, Job&& job);
  uint32_t register_index(const std::string& layer, train::Role role);
  uint64_t accumulator_saturations() const;  // summed over the cores' arrays
  std::vector<train::QTensor> quantize_gradient(const train::QuantizeOp& op, uint32_t reg_index);
  std::vector<train::QTensor> quantize_blocks(const train::QuantizeOp& op, uint32_t reg_index);

  hw::ChipParams chip_;
  config::TechParams tech_;
  std::unique_ptr<ChipSession> session_;
  bool in_step_ = false;
  uint64_t steps_ = 0;
  std::vector<CostBucket> buckets_;
  std::map<std::string, size_t>
      bucket_index_;  // "layer|pass|kind" -> buckets_ (per op, not per cycle)
  CostTotals training_, inference_;
  std::vector<uint64_t> before_, after_;
  std::vector<const uint64_t*> saturation_counters_;
  std::map<std::string, uint32_t> registers_;  // "layer|role" -> scale register
  std::map<std::string, num::GradScaleState> dynamic_gradscale_;
  std::vector<float> block_scratch_;  // block_values of a layout, reused across ops
};

}  // namespace nibble::chip_exec
