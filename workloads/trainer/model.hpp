#pragma once
// A network built from a JSON definition (workloads/nets/*.json, format in
// docs/trainer.md): shape inference, deterministic initialisation, and the
// list of GEMM layers in network order (first and last get their own
// precision in the recipe).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "workloads/trainer/gemm_layer.hpp"
#include "workloads/trainer/sequential.hpp"

namespace nibble::train {

struct Recipe;

class Model {
 public:
  // path names the file in errors; j is the parsed definition.
  static Model from_json(const nlohmann::json& j, const std::string& path, uint64_t seed);
  static Model load(const std::string& path, uint64_t seed);

  Mat forward(const Mat& x, StepContext& ctx) { return net_.forward(x, ctx); }
  void backward(const Mat& dlogits, StepContext& ctx) { net_.backward(dlogits, ctx); }
  // Resolves per-layer precisions from the recipe (first/last/pointwise rules).
  void apply_recipe(const Recipe& r);
  std::vector<Param*> params();
  std::vector<GemmLayer*> gemm_layers();

  const std::string& name() const { return name_; }
  Shape input_shape() const { return in_; }
  int classes() const { return classes_; }
  uint64_t parameter_count();

 private:
  std::string name_;
  Shape in_;
  int classes_ = 10;
  Sequential net_;
};

}  // namespace nibble::train
