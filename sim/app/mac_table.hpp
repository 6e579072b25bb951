#pragma once
// The per-layer MAC table `nibble workload` and `nibble import onnx` print:
// one row per layer with its forward precision and the MACs of its forward,
// dX and dW passes, then the totals.
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "workloads/ir/workload.hpp"

namespace nibble::app {

inline void print_mac_table(const workload::Workload& w) {
  using workload::Pass;
  struct LayerRow {
    std::string layer;
    std::string precision;
    uint64_t macs[3] = {0, 0, 0};  // forward, dX, dW
  };
  std::vector<LayerRow> rows;
  std::map<std::string, size_t> index;
  uint64_t totals[3] = {0, 0, 0};
  for (const auto& op : w.ops) {
    if (!op.is_matrix()) continue;
    auto [it, fresh] = index.try_emplace(op.layer, rows.size());
    if (fresh) rows.push_back({op.layer, std::string(workload::to_string(op.precision))});
    const int col = op.pass == Pass::forward ? 0 : op.pass == Pass::dX ? 1 : 2;
    rows[it->second].macs[col] += workload::macs(op);
    totals[col] += workload::macs(op);
  }
  std::printf("%-28s %-10s %16s %16s %16s\n", "layer", "fwd prec", "forward MACs", "dX MACs",
              "dW MACs");
  for (const auto& r : rows)
    std::printf("%-28s %-10s %16llu %16llu %16llu\n", r.layer.c_str(), r.precision.c_str(),
                static_cast<unsigned long long>(r.macs[0]),
                static_cast<unsigned long long>(r.macs[1]),
                static_cast<unsigned long long>(r.macs[2]));
  const uint64_t all = totals[0] + totals[1] + totals[2];
  std::printf("total: %.4f GMACs (forward %.4f, dX %.4f, dW %.4f); %zu ops, batch %llu\n",
              all / 1e9, totals[0] / 1e9, totals[1] / 1e9, totals[2] / 1e9, w.ops.size(),
              static_cast<unsigned long long>(w.batch));
}

}  // namespace nibble::app
