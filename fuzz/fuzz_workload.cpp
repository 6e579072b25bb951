// Workload JSON (workloads/ir/workload_json.cpp), then MACs of every op.
#include "fuzz/fuzz_common.hpp"
#include "workloads/ir/workload_json.hpp"

NIBBLE_FUZZ_TARGET({
  const auto w =
      nibble::workload::read_workload(nibble::fuzz::write_input("workload.json", data, size));
  uint64_t total = 0;
  for (const auto& op : w.ops) total += nibble::workload::macs(op);
  (void)total;
})
