#pragma once
// What the closed-loop tests share: source paths, a per-process scratch
// folder, and the small CNN (the cnn.json layer types: conv, ReLU, max pool,
// linear) on 8x8 images that keeps DETAILED mode on a 4x4 array fast.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "workloads/trainer/numerics_health.hpp"

namespace nibble::test {

// Every health counter of some layer records, flattened (equality checks
// between the software and the chip executors).
inline std::vector<uint64_t> health_values(const std::vector<train::LayerHealthRecord>& layers) {
  std::vector<uint64_t> v;
  for (const auto& l : layers) {
    const train::LayerHealth& h = l.health;
    for (const train::GemmCounts* g : {&h.forward, &h.dx, &h.dw})
      v.insert(v.end(), {g->gemms, g->outputs, g->acc_saturations});
    for (const train::QuantCounts* q : {&h.weights, &h.activations, &h.gradients})
      v.insert(v.end(), {q->elements, q->clipped, q->underflow, q->scale_clamps});
    v.insert(v.end(), {h.gradscale_updates, h.gradscale_changes});
  }
  return v;
}
// The accumulator saturations of some layer records, all passes.
inline uint64_t saturations(const std::vector<train::LayerHealthRecord>& layers) {
  uint64_t n = 0;
  for (const auto& l : layers)
    n += l.health.forward.acc_saturations + l.health.dx.acc_saturations +
         l.health.dw.acc_saturations;
  return n;
}

inline std::string source_path(const std::string& rel) {
  return std::string(NIBBLE_SOURCE_DIR) + "/" + rel;
}

// BINARY_DIR/test_tmp/<suite>.<pid>/<name>, emptied.
inline std::string temp_dir(const std::string& suite, const std::string& name) {
  const std::filesystem::path p = std::filesystem::path(NIBBLE_BINARY_DIR) / "test_tmp" /
                                  (suite + "." + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

// conv1 and fc2 are a recipe's first and last layers; conv2 and fc1 its
// interior ones (K of 36, 72, 16, 128; batch x pixels 4 x 16 for dW).
// batchnorm: conv2 (without its bias) feeds a BatchNorm, as per-channel
// weight grids need.
inline std::string tiny_cnn(const std::string& dir, const std::string& description,
                            bool batchnorm = false) {
  const std::string path = dir + "/tiny_cnn.json";
  std::ofstream(path) << R"({
  "version": 1, "name": "tiny_cnn", "description": ")"
                      << description << R"(",
  "input": [1, 8, 8], "classes": 10,
  "layers": [
    {"type": "conv2d", "name": "conv1", "out_channels": 4, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "maxpool", "kernel": 2},
    {"type": "conv2d", "name": "conv2", "out_channels": 8, "kernel": 3, "padding": 1)"
                      << (batchnorm ? R"(, "bias": false},
    {"type": "batchnorm"},)"
                                    : "},")
                      << R"(
    {"type": "relu"},
    {"type": "maxpool", "kernel": 2},
    {"type": "linear", "name": "fc1", "out": 16},
    {"type": "relu"},
    {"type": "linear", "name": "fc2", "out": 10}
  ]})";
  return path;
}

}  // namespace nibble::test
