// Training recipes (workloads/trainer/recipe.cpp), with one --set override.
#include "fuzz/fuzz_common.hpp"
#include "workloads/trainer/recipe.hpp"

NIBBLE_FUZZ_TARGET((void)nibble::train::Recipe::load(
    nibble::fuzz::write_input("recipe.json", data, size).string(), {"/optimizer/lr=0.05"}))
