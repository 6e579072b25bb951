#pragma once
// "Arch nets": network descriptions for architecture studies
// (workloads/nets/*.json with "format": "nibble-arch-net"). Unlike the
// trainer's nets (mlp/cnn/resnet8.json), which infer shapes layer by layer
// for 28x28 inputs and have no grouped convs or attention, an arch net
// lists every compute layer with its shapes for ONE sample, so any net
// (depthwise convs, attention matmuls, 224x224 inputs) can be written down
// and checked by eye. Dimensions may name a parameter ("seq_len", or a product
// like "12*seq_len*seq_len") that the user can override.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workloads/ir/workload.hpp"

namespace nibble::workload {

enum class ArchLayerType : uint8_t { conv2d, linear, matmul, vector };

// Which precision family a layer uses; nullopt = the recipe decides.
enum class LayerPrecision : uint8_t { int4, hfp8, fp16 };

struct ArchLayer {
  std::string name;
  ArchLayerType type = ArchLayerType::conv2d;
  Conv2dShape conv;            // conv2d, batch = 1
  uint64_t in_features = 0;    // linear
  uint64_t out_features = 0;   // linear
  uint64_t tokens = 1;         // linear: rows per sample (sequence length)
  GemmShape matmul;            // matmul: activation x activation, per sample
  VectorShape vector;          // vector, elements per sample
  std::optional<LayerPrecision> precision;
};

struct ArchNet {
  std::string name;
  std::string description;
  // A whole network's first and last weight layers run in FP16 (the paper's
  // recipe); a single transformer block is an interior slice and has none.
  bool first_last_fp16 = true;
  std::map<std::string, uint64_t> parameters;
  std::vector<ArchLayer> layers;
};

// `overrides` replaces declared parameters (unknown names are an error).
ArchNet read_arch_net(const std::filesystem::path& path,
                      const std::map<std::string, uint64_t>& overrides = {});

// Options of the step generator.
struct StepOptions {
  uint64_t batch = 1;
  bool training = false;  // forward only, or forward + dX + dW + weight update
  bool hfp8_1x1 = false;  // pin 1x1 convolutions to HFP8, as in the paper's ResNets
};

// Lowers an arch net to the workload IR (see docs/workload_format.md for the
// exact ops a training step contains).
Workload generate_workload(const ArchNet& net, const StepOptions& opt);

}  // namespace nibble::workload
