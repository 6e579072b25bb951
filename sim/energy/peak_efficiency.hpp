#pragma once
// Peak efficiency of a chip from its config and tech table, no simulation:
// every core's array fully busy in its configured dataflow, operands streamed
// from the scratchpad at the reuse that dataflow gives (steady state of
// hw_models/operand_feed.hpp: one streamed vector in and one partial-sum
// vector out per clock, stationary tiles amortised over an unbounded stream),
// dense operands (no zero gating), leakage of every block included, at the
// chip's operating point. Per clock and core:
//   E = s_V^2 (R*C*k*e_mac + 2*R*C*e_rf + read_bits*e_rd(bank) + write_bits*e_wr(bank))
//       + s_V * P_leak(area) / f,     s_V = V / V_ref
//   TOPS/W = ops per clock / E[pJ]   (2 ops per MAC)
// This is what the RaPiD calibration (docs/energy.md) compares with the
// published peak TOPS/W.
#include <array>
#include <cstdint>

#include "hw_models/chip_params.hpp"
#include "sim/config/tech_params.hpp"

namespace nibble::energy {

struct PeakEfficiency {
  Precision mode = Precision::int4_int4;
  double tera_ops_per_s = 0;  // 2 ops per MAC at the chip clock
  double pj_per_cycle = 0;    // whole chip
  double mac_pj = 0, register_pj = 0, sram_pj = 0, leakage_pj = 0;  // its parts, per clock
  double tops_per_w = 0;
};

std::array<PeakEfficiency, kNumPrecisions> peak_efficiency(const hw::ChipParams& chip,
                                                           const config::TechParams& tech);

}  // namespace nibble::energy
