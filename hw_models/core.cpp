#include "hw_models/core.hpp"

namespace nibble::hw {

Core::Core(sc_core::sc_module_name name, const CoreParams& params, sc_core::sc_time clock_period,
           Dram& dram, FidelityMode mode)
    : sc_core::sc_module(name),
      params_(params),
      array_(make_mac_array(mode, "array", params.array, clock_period)),
      scratchpad_("scratchpad", params.scratchpad, clock_period),
      read_dma_("read_dma", params.dma, dram, clock_period),
      write_dma_("write_dma", params.dma, dram, clock_period),
      lgu_("lgu", params.lgu, clock_period, true),
      scale_unit_("scale_unit", params.scale_unit, clock_period, true),
      sfu_("sfu", params.sfu, clock_period),
      controller_("controller", params.controller, clock_period, *array_, scratchpad_, read_dma_,
                  write_dma_) {}

void Core::register_stats(StatRegistry& registry, const std::string& prefix) const {
  array_->register_stats(registry, prefix + ".array");
  scratchpad_.register_stats(registry, prefix + ".scratchpad");
  read_dma_.register_stats(registry, prefix + ".read_dma");
  write_dma_.register_stats(registry, prefix + ".write_dma");
  lgu_.register_stats(registry, prefix + ".lgu");
  scale_unit_.register_stats(registry, prefix + ".scale_unit");
  sfu_.register_stats(registry, prefix + ".sfu");
  controller_.register_stats(registry, prefix + ".controller");
}

}  // namespace nibble::hw
