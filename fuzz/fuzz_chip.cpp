// Chip configs (sim/config/chip_config.cpp) through the input layer.
#include "fuzz/fuzz_common.hpp"
#include "sim/config/chip_config.hpp"

NIBBLE_FUZZ_TARGET((void)nibble::config::load_chip_config(
    nibble::fuzz::write_input("chips/chip.json", data, size)))
