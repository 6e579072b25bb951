#include "workloads/trainer/sequential.hpp"

namespace nibble::train {

Mat Sequential::forward(const Mat& x, StepContext& ctx) {
  Mat h = x;
  for (auto& l : layers_) h = l->forward(h, ctx);
  return h;
}

Mat Sequential::backward(const Mat& dy, StepContext& ctx) {
  Mat g = dy;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    g = (*it)->backward(g, ctx);
    if (g.size() == 0) break;  // the first GEMM layer needs no input gradient
  }
  return g;
}

void Sequential::collect_params(std::vector<Param*>& out) {
  for (auto& l : layers_) l->collect_params(out);
}

void Sequential::for_each_gemm(const std::function<void(GemmLayer&)>& f) {
  for (auto& l : layers_) l->for_each_gemm(f);
}

bool Sequential::output_nonnegative(bool in) const {
  for (const auto& l : layers_) in = l->output_nonnegative(in);
  return in;
}

}  // namespace nibble::train
