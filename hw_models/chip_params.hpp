#pragma once
// Parameters of a whole chip: clock, cores (each a group of identical cores),
// the ring between them, DRAM, and the technology (energy) table it uses.
#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/mac_array_params.hpp"
#include "hw_models/memory_params.hpp"
#include "hw_models/param_decl.hpp"
#include "hw_models/scratchpad_params.hpp"
#include "hw_models/vector_unit_params.hpp"

namespace nibble::hw {

struct CoreParams {
  uint32_t count = 1;  // identical cores described by this entry
  MacArrayParams array;
  ScratchpadParams scratchpad;
  LguParams lgu;
  ScaleUnitParams scale_unit;
  SfuParams sfu;
  DmaParams dma;
  ControllerParams controller;

  template <class V>
  void declare(V& v) {
    v.param("count", count,
            {.unit = "cores",
             .desc = "Number of identical cores this entry describes",
             .min = 1,
             .max = 1024});
    v.group("array", array, "MPE systolic array");
    v.group("scratchpad", scratchpad, "Banked L1 scratchpad");
    v.group("lgu", lgu, "Log-domain gradient unit (FP16 -> radix-4 FP4)");
    v.group("scale_unit", scale_unit, "Statistics, scale registers and INT4 quantization");
    v.group("sfu", sfu, "Special function / vector unit");
    v.group("dma", dma, "DMA engine between DRAM and the scratchpad");
    v.group("controller", controller, "Program sequencer");
  }
  template <class C>
  void check(C&) const {}
};

// A named voltage/frequency point the chip can run at. Dynamic energy
// scales with (V / tech reference V)^2 and leakage power with V / reference V
// (sim/energy: operating_point.hpp, docs/energy.md).
struct OperatingPoint {
  std::string name;
  double voltage_v = 0.9;
  double clock_mhz = 1000.0;

  template <class V>
  void declare(V& v) {
    v.param("name", name, {.desc = "Name a chip's operating_point selects", .required = true});
    v.param("voltage_v", voltage_v,
            {.unit = "V", .desc = "Supply voltage", .min = 0.1, .max = 5, .required = true});
    v.param("clock_mhz", clock_mhz,
            {.unit = "MHz",
             .desc = "Core clock at this voltage",
             .min = 1,
             .max = 10000,
             .required = true});
  }
  template <class C>
  void check(C& c) const {
    c.expect(!name.empty(), "name", "a non-empty name", "\"\"");
  }
};

// Leakage convention: every block leaks for the whole run, or blocks leak
// only while in use (Timeloop's convention: unused instances count as gated).
enum class PowerGating : uint8_t { none, idle_blocks };
template <>
struct EnumNames<PowerGating> {
  static constexpr std::array<std::string_view, 2> names{"none", "idle_blocks"};
};

struct ChipParams {
  std::string name;
  std::string description;
  double clock_mhz = 1000.0;
  std::string tech;  // path of configs/tech/*.json, relative to the chip file
  std::vector<OperatingPoint> operating_points;
  std::string operating_point;  // "" = nominal: clock_mhz at the tech's reference voltage
  double voltage_v = 0;         // resolved by select_operating_point(); 0 = tech reference
  PowerGating power_gating = PowerGating::none;
  // The file the chip was loaded from (set by the loader, not a parameter),
  // so an error found later can name it; "" for chips built in code.
  std::string config_file;
  RingParams ring;
  DramParams dram;
  std::vector<CoreParams> cores;

  uint32_t num_cores() const {
    uint32_t n = 0;
    for (const auto& c : cores) n += c.count;
    return n;
  }

  template <class V>
  void declare(V& v) {
    v.param("name", name, {.desc = "Short name of the chip", .required = true});
    v.param("description", description, {.desc = "Free text"});
    v.param("clock_mhz", clock_mhz,
            {.unit = "MHz", .desc = "Core clock", .min = 1, .max = 10000, .required = true});
    v.param("tech", tech,
            {.desc = "Technology/energy table (path relative to this file)", .required = true});
    v.list("operating_points", operating_points,
           {.unit = "points",
            .desc = "Named voltage/frequency points (docs/energy.md: operating points)",
            .min = 0,
            .max = 64});
    v.param("operating_point", operating_point,
            {.desc = "Name of the operating point to run at; its clock replaces clock_mhz. "
                     "Empty: clock_mhz at the tech table's reference voltage"});
    v.param("power_gating", power_gating,
            {.desc = "none: every block leaks for the whole run; idle_blocks: array, LGU, scale "
                     "unit and SFU leak only while busy and idle cores not at all (Timeloop)"});
    v.group("ring", ring, "Bidirectional ring between cores");
    v.group("dram", dram, "Off-chip DRAM");
    v.list("cores", cores,
           {.unit = "core groups",
            .desc = "Core groups; each has a count of identical cores",
            .min = 1,
            .max = 64,
            .required = true});
  }
  // Applies operating_point: sets clock_mhz and voltage_v from the named
  // point. Returns false when the name matches no point.
  bool select_operating_point() {
    if (operating_point.empty()) return true;
    for (const auto& p : operating_points)
      if (p.name == operating_point) {
        clock_mhz = p.clock_mhz;
        voltage_v = p.voltage_v;
        return true;
      }
    return false;
  }

  template <class C>
  void check(C& c) const {
    bool known = operating_point.empty();
    std::string names;
    for (const auto& p : operating_points) {
      known = known || p.name == operating_point;
      names += (names.empty() ? "" : ", ") + p.name;
    }
    c.expect(known, "operating_point",
             "the name of one of operating_points (" + (names.empty() ? "none given" : names) + ")",
             "\"" + operating_point + "\"");
    c.expect(num_cores() <= 1024, "cores", "at most 1024 cores in total",
             std::to_string(num_cores()));
  }
};

// The input error for `who` (a GEMM) needing precision p on a chip where
// some core group has no lane for it (0 MACs per PE per cycle): names the
// chip file and the JSON pointer of the lane. "" when every group has it.
inline std::string absent_lane_error(const ChipParams& chip, Precision p, const std::string& who) {
  for (size_t g = 0; g < chip.cores.size(); ++g) {
    if (chip.cores[g].array.macs_per_cycle_per_pe.of(p) > 0) continue;
    const std::string key = precision_key(p);
    return (chip.config_file.empty() ? std::string("chip config") : chip.config_file) +
           ": /cores/" + std::to_string(g) + "/array/macs_per_cycle_per_pe/" + key + ": " + who +
           " needs the " + key + " lane: expected MACs per PE per cycle >= 1, found 0 (lane " +
           "absent; configs/chips/default_blockfp4.json has the block-scaled FP4 lanes)";
  }
  return {};
}

}  // namespace nibble::hw
