#include "sim/energy/energy_report.hpp"

namespace nibble::energy {

void add_energy(report::Report& report, const EnergyReport& e) {
  report.add_total("energy_pj", e.total_pj, "pJ",
                   "Dynamic energy of every block plus leakage over the run");
  report.add_total("tops", e.tops, "TOPS", "2 ops per real MAC over the run's time");
  report.add_total("tops_per_w", e.tops_per_w, "TOPS/W", "Ops per pJ of total energy");
  for (const auto& b : e.by_kind)
    report.add_section(b.block, "energy")
        .add("dynamic", b.dynamic_pj, "pJ")
        .add("leakage", b.leakage_pj, "pJ")
        .add("total", b.total_pj(), "pJ");
}

}  // namespace nibble::energy
