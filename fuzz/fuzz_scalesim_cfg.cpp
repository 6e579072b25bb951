// SCALE-Sim architecture configs (workloads/importers/scalesim_config.cpp),
// converted to a chip config as nibble import scalesim does.
#include "fuzz/fuzz_common.hpp"
#include "workloads/importers/scalesim_config.hpp"

NIBBLE_FUZZ_TARGET({
  const auto cfg =
      nibble::workload::read_scalesim_config(nibble::fuzz::write_input("arch.cfg", data, size));
  (void)nibble::workload::scalesim_chip_json(cfg, "../tech/horowitz45.json");
})
