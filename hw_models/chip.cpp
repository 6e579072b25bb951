#include "hw_models/chip.hpp"

#include <sysc/kernel/sc_dynamic_processes.h>

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

namespace {
sc_core::sc_time period_of(double clock_mhz) {
  if (!(clock_mhz > 0)) throw InputError("chip clock_mhz must be > 0");
  return sc_core::sc_time(1e6 / clock_mhz, sc_core::SC_PS);
}
}  // namespace

Chip::Chip(sc_core::sc_module_name name, const ChipParams& params, FidelityMode mode)
    : sc_core::sc_module(name),
      params_(params),
      clock_period_(period_of(params.clock_mhz)),
      dram_("dram", params.dram, params.clock_mhz),
      ring_("ring", params.ring, std::max<uint32_t>(1, params.num_cores()), clock_period_),
      start_(params.num_cores()) {
  uint32_t index = 0;
  for (const CoreParams& group : params.cores)
    for (uint32_t i = 0; i < group.count; ++i, ++index)
      cores_.push_back(std::make_unique<Core>(("core" + std::to_string(index)).c_str(), group,
                                              clock_period_, dram_, mode));
  for (uint32_t i = 0; i < cores_.size(); ++i)
    sc_core::sc_spawn(sc_bind(&Chip::core_process, this, i),
                      ("core_process" + std::to_string(i)).c_str());
}

void Chip::core_process(uint32_t index) {
  for (;;) {
    wait(start_[index]);
    cores_[index]->controller().run((*programs_)[index]);
    if (--cores_running_ == 0) core_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

uint64_t Chip::run(const std::vector<CoreProgram>& programs) {
  if (programs.size() > cores_.size())
    throw InputError(std::string(name()) + ": " + std::to_string(programs.size()) +
                     " programs for " + std::to_string(cores_.size()) + " cores");
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  programs_ = &programs;
  cores_running_ = static_cast<uint32_t>(programs.size());
  if (cores_running_ == 0) return 0;
  for (uint32_t i = 0; i < programs.size(); ++i) start_[i].notify(sc_core::SC_ZERO_TIME);
  wait(core_done_);
  return static_cast<uint64_t>((sc_core::sc_time_stamp() - t0) / clock_period_ + 0.5);
}

void Chip::register_stats(StatRegistry& registry) const {
  dram_.register_stats(registry, "dram");
  ring_.register_stats(registry, "ring");
  for (size_t i = 0; i < cores_.size(); ++i)
    cores_[i]->register_stats(registry, "core" + std::to_string(i));
}

}  // namespace nibble::hw
