#pragma once
// What the closed-loop tests share: source paths, a per-process scratch
// folder, and the small CNN (the cnn.json layer types: conv, ReLU, max pool,
// linear) on 8x8 images that keeps DETAILED mode on a 4x4 array fast.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace nibble::test {

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
inline std::string tiny_cnn(const std::string& dir, const std::string& description) {
  const std::string path = dir + "/tiny_cnn.json";
  std::ofstream(path) << R"({
  "version": 1, "name": "tiny_cnn", "description": ")"
                      << description << R"(",
  "input": [1, 8, 8], "classes": 10,
  "layers": [
    {"type": "conv2d", "name": "conv1", "out_channels": 4, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "maxpool", "kernel": 2},
    {"type": "conv2d", "name": "conv2", "out_channels": 8, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "maxpool", "kernel": 2},
    {"type": "linear", "name": "fc1", "out": 16},
    {"type": "relu"},
    {"type": "linear", "name": "fc2", "out": 10}
  ]})";
  return path;
}

}  // namespace nibble::test
