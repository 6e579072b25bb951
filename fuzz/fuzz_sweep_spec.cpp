// Sweep specs (sim/sweep/sweep_spec.cpp), expanded into points.
#include "fuzz/fuzz_common.hpp"
#include "sim/sweep/sweep_spec.hpp"

NIBBLE_FUZZ_TARGET({
  const auto spec =
      nibble::sweep::read_sweep_spec(nibble::fuzz::write_input("sweep.json", data, size));
  (void)nibble::sweep::expand_points(spec);
})
