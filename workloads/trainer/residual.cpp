#include "workloads/trainer/residual.hpp"

namespace nibble::train {

Residual::Residual(std::string name, Shape in, Shape out, Sequential body, Sequential shortcut)
    : Layer(std::move(name), in, out), body_(std::move(body)), shortcut_(std::move(shortcut)) {}

Mat Residual::forward(const Mat& x, StepContext& ctx) {
  Mat y = body_.forward(x, ctx);
  if (shortcut_.empty())
    y += x;
  else
    y += shortcut_.forward(x, ctx);
  return y;
}

Mat Residual::backward(const Mat& dy, StepContext& ctx) {
  Mat dx = body_.backward(dy, ctx);
  if (shortcut_.empty())
    dx += dy;
  else
    dx += shortcut_.backward(dy, ctx);
  return dx;
}

void Residual::collect_params(std::vector<Param*>& out) {
  body_.collect_params(out);
  shortcut_.collect_params(out);
}

void Residual::for_each_gemm(const std::function<void(GemmLayer&)>& f) {
  body_.for_each_gemm(f);
  shortcut_.for_each_gemm(f);
}

}  // namespace nibble::train
