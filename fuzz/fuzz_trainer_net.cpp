// The reference trainer's networks (workloads/trainer/model.cpp): parsed and
// built (weights allocated under the fuzz memory budget).
#include "fuzz/fuzz_common.hpp"
#include "workloads/trainer/model.hpp"

NIBBLE_FUZZ_TARGET((void)nibble::train::Model::load(
    nibble::fuzz::write_input("model.json", data, size).string(), 1))
