#pragma once
// Puts a chip's area into a report: totals (area_mm2, the operating point and
// its voltage, where the PE area came from) and one "area" section per block
// kind with its mm^2 and leakage power at the operating point.
#include "hw_models/chip_params.hpp"
#include "sim/config/tech_params.hpp"
#include "sim/energy/area_model.hpp"
#include "sim/report/report.hpp"

namespace nibble::energy {

void add_area(report::Report& report, const ChipArea& area, const hw::ChipParams& chip,
              const config::TechParams& tech);

}  // namespace nibble::energy
