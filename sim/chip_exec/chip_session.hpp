#pragma once
// One SystemC simulation of a chip that the host drives op by op: a driver
// SC_THREAD waits for a job, runs it (blocking calls into the chip's blocks
// advance simulated time), and goes back to waiting; run() hands it the job
// and calls sc_start(), which returns once the driver is idle again. So one
// elaboration and one simulation serve a whole training run (SystemC allows
// one per process: build at most one ChipSession per process).
#include <systemc>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>

#include "hw_models/chip.hpp"
#include "hw_models/stats.hpp"

namespace nibble::chip_exec {

class ChipSession {
 public:
  ChipSession(const hw::ChipParams& params, hw::FidelityMode mode);
  ~ChipSession();
  ChipSession(const ChipSession&) = delete;
  ChipSession& operator=(const ChipSession&) = delete;

  // Runs job(chip) inside the simulation (it may call blocking chip
  // methods). Returns the simulated cycles it took. An exception thrown by
  // the job is rethrown here unchanged (InputError stays an InputError).
  uint64_t run(const std::function<void(hw::Chip&)>& job);

  hw::Chip& chip() { return *chip_; }
  const hw::ChipParams& params() const { return params_; }
  const hw::StatRegistry& stats() const { return stats_; }
  uint64_t now_cycles() const;  // simulated clocks since the start

 private:
  struct Driver;
  hw::ChipParams params_;
  std::unique_ptr<hw::Chip> chip_;
  std::unique_ptr<Driver> driver_;
  hw::StatRegistry stats_;
};

}  // namespace nibble::chip_exec
