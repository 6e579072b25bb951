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

struct ChipParams {
  std::string name;
  std::string description;
  double clock_mhz = 1000.0;
  std::string tech;  // path of configs/tech/*.json, relative to the chip file
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
    v.group("ring", ring, "Bidirectional ring between cores");
    v.group("dram", dram, "Off-chip DRAM");
    v.list("cores", cores,
           {.unit = "core groups",
            .desc = "Core groups; each has a count of identical cores",
            .min = 1,
            .max = 64,
            .required = true});
  }
  template <class C>
  void check(C& c) const {
    c.expect(num_cores() <= 1024, "cores", "at most 1024 cores in total",
             std::to_string(num_cores()));
  }
};

}  // namespace nibble::hw
