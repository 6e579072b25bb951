#pragma once
// The per-layer MAC table `nibble workload` and `nibble import` print and
// write as their report: one row per layer with its forward precision and the
// MACs of its forward, dX and dW passes, then the totals.
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "sim/report/report.hpp"
#include "workloads/ir/workload.hpp"

namespace nibble::app {

struct MacTable {
  struct Row {
    std::string layer;
    std::string precision;
    uint64_t macs[3] = {0, 0, 0};  // forward, dX, dW
  };
  std::vector<Row> rows;
  uint64_t totals[3] = {0, 0, 0};
};

inline MacTable mac_table(const workload::Workload& w) {
  using workload::Pass;
  MacTable t;
  std::map<std::string, size_t> index;
  for (const auto& op : w.ops) {
    if (!op.is_matrix()) continue;
    auto [it, fresh] = index.try_emplace(op.layer, t.rows.size());
    if (fresh) t.rows.push_back({op.layer, std::string(workload::to_string(op.precision))});
    const int col = op.pass == Pass::forward ? 0 : op.pass == Pass::dX ? 1 : 2;
    t.rows[it->second].macs[col] += workload::macs(op);
    t.totals[col] += workload::macs(op);
  }
  return t;
}

inline void print_mac_table(const workload::Workload& w) {
  const MacTable t = mac_table(w);
  std::printf("%-28s %-10s %16s %16s %16s\n", "layer", "fwd prec", "forward MACs", "dX MACs",
              "dW MACs");
  for (const auto& r : t.rows)
    std::printf("%-28s %-10s %16llu %16llu %16llu\n", r.layer.c_str(), r.precision.c_str(),
                static_cast<unsigned long long>(r.macs[0]),
                static_cast<unsigned long long>(r.macs[1]),
                static_cast<unsigned long long>(r.macs[2]));
  const uint64_t all = t.totals[0] + t.totals[1] + t.totals[2];
  std::printf("total: %.4f GMACs (forward %.4f, dX %.4f, dW %.4f); %zu ops, batch %llu\n",
              all / 1e9, t.totals[0] / 1e9, t.totals[1] / 1e9, t.totals[2] / 1e9, w.ops.size(),
              static_cast<unsigned long long>(w.batch));
}

// The same figures as a report (report.json, report.csv, summary.txt).
inline void add_mac_table(report::Report& rep, const workload::Workload& w) {
  const MacTable t = mac_table(w);
  rep.add_total("ops", static_cast<uint64_t>(w.ops.size()));
  rep.add_total("batch", static_cast<uint64_t>(w.batch));
  rep.add_total("macs", t.totals[0] + t.totals[1] + t.totals[2], "MAC");
  rep.add_total("forward_macs", t.totals[0], "MAC");
  rep.add_total("dx_macs", t.totals[1], "MAC");
  rep.add_total("dw_macs", t.totals[2], "MAC");
  for (const auto& r : t.rows)
    rep.add_section(r.layer, "layer")
        .add("precision", r.precision)
        .add("forward_macs", r.macs[0], "MAC")
        .add("dx_macs", r.macs[1], "MAC")
        .add("dw_macs", r.macs[2], "MAC");
}

}  // namespace nibble::app
