#include "sim/runner/run_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace nibble::runner {
namespace {

using report::OrderedJson;

OrderedJson pass_json(const PassResult& p) {
  OrderedJson j = OrderedJson::object();
  j["kind"] = p.kind;
  j["cycles"] = p.cycles;
  j["stall_cycles"] = {{"dram", p.stall_dram},
                       {"bank_conflict", p.stall_bank_conflict},
                       {"dependency", p.stall_dependency}};
  j["utilization"] = p.utilization;
  j["sram_bytes"] = p.sram_bytes;
  j["dram_bytes"] = p.dram_bytes;
  OrderedJson e = OrderedJson::object();
  e["total"] = p.energy_pj;
  for (const auto& [kind, pj] : p.energy_by_kind) e[kind] = pj;
  j["energy_pj"] = std::move(e);
  return j;
}

// SCALE-Sim-convention cycles + named differences = Nibble's cycles.
OrderedJson account_json(const CycleAccount& a) {
  OrderedJson j = OrderedJson::object();
  j["scalesim_v2_cycles"] = a.scalesim_cycles;
  j["scalesim_v2_stall_cycles"] = a.scalesim_stalls;
  OrderedJson d = OrderedJson::object();
  for (size_t i = 0; i < kNumAccountTerms; ++i) d[std::string(kAccountTermNames[i])] = a.terms[i];
  j["differences"] = std::move(d);
  j["nibble_cycles"] = a.nibble_cycles;
  return j;
}

OrderedJson op_json(const OpResult& op) {
  OrderedJson j = OrderedJson::object();
  j["name"] = op.name;
  j["layer"] = op.layer;
  j["pass"] = op.pass;
  j["type"] = op.type;
  j["precision"] = op.precision;
  j["count"] = op.count;
  j["macs"] = op.macs;
  j["cycles"] = op.cycles;
  j["energy_pj"] = op.energy_pj;
  OrderedJson passes = OrderedJson::array();
  for (const auto& p : op.passes) passes.push_back(pass_json(p));
  j["passes"] = std::move(passes);
  if (op.account.valid) j["cycle_account"] = account_json(op.account);
  return j;
}

std::string exact(double v) {
  return report::format_exact(v);
}

}  // namespace

void add_run(report::Report& rep, const RunResult& r) {
  const RunTotals& t = r.totals;
  const double seconds = r.clock_mhz > 0 ? double(t.cycles) / (r.clock_mhz * 1e6) : 0.0;
  const uint64_t ops = 2 * t.macs;
  rep.add_total("cycles", t.cycles, "cycles", "Chip cycles of the whole workload (ops in order)");
  rep.add_total("seconds", seconds, "s", "cycles / clock");
  rep.add_total("macs", t.macs, "MACs", "Real multiply-accumulates");
  rep.add_total("ops", ops, "ops", "2 per real MAC");
  rep.add_total("energy_pj", t.energy_pj, "pJ", "Sum of the ops' energy (dynamic + leakage)");
  rep.add_total("tops", seconds > 0 ? double(ops) / seconds / 1e12 : 0.0, "TOPS", "ops / seconds");
  rep.add_total("tops_per_w", t.energy_pj > 0 ? double(ops) / t.energy_pj : 0.0, "TOPS/W",
                "ops per pJ");
  rep.add_total("dram_bytes", t.dram_bytes, "bytes", "Off-chip traffic");
  rep.add_total("sram_bytes", t.sram_bytes, "bytes", "Scratchpad reads + writes, all cores");
  rep.add_total("stall_cycles", t.stall_dram + t.stall_bank_conflict + t.stall_dependency, "cycles",
                "Array stall cycles, summed over cores");
  rep.add_total("stall_cycles_dram", t.stall_dram, "cycles");
  rep.add_total("stall_cycles_bank_conflict", t.stall_bank_conflict, "cycles");
  rep.add_total("stall_cycles_dependency", t.stall_dependency, "cycles");
  rep.add_total("leakage_pj", t.leakage_pj, "pJ", "The leakage part of energy_pj");

  // summary.txt: one row per layer, in order of first appearance.
  struct Layer {
    uint64_t cycles = 0, macs = 0;
    double busy_peak = 0;  // sum over array passes of cycles x peak (utilisation denominator)
    double energy = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, Layer> layers;
  for (const auto& op : r.ops) {
    auto [it, fresh] = layers.try_emplace(op.layer);
    if (fresh) order.push_back(op.layer);
    Layer& l = it->second;
    l.cycles += op.cycles;
    l.macs += op.macs;
    l.energy += op.energy_pj;
    for (const auto& p : op.passes)
      if (p.utilization > 0) l.busy_peak += double(p.macs) / p.utilization;
  }
  for (const auto& name : order) {
    const Layer& l = layers[name];
    rep.add_section(name, "layer")
        .add("cycles", l.cycles)
        .add("macs", l.macs)
        .add("utilization", l.busy_peak > 0 ? double(l.macs) / l.busy_peak : 0.0)
        .add("energy", l.energy, "pJ");
  }
  for (size_t k = 0; k < r.energy_by_kind.size(); ++k) {
    auto& s = rep.add_section(r.energy_by_kind[k].first, "energy")
                  .add("total", r.energy_by_kind[k].second, "pJ");
    if (k < r.leakage_by_kind.size()) s.add("leakage", r.leakage_by_kind[k].second, "pJ");
  }
  // The cycle account (--explain): per op, SCALE-Sim's cycles, every
  // difference (fixed columns, zeros included) and Nibble's cycles.
  for (const auto& op : r.ops) {
    if (!op.account.valid) continue;
    auto& sec = rep.add_section(op.name, "cycle account");
    sec.add("scalesim_v2", op.account.scalesim_cycles, "cycles");
    for (size_t i = 0; i < kNumAccountTerms; ++i)
      sec.add(std::string(kAccountTermNames[i]), op.account.terms[i], "cycles");
    sec.add("nibble", op.account.nibble_cycles, "cycles");
  }

  OrderedJson ops_json = OrderedJson::array();
  for (const auto& op : r.ops) ops_json.push_back(op_json(op));
  rep.add_json("mode", r.mode);
  rep.add_json("ops", std::move(ops_json));
  // Every block counter of the stats registry over the run (count-scaled).
  OrderedJson counters = OrderedJson::object();
  for (size_t i = 0; i < r.counters.size(); ++i)
    counters[r.counters[i].first] = {{"value", r.counters[i].second},
                                     {"unit", r.counter_units[i].first}};
  rep.add_json("counters", std::move(counters));

  // report.csv: one row per (op, pass); energy columns per block kind.
  std::vector<std::string> kinds;
  for (const auto& op : r.ops)
    for (const auto& p : op.passes)
      for (const auto& [kind, pj] : p.energy_by_kind)
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  std::vector<std::string> header{"op",
                                  "layer",
                                  "pass",
                                  "type",
                                  "precision",
                                  "count",
                                  "pass_kind",
                                  "macs",
                                  "cycles",
                                  "stall_dram",
                                  "stall_bank_conflict",
                                  "stall_dependency",
                                  "utilization",
                                  "sram_bytes",
                                  "dram_bytes",
                                  "energy_pj"};
  for (const auto& k : kinds) header.push_back("energy_pj_" + k);
  std::vector<std::vector<std::string>> rows;
  for (const auto& op : r.ops)
    for (const auto& p : op.passes) {
      std::vector<std::string> row{op.name,
                                   op.layer,
                                   op.pass,
                                   op.type,
                                   op.precision,
                                   fmt::format("{}", op.count),
                                   p.kind,
                                   fmt::format("{}", p.macs),
                                   fmt::format("{}", p.cycles),
                                   fmt::format("{}", p.stall_dram),
                                   fmt::format("{}", p.stall_bank_conflict),
                                   fmt::format("{}", p.stall_dependency),
                                   exact(p.utilization),
                                   fmt::format("{}", p.sram_bytes),
                                   fmt::format("{}", p.dram_bytes),
                                   exact(p.energy_pj)};
      for (const auto& k : kinds) {
        double v = 0;
        for (const auto& [kind, pj] : p.energy_by_kind)
          if (kind == k) v = pj;
        row.push_back(exact(v));
      }
      rows.push_back(std::move(row));
    }
  rep.set_csv_table(std::move(header), std::move(rows));
}

}  // namespace nibble::runner
