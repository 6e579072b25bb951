#include "sim/report/peak_figures.hpp"

#include "sim/energy/peak_efficiency.hpp"

namespace nibble::report {

PeakFigures peak_figures(const hw::ChipParams& chip) {
  PeakFigures p;
  p.cores = chip.num_cores();
  p.clock_mhz = chip.clock_mhz;
  p.dram_gb_per_s = chip.dram.bandwidth_gb_per_s;
  p.modes = {{{"int4_int4", false, 0, 0},
              {"int4_fp4", false, 0, 0},
              {"hfp8", true, 0, 0},
              {"fp16", true, 0, 0},
              {"mxfp4", true, 0, 0},
              {"nvfp4", true, 0, 0}}};
  const Precision order[] = {Precision::int4_int4, Precision::int4_fp4, Precision::hfp8,
                             Precision::fp16,      Precision::mxfp4,    Precision::nvfp4};
  for (const auto& group : chip.cores) {
    const uint64_t pes = uint64_t{group.array.rows} * group.array.cols * group.count;
    p.pes += pes;
    p.scratchpad_bytes += group.scratchpad.size_bytes() * group.count;
    for (size_t i = 0; i < p.modes.size(); ++i)
      p.modes[i].macs_per_cycle += pes * group.array.macs_per_cycle_per_pe.of(order[i]);
  }
  for (auto& m : p.modes)
    m.tera_ops_per_s = 2.0 * static_cast<double>(m.macs_per_cycle) * chip.clock_mhz * 1e6 / 1e12;
  return p;
}

PeakFigures peak_figures(const hw::ChipParams& chip, const config::TechParams& tech) {
  PeakFigures p = peak_figures(chip);
  const auto eff = energy::peak_efficiency(chip, tech);
  for (size_t i = 0; i < p.modes.size(); ++i) p.modes[i].tops_per_w = eff[i].tops_per_w;
  return p;
}

void add_peak_figures(Report& report, const PeakFigures& peak) {
  report.add_total("cores", uint64_t{peak.cores});
  report.add_total("processing_elements", peak.pes, "PEs", "MPE array PEs on the chip");
  report.add_total("clock", peak.clock_mhz, "MHz");
  report.add_total("scratchpad", peak.scratchpad_bytes / 1024, "KiB",
                   "On-chip scratchpad, all cores");
  report.add_total("dram_bandwidth", peak.dram_gb_per_s, "GB/s");
  for (const auto& m : peak.modes) {
    report.add_section(m.mode, "precision")
        .add("macs_per_cycle", m.macs_per_cycle, "MAC/cycle", "Whole chip, all cores")
        .add("peak", m.tera_ops_per_s, m.floating_point ? "TFLOPS" : "TOPS",
             "2 ops per MAC at the chip clock");
  }
  // Efficiency as totals (one line per mode): ops per pJ = TOPS/W = TFLOPS/W.
  for (const auto& m : peak.modes)
    if (m.tops_per_w > 0)
      report.add_total(
          std::string("peak_efficiency_") + m.mode, m.tops_per_w,
          m.floating_point ? "TFLOPS/W" : "TOPS/W",
          "Array fully busy, operands from the scratchpad, leakage included (docs/energy.md)");
}

}  // namespace nibble::report
