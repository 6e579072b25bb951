#pragma once
// Parameters of the MPE (mixed-precision PE) systolic array.
#include <cstdint>
#include <string>

#include "hw_models/numerics/precision.hpp"
#include "hw_models/param_decl.hpp"
#include "hw_models/scalesim_params.hpp"

namespace nibble::hw {

enum class Dataflow : uint8_t { ws, os, is };
template <>
struct EnumNames<Dataflow> {
  static constexpr std::array<std::string_view, 3> names{"ws", "os", "is"};
};

enum class Accumulation : uint8_t { int_exact, fp16_chunked };
template <>
struct EnumNames<Accumulation> {
  static constexpr std::array<std::string_view, 2> names{"int_exact", "fp16_chunked"};
};

// MACs one PE completes per cycle in each precision mode (a PE with k MACs
// per cycle reduces k consecutive elements of the reduction dimension).
// 0 means the PE has no lane for that mode: it costs no area and no leakage,
// and a GEMM in that mode is an input error (absent_lane_message). The
// block-scaled FP4 lanes are absent unless a chip asks for them
// (configs/chips/default_blockfp4.json).
struct MacsPerCycle {
  uint32_t int4_int4 = 4;
  uint32_t int4_fp4 = 4;
  uint32_t hfp8 = 2;
  uint32_t fp16 = 1;
  uint32_t mxfp4 = 0;
  uint32_t nvfp4 = 0;

  uint32_t of(Precision p) const {
    switch (p) {
      case Precision::int4_int4:
        return int4_int4;
      case Precision::int4_fp4:
        return int4_fp4;
      case Precision::hfp8:
        return hfp8;
      case Precision::fp16:
        return fp16;
      case Precision::mxfp4:
        return mxfp4;
      case Precision::nvfp4:
        return nvfp4;
    }
    return 1;
  }

  template <class V>
  void declare(V& v) {
    v.param("int4_int4", int4_int4,
            {.unit = "MAC/cycle",
             .desc = "INT4 x INT4 MACs per PE per cycle (0: no such lane)",
             .min = 0,
             .max = 64});
    v.param("int4_fp4", int4_fp4,
            {.unit = "MAC/cycle",
             .desc = "INT4 x radix-4 FP4 shift-add MACs per PE per cycle (0: no such lane)",
             .min = 0,
             .max = 64});
    v.param("hfp8", hfp8,
            {.unit = "MAC/cycle",
             .desc = "HFP8 MACs per PE per cycle (0: no such lane)",
             .min = 0,
             .max = 64});
    v.param("fp16", fp16,
            {.unit = "MAC/cycle",
             .desc = "FP16 MACs per PE per cycle (0: no such lane)",
             .min = 0,
             .max = 64});
    v.param("mxfp4", mxfp4,
            {.unit = "MAC/cycle",
             .desc = "MXFP4 (E2M1 x E2M1, E8M0 block scales) MACs per PE per cycle (0: no such "
                     "lane, the default)",
             .min = 0,
             .max = 64});
    v.param("nvfp4", nvfp4,
            {.unit = "MAC/cycle",
             .desc = "NVFP4 (E2M1 x E2M1, UE4M3 block scales) MACs per PE per cycle (0: no such "
                     "lane, the default)",
             .min = 0,
             .max = 64});
  }
  template <class C>
  void check(C& c) const {
    c.expect(int4_int4 + int4_fp4 + hfp8 + fp16 + mxfp4 + nvfp4 > 0, "int4_int4",
             "at least one precision lane with MACs per PE per cycle >= 1", "every lane 0");
  }
};

// Whose cycle convention the array's GEMMs follow: Nibble's own
// microarchitecture (mac_array_timing.hpp, the PE grid of DETAILED mode) or
// SCALE-Sim v2's (scalesim_timing.hpp), for reproducing SCALE-Sim's reports.
enum class TimingModel : uint8_t { nibble, scalesim_v2 };
template <>
struct EnumNames<TimingModel> {
  static constexpr std::array<std::string_view, 2> names{"nibble", "scalesim_v2"};
};

struct MacArrayParams {
  uint32_t rows = 16;
  uint32_t cols = 16;
  Dataflow dataflow = Dataflow::ws;
  uint32_t pe_pipeline_depth = 1;
  MacsPerCycle macs_per_cycle_per_pe;
  uint32_t accumulator_bits = 32;
  Accumulation accumulation = Accumulation::int_exact;
  uint32_t fp16_chunk_size = 64;
  uint32_t fold_setup_cycles = 0;
  bool zero_gating = true;
  // TIMING mode skips the arithmetic, so it cannot see zeros: it estimates
  // the gated MACs from these operand densities instead (docs/energy.md).
  double assumed_zero_fraction_a = 0.0;
  double assumed_zero_fraction_b = 0.0;
  TimingModel timing_model = TimingModel::nibble;
  ScaleSimMemoryParams scalesim;

  template <class V>
  void declare(V& v) {
    v.param("rows", rows,
            {.unit = "PEs",
             .desc = "PE rows of the systolic array",
             .min = 1,
             .max = 4096,
             .required = true});
    v.param("cols", cols,
            {.unit = "PEs",
             .desc = "PE columns of the systolic array",
             .min = 1,
             .max = 4096,
             .required = true});
    v.param("dataflow", dataflow,
            {.desc = "Stationary operand: ws (weights), os (outputs), is (inputs)"});
    v.param("pe_pipeline_depth", pe_pipeline_depth,
            {.unit = "cycles",
             .desc = "Pipeline stages inside one PE (MAC latency)",
             .min = 1,
             .max = 16});
    v.group("macs_per_cycle_per_pe", macs_per_cycle_per_pe,
            "MACs one PE completes per cycle, per precision mode");
    v.param("accumulator_bits", accumulator_bits,
            {.unit = "bits",
             .desc = "Width of the exact, saturating integer accumulator",
             .min = 8,
             .max = 64});
    v.param(
        "accumulation", accumulation,
        {.desc =
             "int_exact (integer accumulate, one FP16 rounding at the output) or fp16_chunked"});
    v.param("fp16_chunk_size", fp16_chunk_size,
            {.unit = "MACs",
             .desc = "Chunk length C of fp16_chunked accumulation",
             .min = 1,
             .max = 1 << 20});
    v.param("fold_setup_cycles", fold_setup_cycles,
            {.unit = "cycles",
             .desc = "Extra cycles to switch the array to the next fold",
             .min = 0,
             .max = 1 << 16});
    v.param("zero_gating", zero_gating,
            {.desc = "PEs skip switching energy when an operand is zero"});
    v.param("assumed_zero_fraction_a", assumed_zero_fraction_a,
            {.desc = "TIMING mode only: fraction of A (streamed/left) operand codes taken to be "
                     "zero, for the zero-gating energy estimate",
             .min = 0,
             .max = 1});
    v.param("assumed_zero_fraction_b", assumed_zero_fraction_b,
            {.desc = "TIMING mode only: fraction of B (right) operand codes taken to be zero, for "
                     "the zero-gating energy estimate",
             .min = 0,
             .max = 1});
    v.param("timing_model", timing_model,
            {.desc = "Cycle convention: nibble (this chip's microarchitecture) or scalesim_v2 "
                     "(SCALE-Sim v2's COMPUTE_REPORT cycles, docs/microarch.md 12)"});
    v.group("scalesim", scalesim, "SCALE-Sim memory figures used only by timing_model scalesim_v2");
  }
  template <class C>
  void check(C&) const {}
};

}  // namespace nibble::hw
