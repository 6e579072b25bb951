#include "sim/energy/peak_efficiency.hpp"

#include "hw_models/operand_feed.hpp"

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
      pe.mac_pj += n * macs * mac_energy(e, p);
      pe.register_pj += n * 2 * pes * e.register_file_access.pj;
      pe.sram_pj += n * (double(feed.read_bits) * e.sram_read_per_bit.pj +
                         double(feed.write_bits) * e.sram_write_per_bit.pj);
      // mW / MHz = nJ per clock -> x1000 pJ.
      pe.leakage_pj += n * tech.leakage_per_core.mw / chip.clock_mhz * 1e3;
    }
    pe.pj_per_cycle = pe.mac_pj + pe.register_pj + pe.sram_pj + pe.leakage_pj;
    pe.tera_ops_per_s = 2 * macs_per_cycle * chip.clock_mhz * 1e6 / 1e12;
    pe.tops_per_w = pe.pj_per_cycle > 0 ? 2 * macs_per_cycle / pe.pj_per_cycle : 0;
  }
  return out;
}

}  // namespace nibble::energy
