#pragma once
// SCALE-Sim topology CSVs to the workload IR. Two forms, told apart by the
// header row:
//   conv: Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width,
//         Channels, Num Filter, Strides,      (no padding: P = (H-R)/stride+1)
//   GEMM: Layer, M, N, K,                     (C[M,N] = A[M,K] x B[K,N])
// A trailing comma is optional. As in SCALE-Sim (topology_utils.py), a conv
// row may carry a 9th value, the column stride (accepted when it equals
// Strides: Nibble's convolutions have one stride), and non-numeric text after
// a row's last comma (a comment such as "#dw") is dropped. Any malformed row
// is an InputError naming the file and line: a SCALE-Sim user should see the
// same layers, not a guess.
#include <filesystem>
#include <string>

#include "workloads/ir/workload.hpp"

namespace nibble::workload {

enum class TopologyForm : uint8_t { conv, gemm };

struct TopologyImport {
  TopologyForm form = TopologyForm::conv;
  Workload workload;  // forward ops, batch 1, one op per CSV row
};

// `text` is the file content, `source` its name for messages; ops get
// `precision` (SCALE-Sim has one word size, so any mode reproduces its cycles
// once the imported chip runs every mode at 1 MAC/PE/cycle).
TopologyImport parse_scalesim_topology(const std::string& text, const std::string& source,
                                       Precision precision = Precision::int4_int4);
TopologyImport read_scalesim_topology(const std::filesystem::path& path,
                                      Precision precision = Precision::int4_int4);

}  // namespace nibble::workload
