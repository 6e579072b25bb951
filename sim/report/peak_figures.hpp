#pragma once
// A chip's peak figures from its config alone (no simulation): what the
// datasheet would print. Counting 2 ops per MAC, as vendors do.
#include <array>
#include <cstdint>

#include "hw_models/chip_params.hpp"
#include "sim/config/tech_params.hpp"
#include "sim/report/report.hpp"

namespace nibble::report {

struct PrecisionPeak {
  const char* mode;         // key of macs_per_cycle_per_pe: int4_int4, ...
  bool floating_point;      // TFLOPS rather than TOPS
  uint64_t macs_per_cycle;  // whole chip
  double tera_ops_per_s;    // 2 ops per MAC at the chip clock
  double tops_per_w =
      0;  // peak efficiency (sim/energy/peak_efficiency.hpp); 0: no tech table given
};

struct PeakFigures {
  uint32_t cores = 0;
  uint64_t pes = 0;
  double clock_mhz = 0;
  std::array<PrecisionPeak, 6> modes{};
  uint64_t scratchpad_bytes = 0;
  double dram_gb_per_s = 0;
};

PeakFigures peak_figures(const hw::ChipParams& chip);
// The same plus peak TOPS/W per precision mode from the chip's tech table.
PeakFigures peak_figures(const hw::ChipParams& chip, const config::TechParams& tech);

// The figures as report totals plus one section per precision mode.
void add_peak_figures(Report& report, const PeakFigures& peak);

}  // namespace nibble::report
