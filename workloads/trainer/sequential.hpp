#pragma once
// An ordered list of layers: the whole network, or a branch of a residual
// block.
#include <memory>
#include <vector>

#include "workloads/trainer/layer.hpp"

namespace nibble::train {

class Sequential {
 public:
  void add(std::unique_ptr<Layer> l) { layers_.push_back(std::move(l)); }
  Mat forward(const Mat& x, StepContext& ctx);
  Mat backward(const Mat& dy, StepContext& ctx);
  void collect_params(std::vector<Param*>& out);
  void for_each_gemm(const std::function<void(GemmLayer&)>& f);
  bool output_nonnegative(bool in) const;
  bool empty() const { return layers_.empty(); }
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }

 private:
  std::vector<std::unique_ptr<Layer>> layers_;
};

}  // namespace nibble::train
