#include "sim/energy/area_report.hpp"

#include <fmt/format.h>

#include "sim/energy/operating_point.hpp"
#include "sim/report/peak_figures.hpp"

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

nlohmann::ordered_json area_json(const ChipArea& area, const hw::ChipParams& chip,
                                 const config::TechParams& tech) {
  const VoltageScale vs = voltage_scale(chip, tech);
  nlohmann::ordered_json j;
  j["total_mm2"] = area.total_mm2();
  double leak_mw = 0;
  for (const auto& b : area.blocks) leak_mw += leakage_mw(b, tech) * vs.leakage;
  j["leakage_power_mw"] = leak_mw;
  j["operating_point"] = chip.operating_point.empty() ? "nominal" : chip.operating_point;
  j["voltage_v"] = vs.volts;
  j["pe_area_source"] = area.pe.source;
  auto& blocks = j["blocks"] = nlohmann::ordered_json::object();
  for (const auto& b : area.by_kind)
    blocks[b.block] = {{"mm2", b.um2 * 1e-6},
                       {"leakage_power_mw", leakage_mw(b, tech) * vs.leakage}};
  auto& peak = j["peak"] = nlohmann::ordered_json::object();
  for (const auto& m : report::peak_figures(chip, tech).modes) {
    if (m.macs_per_cycle == 0) continue;  // no lane for this mode
    peak[m.mode] = {{"tops_per_mm2", m.tera_ops_per_s / area.total_mm2()},
                    {"tops_per_w", m.tops_per_w}};
  }
  return j;
}

std::string area_line(const ChipArea& area, const hw::ChipParams& chip,
                      const config::TechParams& tech) {
  std::string line = fmt::format("area {:.3f} mm^2 (", area.total_mm2());
  for (size_t i = 0; i < area.by_kind.size(); ++i)
    line += fmt::format("{}{} {:.3f}", i ? ", " : "", area.by_kind[i].block,
                        area.by_kind[i].um2 * 1e-6);
  line += ")";
  for (const auto& m : report::peak_figures(chip, tech).modes)
    if (m.macs_per_cycle > 0) {
      line += fmt::format(", peak {:.3f} {}/mm^2 {}", m.tera_ops_per_s / area.total_mm2(),
                          m.floating_point ? "TFLOPS" : "TOPS", m.mode);
      break;  // the first mode with a lane (INT4 x INT4 on the shipped chips)
    }
  return line;
}

}  // namespace nibble::energy
