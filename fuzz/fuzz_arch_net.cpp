// Arch-net descriptions (workloads/ir/arch_net.cpp), lowered to a training
// step (workloads/ir/training_step.cpp) as nibble workload does.
#include "fuzz/fuzz_common.hpp"
#include "workloads/ir/arch_net.hpp"

NIBBLE_FUZZ_TARGET({
  const auto net =
      nibble::workload::read_arch_net(nibble::fuzz::write_input("net.json", data, size));
  (void)nibble::workload::generate_workload(net, {.batch = 8, .training = true});
})
