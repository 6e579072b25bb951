#pragma once
// A technology (energy) table: the energy of each event the hardware blocks
// count, the area of each block's parts, the SRAM macro scaling rule and the
// leakage densities. Every number carries its source, because cost figures
// without provenance cannot be trusted or recalibrated. docs/energy.md
// derives each one.
#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/param_decl.hpp"

namespace nibble::config {

struct EnergyEntry {
  double pj = 0.0;
  std::string source;

  template <class V>
  void declare(V& v) {
    v.param("pj", pj,
            {.unit = "pJ", .desc = "Energy of one event", .min = 0, .max = 1e6, .required = true});
    v.param("source", source,
            {.desc = "Citation, or how the figure was derived from one", .required = true});
  }
  template <class C>
  void check(C& c) const {
    c.expect(!source.empty(), "source", "a non-empty citation or derivation", "\"\"");
  }
};

// One entry per event kind the blocks count (hw_models/*: ++counter).
struct EventEnergies {
  EnergyEntry int4_int4_mac, int4_fp4_mac, hfp8_mac, fp16_mac, fp32_add, fp32_mul;
  EnergyEntry mxfp4_mac, nvfp4_mac;
  EnergyEntry sram_read_per_bit, sram_write_per_bit, register_file_access;
  EnergyEntry lgu_op, scale_unit_op, sfu_fp16_op, sfu_fp32_op, ring_per_bit;
  EnergyEntry dma_per_byte, controller_command;

  template <class V>
  void declare(V& v) {
    v.group("int4_int4_mac", int4_int4_mac, "One INT4 x INT4 multiply-accumulate in the array");
    v.group("int4_fp4_mac", int4_fp4_mac,
            "One INT4 x radix-4 FP4 shift-add accumulate (no multiplier)");
    v.group("hfp8_mac", hfp8_mac, "One HFP8 multiply-accumulate");
    v.group("fp16_mac", fp16_mac, "One FP16 multiply-accumulate");
    v.group("mxfp4_mac", mxfp4_mac,
            "One MXFP4 E2M1 x E2M1 MAC, including its share of the per-block E8M0 scaling and "
            "FP32 accumulation");
    v.group("nvfp4_mac", nvfp4_mac,
            "One NVFP4 E2M1 x E2M1 MAC, including its share of the per-block UE4M3 scaling and "
            "FP32 accumulation");
    v.group("fp32_add", fp32_add, "One FP32 add (SFU, weight update)");
    v.group("fp32_mul", fp32_mul, "One FP32 multiply (SFU, weight update)");
    v.group("sram_read_per_bit", sram_read_per_bit,
            "Scratchpad read, per bit, of a bank of sram.reference_bank_kib");
    v.group("sram_write_per_bit", sram_write_per_bit,
            "Scratchpad write, per bit, of a bank of sram.reference_bank_kib");
    v.group("register_file_access", register_file_access,
            "One 16-bit register-file/pipeline-register access in a PE");
    v.group("lgu_op", lgu_op, "One FP16 -> FP4 conversion in the log-domain gradient unit");
    v.group("scale_unit_op", scale_unit_op,
            "One element through the scale unit (statistic or INT4 quantize)");
    v.group("sfu_fp16_op", sfu_fp16_op, "One FP16 element-wise SFU operation");
    v.group("sfu_fp32_op", sfu_fp32_op, "One FP32 element-wise SFU operation");
    v.group("ring_per_bit", ring_per_bit, "Moving one bit over one ring hop");
    v.group("dma_per_byte", dma_per_byte,
            "One byte through a core's DMA engine (its data buffers and address generation; the "
            "DRAM and scratchpad accesses are charged to those blocks)");
    v.group("controller_command", controller_command,
            "One command (tile load, compute or store) issued by a core's controller");
  }
  template <class C>
  void check(C&) const {}
};

// A unitless figure with its source (an exponent, an efficiency, a ratio).
struct ScalarEntry {
  double value = 0.0;
  std::string source;

  template <class V>
  void declare(V& v) {
    v.param("value", value,
            {.desc = "The figure (unitless)", .min = 0, .max = 1e6, .required = true});
    v.param("source", source,
            {.desc = "Citation, or how the figure was derived from one", .required = true});
  }
  template <class C>
  void check(C& c) const {
    c.expect(!source.empty(), "source", "a non-empty citation or derivation", "\"\"");
  }
};

struct AreaEntry {
  double um2 = 0.0;
  std::string source;

  template <class V>
  void declare(V& v) {
    v.param("um2", um2,
            {.unit = "um^2", .desc = "Silicon area", .min = 0, .max = 1e9, .required = true});
    v.param("source", source,
            {.desc = "Citation, or how the figure was derived from one", .required = true});
  }
  template <class C>
  void check(C& c) const {
    c.expect(!source.empty(), "source", "a non-empty citation or derivation", "\"\"");
  }
};

struct LeakageDensityEntry {
  double mw_per_mm2 = 0.0;
  std::string source;

  template <class V>
  void declare(V& v) {
    v.param("mw_per_mm2", mw_per_mm2,
            {.unit = "mW/mm^2",
             .desc = "Static power per unit area at the reference voltage",
             .min = 0,
             .max = 1e5,
             .required = true});
    v.param("source", source,
            {.desc = "Citation, or how the figure was derived from one", .required = true});
  }
  template <class C>
  void check(C& c) const {
    c.expect(!source.empty(), "source", "a non-empty citation or derivation", "\"\"");
  }
};

// Area of the blocks' parts (sim/energy/area_model.hpp adds them up). A PE
// is the sum of the datapaths it supports (per MAC lane), its accumulator
// (per bit) and its pipeline/operand registers (per bit).
struct AreaFigures {
  AreaEntry int4_int4_mac, int4_fp4_mac, hfp8_mac, fp16_mac, mxfp4_mac, nvfp4_mac;
  AreaEntry accumulator_per_bit, register_per_bit;
  AreaEntry lgu_lane, scale_unit_lane, sfu_lane;
  AreaEntry dma, controller, ring_stop;
  std::string pe_area_synth = "pe_area_synth.json";

  template <class V>
  void declare(V& v) {
    v.group("int4_int4_mac", int4_int4_mac,
            "One INT4 x INT4 MAC lane of a PE (multiplier + adder)");
    v.group("int4_fp4_mac", int4_fp4_mac, "One INT4 x FP4 shift-add lane of a PE");
    v.group("hfp8_mac", hfp8_mac, "One HFP8 MAC lane of a PE");
    v.group("fp16_mac", fp16_mac, "One FP16 MAC lane of a PE");
    v.group("mxfp4_mac", mxfp4_mac,
            "One MXFP4 lane of a PE (E2M1 product, block sum, its share of the block scaling)");
    v.group("nvfp4_mac", nvfp4_mac,
            "One NVFP4 lane of a PE (E2M1 product, block sum, its share of the block scaling)");
    v.group("accumulator_per_bit", accumulator_per_bit,
            "One bit of a PE's accumulator (register + adder bit)");
    v.group("register_per_bit", register_per_bit,
            "One bit of a pipeline/operand register (a flip-flop)");
    v.group("lgu_lane", lgu_lane, "One lane of the log-domain gradient unit");
    v.group("scale_unit_lane", scale_unit_lane, "One lane of the scale unit");
    v.group("sfu_lane", sfu_lane, "One FP16/FP32 lane of the SFU");
    v.group("dma", dma, "One core's DMA engine (fixed)");
    v.group("controller", controller, "One core's program sequencer (fixed)");
    v.group("ring_stop", ring_stop, "One core's ring stop (fixed)");
    v.param("pe_area_synth", pe_area_synth,
            {.desc = "Yosys PE area table (format nibble-pe-area-synth), relative to this file; "
                     "used for the INT PE datapath's relative area when the file exists"});
  }
  template <class C>
  void check(C&) const {}
};

// The size-aware SRAM macro rule (docs/energy.md section 3): per-bit access
// energy of a bank of capacity c is e_ref * (c / reference_bank_kib)^exponent;
// macro area is bits * bitcell * (1 + extra_port_area * (ports - 1)) /
// array_efficiency plus the width-proportional periphery of every bank.
struct SramFigures {
  double reference_bank_kib = 16;
  ScalarEntry energy_exponent, array_efficiency{1.0, {}}, extra_port_area;
  AreaEntry bitcell, periphery_per_io_bit;

  template <class V>
  void declare(V& v) {
    v.param("reference_bank_kib", reference_bank_kib,
            {.unit = "KiB",
             .desc = "Bank capacity at which energy.sram_read_per_bit/write_per_bit apply",
             .min = 0.001,
             .max = 1 << 20,
             .required = true});
    v.group("energy_exponent", energy_exponent,
            "Exponent of per-bit access energy in bank capacity (fitted)");
    v.group("array_efficiency", array_efficiency,
            "Fraction of a bank's cell-array area that is bitcells");
    v.group("extra_port_area", extra_port_area,
            "Cell area added per port beyond the first, as a fraction of a 1-port cell");
    v.group("bitcell", bitcell, "One single-port SRAM bitcell");
    v.group("periphery_per_io_bit", periphery_per_io_bit,
            "Sense amplifier, write driver and column mux per bit of bank width, per port");
  }
  template <class C>
  void check(C& c) const {
    c.expect(array_efficiency.value > 0 && array_efficiency.value <= 1, "array_efficiency/value",
             "a fraction in (0, 1]", std::to_string(array_efficiency.value));
  }
};

struct LeakageFigures {
  LeakageDensityEntry logic, sram;

  template <class V>
  void declare(V& v) {
    v.group("logic", logic, "Leakage density of standard-cell logic");
    v.group("sram", sram, "Leakage density of SRAM macros");
  }
  template <class C>
  void check(C&) const {}
};

// One parsed variant of a Yosys PE area table (configs/tech/pe_area_synth.json).
struct PeSynthVariant {
  std::string name;
  std::vector<std::string> paths;  // "int4_int4", "int4_fp4"
  uint32_t accumulator_bits = 0;
  uint32_t pipeline_depth = 0;
  double transistors = 0;
};

struct TechParams {
  std::string name;
  std::string description;
  double node_nm = 45.0;
  double reference_voltage_v = 0.9;
  EventEnergies energy;
  SramFigures sram;
  AreaFigures area;
  LeakageFigures leakage;
  // Loaded beside the table (not declared: another file's content), empty
  // when area.pe_area_synth does not exist.
  std::string pe_synth_file;
  std::vector<PeSynthVariant> pe_synth;

  template <class V>
  void declare(V& v) {
    v.param("name", name, {.desc = "Short name of the table", .required = true});
    v.param("description", description,
            {.desc = "Free text: what the numbers are and how far to trust them"});
    v.param("node_nm", node_nm,
            {.unit = "nm", .desc = "Process node", .min = 1, .max = 1000, .required = true});
    v.param("reference_voltage_v", reference_voltage_v,
            {.unit = "V",
             .desc = "Supply voltage at which the energies and leakage densities apply",
             .min = 0.1,
             .max = 5,
             .required = true});
    v.group("energy", energy, "Dynamic energy per event");
    v.group("sram", sram, "Size-aware SRAM macro rule (energy, area)");
    v.group("area", area, "Area of the blocks' parts");
    v.group("leakage", leakage, "Leakage power densities");
  }
  template <class C>
  void check(C&) const {}
};

}  // namespace nibble::config
