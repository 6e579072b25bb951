#pragma once
// FP operations per element of the SFU's element-wise functions (the `p` of
// docs/microarch.md section 3), by the workload's function name. A backward
// function ("<f>_backward") costs what its forward does. Unknown names cost 1
// op per element.
#include <cstdint>
#include <string_view>

namespace nibble::runner {

inline uint32_t sfu_ops_per_element(std::string_view function) {
  constexpr std::string_view suffix = "_backward";
  if (function.size() > suffix.size() && function.ends_with(suffix))
    function.remove_suffix(suffix.size());
  struct Entry {
    std::string_view name;
    uint32_t ops;
  };
  // relu: max(x,0); add: x+y; batchnorm: x*a+b (2); softmax: max, sub, exp,
  // sum, divide (5); layernorm: mean, var, sub, mul, add (5); gelu: tanh form (8);
  // maxpool3x3: 9 compares per output; global_avgpool: 1 add per input;
  // sgd_momentum with weight decay, as the recipes train: v = (mu*v + g) + wd*w;
  // w -= lr*v (6, FP32; numerics' sgd_momentum_update, which the closed loop's SFU runs).
  constexpr Entry table[] = {
      {"relu", 1},           {"add", 1},        {"add_relu", 2},       {"batchnorm", 2},
      {"batchnorm_relu", 3}, {"softmax", 5},    {"layernorm", 5},      {"add_layernorm", 6},
      {"gelu", 8},           {"maxpool3x3", 9}, {"global_avgpool", 1}, {"sgd_momentum", 6}};
  for (const Entry& e : table)
    if (e.name == function) return e.ops;
  return 1;
}

}  // namespace nibble::runner
