#pragma once
// A network layer: forward and backward over a batch [N, C*H*W]. GEMM
// layers route their arithmetic through the Executor; element-wise layers
// (ReLU, pooling, batch norm, residual add) compute in FP32 here, as the
// chip's SFU does in higher precision.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workloads/trainer/executor.hpp"
#include "workloads/trainer/tensor.hpp"

namespace nibble::train {

// A trainable tensor with its gradient and SGD velocity.
struct Param {
  std::string layer;
  std::string name;
  Mat value, grad, velocity;
  bool decay = true;          // weight decay applies (not to biases/BN/PACT)
  float decay_override = -1;  // >= 0: use this weight decay instead
  // The update scales row o of grad by this (per-channel weight grids,
  // QTensor::row_factor); empty: no scaling.
  std::vector<float> grad_row_factor = {};
  void init_state() {
    grad = Mat::Zero(value.rows(), value.cols());
    velocity = Mat::Zero(value.rows(), value.cols());
  }
};

struct StepContext {
  Executor* exec = nullptr;
  bool training = true;
  uint64_t step = 0;
};

class GemmLayer;

class Layer {
 public:
  Layer(std::string name, Shape in, Shape out) : name_(std::move(name)), in_(in), out_(out) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  virtual Mat forward(const Mat& x, StepContext& ctx) = 0;
  // dy: gradient of the loss w.r.t. the output; returns it w.r.t. the input
  // (an empty matrix when the input gradient is not needed).
  virtual Mat backward(const Mat& dy, StepContext& ctx) = 0;
  virtual void collect_params(std::vector<Param*>& out) { (void)out; }
  // Visits GEMM layers in network order (nested blocks included).
  virtual void for_each_gemm(const std::function<void(GemmLayer&)>& f) { (void)f; }
  // Whether the output is >= 0 given whether the input is (decides between
  // UINT4 and signed INT4 activation quantization downstream).
  virtual bool output_nonnegative(bool input_nonnegative) const { return input_nonnegative; }

  const std::string& name() const { return name_; }
  Shape in_shape() const { return in_; }
  Shape out_shape() const { return out_; }

 protected:
  std::string name_;
  Shape in_, out_;
};

}  // namespace nibble::train
