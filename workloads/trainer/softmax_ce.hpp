#pragma once
// Softmax cross-entropy loss, averaged over the batch.
#include <cstdint>
#include <vector>

#include "workloads/trainer/tensor.hpp"

namespace nibble::train {

struct LossResult {
  double loss = 0.0;  // mean over the batch
  int correct = 0;    // argmax == label (first maximum on ties)
  Mat dlogits;        // (softmax - onehot) / batch
};

LossResult softmax_cross_entropy(const Mat& logits, const std::vector<uint8_t>& labels);

}  // namespace nibble::train
