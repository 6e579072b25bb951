#include "sim/energy/sram_model.hpp"

#include <cmath>

namespace nibble::energy {

namespace {
double port_factor(uint32_t ports, const config::SramFigures& s) {
  return 1.0 + s.extra_port_area.value * (double(ports) - 1.0);
}
}  // namespace

double sram_energy_scale(double bank_kib, uint32_t ports, const config::SramFigures& s) {
  return std::pow(bank_kib / s.reference_bank_kib, s.energy_exponent.value) *
         std::sqrt(port_factor(ports, s));
}

SramCost sram_cost(const hw::ScratchpadParams& spad, const config::TechParams& tech) {
  const auto& s = tech.sram;
  SramCost c;
  c.bank_kib = double(spad.size_kib) / double(spad.banks);
  const double scale = sram_energy_scale(c.bank_kib, spad.ports_per_bank, s);
  c.read_pj_per_bit = tech.energy.sram_read_per_bit.pj * scale;
  c.write_pj_per_bit = tech.energy.sram_write_per_bit.pj * scale;
  const double bits = double(spad.size_bytes()) * 8;
  const double width_bits = double(spad.bank_width_bytes) * 8;
  c.area_um2 =
      bits * s.bitcell.um2 * port_factor(spad.ports_per_bank, s) / s.array_efficiency.value +
      double(spad.banks) * spad.ports_per_bank * width_bits * s.periphery_per_io_bit.um2;
  return c;
}

}  // namespace nibble::energy
