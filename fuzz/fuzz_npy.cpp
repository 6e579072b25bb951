// NumPy .npy tensors (workloads/trace/npy.cpp, the hand-written header parser).
#include "fuzz/fuzz_common.hpp"
#include "workloads/trace/npy.hpp"

NIBBLE_FUZZ_TARGET(
    (void)nibble::trace::read_npy(nibble::fuzz::write_input("t.npy", data, size).string()))
