// SCALE-Sim topology CSVs (workloads/importers/scalesim_topology.cpp).
#include "fuzz/fuzz_common.hpp"
#include "workloads/importers/scalesim_topology.hpp"

NIBBLE_FUZZ_TARGET((void)nibble::workload::read_scalesim_topology(
    nibble::fuzz::write_input("topology.csv", data, size)))
