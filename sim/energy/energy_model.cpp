#include "sim/energy/energy_model.hpp"

#include <algorithm>
#include <map>

#include "hw_models/numerics/errors.hpp"
#include "sim/energy/area_model.hpp"
#include "sim/energy/operating_point.hpp"
#include "sim/energy/sram_model.hpp"

namespace nibble::energy {

namespace {

const auto& kModeNames = kPrecisionKeys;

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
  const VoltageScale vs = voltage_scale(chip, tech);
  const ChipArea area = compute_area(chip, tech);
  const bool gate = chip.power_gating == hw::PowerGating::idle_blocks;
  const double pj_per_cycle_per_mw = 1e3 / chip.clock_mhz;  // mW / MHz = nJ per clock
  EnergyReport r;
  r.seconds = static_cast<double>(cycles) / (chip.clock_mhz * 1e6);
  const auto cores = expand_cores(chip);
  double macs_total = 0;
  size_t a = 0;  // area.blocks index, in the same order as the blocks below
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
    const SramCost sc = sram_cost(cores[c]->scratchpad, tech);
    const double sram = v(p + ".scratchpad.read_bits") * sc.read_pj_per_bit +
                        v(p + ".scratchpad.write_bits") * sc.write_pj_per_bit;
    // The Hadamard stage (block-scaled FP4) is 4 FP32 adds per element
    // (a 16-point butterfly network, docs/microarch.md 3).
    const double lgu = v(p + ".lgu.elements") * e.lgu_op.pj +
                       v(p + ".lgu.hadamard_elements") * 4.0 * e.fp32_add.pj;
    const double scale = v(p + ".scale_unit.elements") * e.scale_unit_op.pj;
    const double sfu =
        v(p + ".sfu.fp16_ops") * e.sfu_fp16_op.pj + v(p + ".sfu.fp32_ops") * e.sfu_fp32_op.pj;
    const double busy[] = {v(p + ".array.busy_cycles"), v(p + ".lgu.busy_cycles"),
                           v(p + ".scale_unit.busy_cycles"), v(p + ".sfu.busy_cycles")};
    const bool core_used = busy[0] + busy[1] + busy[2] + busy[3] + v(p + ".read_dma.bytes") +
                               v(p + ".write_dma.bytes") >
                           0;
    // Cycles each block leaks: the whole run, or (gated) its busy cycles;
    // state-holding and always-on blocks leak whenever the core is in use.
    const double run = static_cast<double>(cycles);
    const double on = gate && !core_used ? 0.0 : run;
    const double leak_cycles[] = {gate ? busy[0] : run,
                                  on,
                                  gate ? busy[1] : run,
                                  gate ? busy[2] : run,
                                  gate ? busy[3] : run,
                                  on,
                                  on,
                                  on};
    // Both DMA engines' bytes pass the core's one DMA block (its area);
    // the ring stop's traffic is the chip-level "ring" entry below.
    const double dma = (v(p + ".read_dma.bytes") + v(p + ".write_dma.bytes")) * e.dma_per_byte.pj;
    const double controller = v(p + ".controller.commands") * e.controller_command.pj;
    const double dynamic[] = {array, sram, lgu, scale, sfu, dma, controller, 0};
    for (int b = 0; b < 8; ++b, ++a) {
      const double leak = leakage_mw(area.blocks[a], tech) * vs.leakage * pj_per_cycle_per_mw *
                          std::min(leak_cycles[b], run);
      r.blocks.push_back({area.blocks[a].block, dynamic[b] * vs.dynamic, leak});
    }
  }
  // DRAM energy is the chip config's pJ/bit (it is a property of the memory
  // part, not of the logic process or the chip's supply), counted once.
  r.blocks.push_back({"dram", v("dram.bytes") * 8 * chip.dram.energy_pj_per_bit, 0});
  r.blocks.push_back({"ring", v("ring.hop_bytes") * 8 * e.ring_per_bit.pj * vs.dynamic, 0});

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
    r.leakage_pj += b.leakage_pj;
  }
  for (const auto& k : order) r.by_kind.push_back(kinds[k]);
  r.ops = static_cast<uint64_t>(2 * macs_total);
  r.tops = r.seconds > 0 ? static_cast<double>(r.ops) / r.seconds / 1e12 : 0;
  r.tops_per_w = r.total_pj > 0 ? static_cast<double>(r.ops) / r.total_pj : 0;
  return r;
}

}  // namespace nibble::energy
