#include "sim/chip_exec/chip_session.hpp"

#include <cmath>

#include "hw_models/numerics/errors.hpp"

namespace nibble::chip_exec {

struct ChipSession::Driver : sc_core::sc_module {
  SC_HAS_PROCESS(Driver);
  Driver(sc_core::sc_module_name n, hw::Chip& c) : sc_core::sc_module(n), chip(c) {
    SC_THREAD(loop);
  }
  void loop() {
    for (;;) {
      wait(go);
      try {
        (*job)(chip);
      } catch (...) {
        error = std::current_exception();
      }
      job = nullptr;
    }
  }
  hw::Chip& chip;
  sc_core::sc_event go;
  const std::function<void(hw::Chip&)>* job = nullptr;
  std::exception_ptr error;
};

ChipSession::ChipSession(const hw::ChipParams& params, hw::FidelityMode mode) : params_(params) {
  chip_ = std::make_unique<hw::Chip>("chip", params_, mode);
  driver_ = std::make_unique<Driver>("driver", *chip_);
  chip_->register_stats(stats_);
  // Elaborate and initialise now: the driver then waits for its first job
  // (a job notified before initialisation could be missed).
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

ChipSession::~ChipSession() = default;

uint64_t ChipSession::now_cycles() const {
  return static_cast<uint64_t>(std::llround(sc_core::sc_time_stamp() / chip_->clock_period()));
}

uint64_t ChipSession::run(const std::function<void(hw::Chip&)>& job) {
  const uint64_t t0 = now_cycles();
  driver_->job = &job;
  driver_->error = nullptr;
  driver_->go.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  if (driver_->job != nullptr)
    throw SimulationError("chip session: the simulation stopped before the op finished");
  if (driver_->error) std::rethrow_exception(driver_->error);
  return now_cycles() - t0;
}

}  // namespace nibble::chip_exec
