#include "sim/energy/area_report.hpp"

#include "sim/energy/operating_point.hpp"

namespace nibble::energy {

void add_area(report::Report& report, const ChipArea& area, const hw::ChipParams& chip,
              const config::TechParams& tech) {
  const VoltageScale vs = voltage_scale(chip, tech);
  report.add_total("operating_point",
                   chip.operating_point.empty() ? "nominal" : chip.operating_point);
  report.add_total("voltage", vs.volts, "V", "Supply of the operating point (docs/energy.md)");
  report.add_total("area_mm2", area.total_mm2(), "mm^2", "Sum of every block's area, all cores");
  report.add_total("pe_area_source", area.pe.source, "",
                   "cited: tech table figures; synth:<variant>: Yosys PE table");
  double leak_mw = 0;
  for (const auto& b : area.blocks) leak_mw += leakage_mw(b, tech) * vs.leakage;
  report.add_total("leakage_power", leak_mw, "mW", "Every block leaking (no power gating)");
  for (const auto& b : area.by_kind)
    report.add_section(b.block, "area")
        .add("area", b.um2 * 1e-6, "mm^2")
        .add("leakage_power", leakage_mw(b, tech) * vs.leakage, "mW");
}

}  // namespace nibble::energy
