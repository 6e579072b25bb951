#include "sim/energy/peak_efficiency.hpp"

#include "hw_models/operand_feed.hpp"
#include "sim/energy/area_model.hpp"
#include "sim/energy/operating_point.hpp"
#include "sim/energy/sram_model.hpp"

namespace nibble::energy {

namespace {
double mac_energy(const config::EventEnergies& e, Precision p) {
  switch (p) {
    case Precision::int4_int4:
      return e.int4_int4_mac.pj;
    case Precision::int4_fp4:
      return e.int4_fp4_mac.pj;
    case Precision::hfp8:
      return e.hfp8_mac.pj;
    case Precision::fp16:
      return e.fp16_mac.pj;
    case Precision::mxfp4:
      return e.mxfp4_mac.pj;
    case Precision::nvfp4:
      return e.nvfp4_mac.pj;
  }
  return e.fp16_mac.pj;
}
}  // namespace

std::array<PeakEfficiency, kNumPrecisions> peak_efficiency(const hw::ChipParams& chip,
                                                           const config::TechParams& tech) {
  std::array<PeakEfficiency, kNumPrecisions> out{};
  const auto& e = tech.energy;
  const VoltageScale vs = voltage_scale(chip, tech);
  // Every block of every core leaks at peak (the array is busy, so power
  // gating changes nothing).
  const ChipArea area = compute_area(chip, tech);
  double leak_mw = 0;
  for (const auto& b : area.blocks) leak_mw += leakage_mw(b, tech);
  for (int i = 0; i < kNumPrecisions; ++i) {
    const auto p = static_cast<Precision>(i);
    PeakEfficiency& pe = out[i];
    pe.mode = p;
    double macs_per_cycle = 0;
    for (const auto& group : chip.cores) {
      const double n = group.count;
      const double pes = double(group.array.rows) * group.array.cols;
      const double macs = pes * group.array.macs_per_cycle_per_pe.of(p);
      const hw::FeedPerCycle feed = hw::steady_state_feed(group.array, p);
      macs_per_cycle += n * macs;
      const SramCost sc = sram_cost(group.scratchpad, tech);
      pe.mac_pj += n * macs * mac_energy(e, p) * vs.dynamic;
      pe.register_pj += n * 2 * pes * e.register_file_access.pj * vs.dynamic;
      pe.sram_pj += n *
                    (double(feed.read_bits) * sc.read_pj_per_bit +
                     double(feed.write_bits) * sc.write_pj_per_bit) *
                    vs.dynamic;
    }
    // mW / MHz = nJ per clock -> x1000 pJ.
    pe.leakage_pj = leak_mw * vs.leakage / chip.clock_mhz * 1e3;
    pe.pj_per_cycle = pe.mac_pj + pe.register_pj + pe.sram_pj + pe.leakage_pj;
    pe.tera_ops_per_s = 2 * macs_per_cycle * chip.clock_mhz * 1e6 / 1e12;
    pe.tops_per_w = pe.pj_per_cycle > 0 ? 2 * macs_per_cycle / pe.pj_per_cycle : 0;
  }
  return out;
}

}  // namespace nibble::energy
