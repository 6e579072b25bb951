#pragma once
// The size-aware SRAM macro rule: what one access to a scratchpad bank costs,
// and the macro's area, from its capacity, bank count, width and ports
// (docs/energy.md section 3, fitted to Horowitz ISSCC 2014).
//   bank capacity   c = size / banks                (an access touches one bank)
//   port factor     p = 1 + extra_port_area * (ports - 1)
//   pJ per bit      e(c) = e_ref * (c / c_ref)^exponent * sqrt(p)
//                   (bit-line and word-line length ~ sqrt(bank area))
//   area            bits * bitcell * p / array_efficiency
//                   + banks * ports * width_bits * periphery_per_io_bit
#include "hw_models/scratchpad_params.hpp"
#include "sim/config/tech_params.hpp"

namespace nibble::energy {

struct SramCost {
  double bank_kib = 0;
  double read_pj_per_bit = 0;   // at the tech reference voltage
  double write_pj_per_bit = 0;  // at the tech reference voltage
  double area_um2 = 0;          // the whole scratchpad macro
};

SramCost sram_cost(const hw::ScratchpadParams& spad, const config::TechParams& tech);

// Per-bit energy of a bank of `bank_kib` KiB with `ports` ports, relative to
// the reference bank (the rule's scaling factor alone).
double sram_energy_scale(double bank_kib, uint32_t ports, const config::SramFigures& sram);

}  // namespace nibble::energy
