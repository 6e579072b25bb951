#include "sim/energy/energy_model.hpp"

#include <map>

#include "hw_models/numerics/errors.hpp"

namespace nibble::energy {

namespace {

constexpr const char* kModeNames[kNumPrecisions] = {"int4_int4", "int4_fp4", "hfp8",
                                                    "fp16",      "mxfp4",    "nvfp4"};

double mac_pj(const config::EventEnergies& e, int mode) {
  switch (mode) {
    case 0:
      return e.int4_int4_mac.pj;
    case 1:
      return e.int4_fp4_mac.pj;
    case 2:
      return e.hfp8_mac.pj;
    case 4:
      return e.mxfp4_mac.pj;
    case 5:
      return e.nvfp4_mac.pj;
    default:
      return e.fp16_mac.pj;
  }
}

// Reads counters by name (dump time only); a missing stat is a wiring bug.
struct Reader {
  const hw::StatRegistry& stats;
  double operator()(const std::string& name) const {
    return static_cast<double>(stats.value(name));
  }
};

std::vector<const hw::CoreParams*> expand_cores(const hw::ChipParams& chip) {
  std::vector<const hw::CoreParams*> cores;
  for (const auto& group : chip.cores)
    for (uint32_t i = 0; i < group.count; ++i) cores.push_back(&group);
  return cores;
}

}  // namespace

EnergyReport compute_energy(const hw::StatRegistry& stats, const hw::ChipParams& chip,
                            const config::TechParams& tech, uint64_t cycles) {
  if (!(chip.clock_mhz > 0)) throw InputError("energy model: chip clock_mhz must be > 0");
  const auto& e = tech.energy;
  const Reader v{stats};
  EnergyReport r;
  r.seconds = static_cast<double>(cycles) / (chip.clock_mhz * 1e6);
  const double leakage_pj_per_core = tech.leakage_per_core.mw * 1e-3 * r.seconds * 1e12;
  const auto cores = expand_cores(chip);
  double macs_total = 0;
  for (size_t c = 0; c < cores.size(); ++c) {
    const std::string p = "core" + std::to_string(c);
    double array = v(p + ".array.register_file_accesses") * e.register_file_access.pj;
    for (int m = 0; m < kNumPrecisions; ++m) {
      const double macs = v(p + ".array.macs_" + kModeNames[m]);
      const double gated =
          cores[c]->array.zero_gating ? v(p + ".array.zero_gated_macs_" + kModeNames[m]) : 0.0;
      macs_total += macs;
      array += (macs - gated) * mac_pj(e, m);
    }
    const double sram = v(p + ".scratchpad.read_bits") * e.sram_read_per_bit.pj +
                        v(p + ".scratchpad.write_bits") * e.sram_write_per_bit.pj;
    // The Hadamard stage (block-scaled FP4) is 4 FP32 adds per element
    // (a 16-point butterfly network, docs/microarch.md 3).
    const double lgu = v(p + ".lgu.elements") * e.lgu_op.pj +
                       v(p + ".lgu.hadamard_elements") * 4.0 * e.fp32_add.pj;
    const double scale = v(p + ".scale_unit.elements") * e.scale_unit_op.pj;
    const double sfu =
        v(p + ".sfu.fp16_ops") * e.sfu_fp16_op.pj + v(p + ".sfu.fp32_ops") * e.sfu_fp32_op.pj;
    r.blocks.push_back({p + ".array", array, 0});
    r.blocks.push_back({p + ".scratchpad", sram, 0});
    r.blocks.push_back({p + ".lgu", lgu, 0});
    r.blocks.push_back({p + ".scale_unit", scale, 0});
    r.blocks.push_back({p + ".sfu", sfu, 0});
    // Leakage is given per core, not per block: one entry carries it.
    r.blocks.push_back({p + ".leakage", 0, leakage_pj_per_core});
  }
  // DRAM energy is the chip config's pJ/bit (it is a property of the memory
  // part, not of the logic process), counted once at the DRAM.
  r.blocks.push_back({"dram", v("dram.bytes") * 8 * chip.dram.energy_pj_per_bit, 0});
  r.blocks.push_back({"ring", v("ring.hop_bytes") * 8 * e.ring_per_bit.pj, 0});

  std::map<std::string, BlockEnergy> kinds;
  std::vector<std::string> order;
  for (const auto& b : r.blocks) {
    const auto dot = b.block.find('.');
    const std::string kind = dot == std::string::npos ? b.block : b.block.substr(dot + 1);
    auto [it, fresh] = kinds.try_emplace(kind, BlockEnergy{kind, 0, 0});
    if (fresh) order.push_back(kind);
    it->second.dynamic_pj += b.dynamic_pj;
    it->second.leakage_pj += b.leakage_pj;
    r.total_pj += b.total_pj();
  }
  for (const auto& k : order) r.by_kind.push_back(kinds[k]);
  r.ops = static_cast<uint64_t>(2 * macs_total);
  r.tops = r.seconds > 0 ? static_cast<double>(r.ops) / r.seconds / 1e12 : 0;
  r.tops_per_w = r.total_pj > 0 ? static_cast<double>(r.ops) / r.total_pj : 0;
  return r;
}

}  // namespace nibble::energy
