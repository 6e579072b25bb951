// ONNX models (workloads/importers/onnx_model.cpp, onnx_graph.cpp), lowered
// to a workload as nibble import onnx does.
#include "fuzz/fuzz_common.hpp"
#include "workloads/importers/onnx_model.hpp"

NIBBLE_FUZZ_TARGET({
  const auto imported =
      nibble::workload::read_onnx_model(nibble::fuzz::write_input("model.onnx", data, size));
  (void)nibble::workload::generate_workload(imported.net,
                                            {.batch = imported.model_batch, .training = true});
})
