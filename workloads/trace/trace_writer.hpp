#pragma once
// Records the ordered executor ops of chosen training steps: a decorator
// around the real executor, so what is traced is exactly what ran. Writes
// <dir>/manifest.json and <dir>/tensors/*.npy (docs/trace_format.md).
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "workloads/trace/trace_format.hpp"

namespace nibble::trace {

class TraceWriter : public train::Executor {
 public:
  TraceWriter(train::Executor& inner, std::string dir, std::vector<uint64_t> steps);
  std::vector<train::QTensor> quantize(const train::QuantizeOp& op) override;
  train::Mat gemm(const train::GemmOp& op) override;
  void weight_update(const train::UpdateOp& op) override;
  void begin_step(uint64_t step) override;
  void end_step() override;
  // Writes the manifest (with the run's report for context) atomically.
  void finish(const nlohmann::json& run_report);
  size_t steps_written() const { return steps_.size(); }

 private:
  nlohmann::json tensor(const std::string& name, const train::QTensor& t);
  nlohmann::json tensor(const std::string& name, const train::Mat& m);
  nlohmann::json register_json(const train::ScaleRegister& r) const;
  train::Executor& inner_;
  std::string dir_;
  std::set<uint64_t> wanted_;
  bool recording_ = false;
  uint64_t step_ = 0;
  int op_index_ = 0;
  nlohmann::json ops_;
  nlohmann::json steps_ = nlohmann::json::array();
};

}  // namespace nibble::trace
