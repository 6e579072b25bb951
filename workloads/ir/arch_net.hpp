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

#include <nlohmann/json.hpp>

#include "workloads/ir/workload.hpp"

namespace nibble::workload {

enum class ArchLayerType : uint8_t { conv2d, linear, matmul, vector };

// Which precision family a layer uses; nullopt = the recipe decides.
enum class LayerPrecision : uint8_t { int4, hfp8, fp16 };

struct ArchLayer {
  std::string name;
  ArchLayerType type = ArchLayerType::conv2d;
  Conv2dShape conv;           // conv2d, batch = 1
  uint64_t in_features = 0;   // linear
  uint64_t out_features = 0;  // linear
  uint64_t tokens = 1;        // linear: rows per sample (sequence length)
  GemmShape matmul;           // matmul: activation x activation, per sample
  VectorShape vector;         // vector, elements per sample
  std::optional<LayerPrecision> precision;
};

struct ArchNet {
  std::string name;
  std::string description;
  // A slice from the middle of a network (one transformer block): its first
  // and last layers are not the network's, so they keep the INT4 recipe, and
  // its first layer still propagates dX to the layers before it.
  bool interior_block = false;
  std::map<std::string, uint64_t> parameters;
  std::vector<ArchLayer> layers;
};

// `overrides` replaces declared parameters (unknown names are an error).
ArchNet read_arch_net(const std::filesystem::path& path,
                      const std::map<std::string, uint64_t>& overrides = {});

// The trainer's format (docs/trainer.md), which read_arch_net also accepts:
// a document without "format" but with "input" is one.
ArchNet arch_net_from_trainer_json(const nlohmann::json& doc, const std::string& file);

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
