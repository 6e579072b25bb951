#pragma once
// Puts a chip's area into a report: totals (area_mm2, the operating point and
// its voltage, where the PE area came from) and one "area" section per block
// kind with its mm^2 and leakage power at the operating point.
#include <nlohmann/json.hpp>
#include <string>

#include "hw_models/chip_params.hpp"
#include "sim/config/tech_params.hpp"
#include "sim/energy/area_model.hpp"
#include "sim/report/report.hpp"

namespace nibble::energy {

void add_area(report::Report& report, const ChipArea& area, const hw::ChipParams& chip,
              const config::TechParams& tech);

// The same figures as plain JSON, for reports that are not a report::Report
// (nibble train's report.json "chip.area"): total and per-kind mm^2 and
// leakage mW, the operating point, where the PE area came from, and peak
// TOPS/mm^2 and TOPS/W of every precision mode the PEs have a lane for.
nlohmann::ordered_json area_json(const ChipArea& area, const hw::ChipParams& chip,
                                 const config::TechParams& tech);

// One line for a summary.txt: "area 2.902 mm^2 (array 1.539, ...), peak
// 0.706 TOPS/mm^2 INT4 x INT4".
std::string area_line(const ChipArea& area, const hw::ChipParams& chip,
                      const config::TechParams& tech);

}  // namespace nibble::energy
