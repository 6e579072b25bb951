#pragma once
// Strict reader of a trace folder (docs/trace_format.md). Opening checks the
// manifest (format name, version, op kinds and fields); load() checks each
// tensor file against its reference (dtype, shape, size). Every problem is
// an InputError naming the file and the JSON pointer.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "workloads/trace/trace_format.hpp"

namespace nibble::trace {

struct TraceOp {
  int index = 0;
  std::string kind;  // quantize | gemm | update
  std::string layer;
  std::string pointer;                       // JSON pointer of the op in the manifest
  std::map<std::string, TensorRef> tensors;  // gemm: a, b, result; quantize: input, output0..
  const nlohmann::json* json = nullptr;      // every other field
};

struct TraceStep {
  uint64_t step = 0;
  std::vector<TraceOp> ops;
};

class TraceReader {
 public:
  explicit TraceReader(std::string dir);
  const std::vector<TraceStep>& steps() const { return steps_; }
  const nlohmann::json& manifest() const { return manifest_; }
  // Loads one tensor as the executor type (codes unpacked, one per element).
  train::QTensor load(const TensorRef& ref) const;
  // Loads every tensor once: the full integrity check.
  void verify_all() const;

 private:
  TensorRef parse_ref(const nlohmann::json& j, const std::string& name,
                      const std::string& pointer) const;
  std::string dir_, manifest_path_;
  nlohmann::json manifest_;
  std::vector<TraceStep> steps_;
};

}  // namespace nibble::trace
