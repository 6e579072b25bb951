#pragma once
// Puts an energy result into a report: totals (energy_pj, tops, tops_per_w,
// the key names issue 6 fixes for report.json) and one "energy" section per
// block kind (dynamic, leakage, total pJ).
#include "sim/energy/energy_model.hpp"
#include "sim/report/report.hpp"

namespace nibble::energy {

void add_energy(report::Report& report, const EnergyReport& energy);

}  // namespace nibble::energy
