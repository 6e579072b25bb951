#pragma once
// A training recipe (configs/recipes/*.json, keys in docs/trainer.md): the
// optimizer, the per-layer precision policy and every knob of each number
// format. Parsed strictly: unknown keys and wrong types are InputErrors
// naming the file and the JSON pointer.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "workloads/trainer/gemm_layer.hpp"
#include "workloads/trainer/software_executor.hpp"

namespace nibble::train {

struct OptimizerConfig {
  double lr = 0.05;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  int batch = 64;
  std::string schedule = "cosine";  // cosine | step | constant
  int step_epochs = 2;              // step: decay every N epochs
  double step_gamma = 0.1;
  int warmup_steps = 0;  // linear warm-up from 0
};

struct Recipe {
  std::string name;
  std::string path;
  nlohmann::json effective;  // the recipe after --set overrides
  OptimizerConfig optimizer;
  GemmSettings gemm;
  // Which "gemm" keys the recipe (file or overrides) gives: on a chip the
  // chip config owns the arithmetic, and a given key must agree with it.
  struct GemmGiven {
    bool accumulation = false, acc_bits = false, chunk = false;
  } gemm_given;
  // Precision policy: names of precisions (fp32, fp16, hfp8, ibm4).
  std::string default_precision = "fp32";
  std::string first_layer = "default", last_layer = "default", pointwise_conv = "default";
  // Convolutions whose output keeps the input image's height and width (the
  // first stage of a ResNet, before any stride or pooling).
  std::string full_resolution_conv = "default";
  std::map<std::string, std::string> layer_precision;  // by layer name
  std::map<std::string, LayerPrecision> precisions;    // resolved formats per precision name

  static Recipe from_json(const nlohmann::json& j, const std::string& path);
  // Reads the file, applies `--set /pointer=value` overrides, parses.
  static Recipe load(const std::string& path, const std::vector<std::string>& overrides);
  const LayerPrecision& precision(const std::string& precision_name) const;
};

}  // namespace nibble::train
