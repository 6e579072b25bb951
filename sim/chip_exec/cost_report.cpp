#include "sim/chip_exec/cost_report.hpp"

#include <map>
#include <string>

namespace nibble::chip_exec {
namespace {

nlohmann::ordered_json energy_json(const energy::EnergyReport& e) {
  nlohmann::ordered_json j;
  j["total"] = e.total_pj;
  for (const auto& b : e.by_kind) j[b.block] = b.total_pj();
  return j;
}

}  // namespace

nlohmann::ordered_json ops_json(const ChipExecutor& exec) {
  // Group the buckets by (layer, pass), keeping first-seen order.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const CostBucket*>> groups;
  for (const CostBucket& b : exec.buckets()) {
    const auto key = std::make_pair(b.layer, b.pass);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&b);
  }
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (const auto& key : order) {
    nlohmann::ordered_json op;
    op["name"] = key.first + "." + key.second;
    op["layer"] = key.first;
    op["pass"] = key.second;
    uint64_t cycles = 0;
    double energy_pj = 0;
    nlohmann::ordered_json passes = nlohmann::ordered_json::array();
    for (const CostBucket* b : groups[key]) {
      const energy::EnergyReport e = exec.energy_of(b->counters, b->cycles);
      cycles += b->cycles;
      energy_pj += e.total_pj;
      passes.push_back({{"kind", b->kind},
                        {"calls", b->calls},
                        {"cycles", b->cycles},
                        {"energy_pj", energy_json(e)}});
    }
    op["cycles"] = cycles;
    op["energy_pj"] = energy_pj;
    op["passes"] = std::move(passes);
    ops.push_back(std::move(op));
  }
  return ops;
}

StepFigures step_figures(const ChipExecutor& exec) {
  StepFigures f;
  f.steps = exec.steps();
  const energy::EnergyReport e = exec.energy_of(exec.training().counters, exec.training().cycles);
  f.seconds = static_cast<double>(exec.training().cycles) / exec.clock_hz();
  f.energy_j = e.total_pj * 1e-12;
  f.tops_per_w = e.tops_per_w;
  if (f.steps > 0) {
    f.cycles_per_step = static_cast<double>(exec.training().cycles) / static_cast<double>(f.steps);
    f.energy_uj_per_step = e.total_pj * 1e-6 / static_cast<double>(f.steps);
  }
  return f;
}

nlohmann::ordered_json training_totals_json(const ChipExecutor& exec) {
  const StepFigures f = step_figures(exec);
  const energy::EnergyReport e = exec.energy_of(exec.training().counters, exec.training().cycles);
  nlohmann::ordered_json j;
  j["steps"] = f.steps;
  j["cycles"] = exec.training().cycles;
  j["cycles_per_step"] = f.cycles_per_step;
  j["energy_pj"] = e.total_pj;
  j["energy_uj_per_step"] = f.energy_uj_per_step;
  j["simulated_seconds"] = f.seconds;
  j["energy_j"] = f.energy_j;
  j["ops"] = e.ops;
  j["tops_per_w"] = e.tops_per_w;
  j["energy_by_block_pj"] = energy_json(e);
  return j;
}

}  // namespace nibble::chip_exec
