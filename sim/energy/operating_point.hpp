#pragma once
// How an operating point's supply voltage scales the tech table's figures,
// which hold at the table's reference_voltage_v (docs/energy.md section 5):
//   dynamic energy per event x (V / V_ref)^2   (E = C V^2)
//   leakage power            x  V / V_ref      (P = V I_leak, with I_leak
//                                                taken constant: first order,
//                                                DIBL's growth with V ignored)
#include "hw_models/chip_params.hpp"
#include "sim/config/tech_params.hpp"

namespace nibble::energy {

struct VoltageScale {
  double volts = 0;
  double dynamic = 1;
  double leakage = 1;
};

inline VoltageScale voltage_scale(const hw::ChipParams& chip, const config::TechParams& tech) {
  VoltageScale s;
  s.volts = chip.voltage_v > 0 ? chip.voltage_v : tech.reference_voltage_v;
  const double r = s.volts / tech.reference_voltage_v;
  s.dynamic = r * r;
  s.leakage = r;
  return s;
}

}  // namespace nibble::energy
