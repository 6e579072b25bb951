#pragma once
// One core of the chip: MPE array, scratchpad, read and write DMA channels
// (sharing the chip's DRAM), LGU, scale unit, SFU and the controller that
// sequences them. Owns no timing itself: it wires the blocks and registers
// their statistics under one prefix.
#include <systemc>

#include <memory>
#include <string>

#include "hw_models/chip_params.hpp"
#include "hw_models/controller.hpp"
#include "hw_models/dma.hpp"
#include "hw_models/log_grad_unit.hpp"
#include "hw_models/mac_array.hpp"
#include "hw_models/scale_unit.hpp"
#include "hw_models/scratchpad.hpp"
#include "hw_models/sfu.hpp"

namespace nibble::hw {

class Core : public sc_core::sc_module {
 public:
  Core(sc_core::sc_module_name name, const CoreParams& params, sc_core::sc_time clock_period,
       Dram& dram, FidelityMode mode = FidelityMode::timing);

  void register_stats(StatRegistry& registry, const std::string& prefix) const;

  const CoreParams& params() const { return params_; }
  MacArray& array() { return *array_; }
  Scratchpad& scratchpad() { return scratchpad_; }
  Dma& read_dma() { return read_dma_; }
  Dma& write_dma() { return write_dma_; }
  Controller& controller() { return controller_; }
  LogGradUnit& lgu() { return lgu_; }
  ScaleUnit& scale_unit() { return scale_unit_; }
  Sfu& sfu() { return sfu_; }

 private:
  CoreParams params_;
  std::unique_ptr<MacArray> array_;  // FAST/DETAILED need programs that carry operand data
  Scratchpad scratchpad_;
  Dma read_dma_;
  Dma write_dma_;
  LogGradUnit lgu_;
  ScaleUnit scale_unit_;
  Sfu sfu_;
  Controller controller_;
};

}  // namespace nibble::hw
