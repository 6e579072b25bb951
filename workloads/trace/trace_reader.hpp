#pragma once
// Strict reader of a trace folder (docs/trace_format.md). Opening checks the
// manifest (format name, version, op kinds and fields); load() checks each
// tensor file against its reference (dtype, shape, size). Every problem is
// an InputError naming the file and the JSON pointer; shapes are checked
// against each other (a GEMM's m, n, k against its operands) and against
// the memory budget before any tensor is loaded.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "workloads/trace/trace_format.hpp"

namespace nibble::trace {

// One recorded op, every field checked and typed when the manifest is read
// (the replay never touches the JSON). The executor ops' tensor pointers are
// left null: the replay points them at the loaded tensors.
struct TraceOp {
  int index = 0;
  std::string kind;  // quantize | gemm | update
  std::string layer;
  std::string pointer;                       // JSON pointer of the op in the manifest
  std::map<std::string, TensorRef> tensors;  // gemm: a, b, result; quantize: input, output0..
  train::GemmOp gemm;                        // kind == gemm
  train::QuantizeOp quantize;                // kind == quantize
  train::ScaleRegister register_before, register_after;
  size_t outputs = 0;
  train::UpdateOp update;                // kind == update
  const nlohmann::json* json = nullptr;  // the op in the manifest, for tools and tests
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
  TraceOp parse_op(const nlohmann::json& j, const std::string& pointer, size_t position) const;
  std::string dir_, manifest_path_;
  nlohmann::json manifest_;
  std::vector<TraceStep> steps_;
};

}  // namespace nibble::trace
