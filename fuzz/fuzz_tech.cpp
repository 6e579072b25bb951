// Technology tables (sim/config/chip_config.cpp, load_tech_config).
#include "fuzz/fuzz_common.hpp"
#include "sim/config/chip_config.hpp"

NIBBLE_FUZZ_TARGET((void)nibble::config::load_tech_config(
    nibble::fuzz::write_input("tech/fuzzed.json", data, size)))
