#pragma once
// A technology (energy) table: the energy of each event the hardware blocks
// count, and leakage. Every number carries its source, because energy
// figures without provenance cannot be trusted or recalibrated.
#include <string>

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

struct PowerEntry {
  double mw = 0.0;
  std::string source;

  template <class V>
  void declare(V& v) {
    v.param("mw", mw,
            {.unit = "mW", .desc = "Static power", .min = 0, .max = 1e6, .required = true});
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
    v.group("sram_read_per_bit", sram_read_per_bit, "Scratchpad read, per bit");
    v.group("sram_write_per_bit", sram_write_per_bit, "Scratchpad write, per bit");
    v.group("register_file_access", register_file_access,
            "One 16-bit register-file/pipeline-register access in a PE");
    v.group("lgu_op", lgu_op, "One FP16 -> FP4 conversion in the log-domain gradient unit");
    v.group("scale_unit_op", scale_unit_op,
            "One element through the scale unit (statistic or INT4 quantize)");
    v.group("sfu_fp16_op", sfu_fp16_op, "One FP16 element-wise SFU operation");
    v.group("sfu_fp32_op", sfu_fp32_op, "One FP32 element-wise SFU operation");
    v.group("ring_per_bit", ring_per_bit, "Moving one bit over one ring hop");
  }
  template <class C>
  void check(C&) const {}
};

struct TechParams {
  std::string name;
  std::string description;
  double node_nm = 45.0;
  EventEnergies energy;
  PowerEntry leakage_per_core;

  template <class V>
  void declare(V& v) {
    v.param("name", name, {.desc = "Short name of the table", .required = true});
    v.param("description", description,
            {.desc = "Free text: what the numbers are and how far to trust them"});
    v.param("node_nm", node_nm,
            {.unit = "nm", .desc = "Process node", .min = 1, .max = 1000, .required = true});
    v.group("energy", energy, "Dynamic energy per event");
    v.group("leakage_per_core", leakage_per_core, "Static power of one core");
  }
  template <class C>
  void check(C&) const {}
};

}  // namespace nibble::config
