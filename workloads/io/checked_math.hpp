#pragma once
// Integer arithmetic on sizes read from files: every product is checked for
// overflow before it is used to size an allocation or a loop, and what a
// reader is about to allocate is checked against one memory budget, so a
// 16-byte header cannot ask for 2^40 bytes.
#include <cstdint>
#include <initializer_list>
#include <string>

namespace nibble::io {

// The most one input may make the program allocate (tensors, data sets,
// workload operands). 4 GiB fits the largest legitimate input (a full
// Fashion-MNIST train split is 47 MB; ResNet-50 weights 100 MB) with room;
// NIBBLE_MEMORY_BUDGET_MIB overrides it for big machines.
uint64_t memory_budget_bytes();

// a * b, or nullopt-like failure: returns false on overflow.
bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out);

// Product of `factors`; throws InputFileError(file, where) naming `what`
// when it overflows 64 bits or exceeds `limit`.
uint64_t checked_product(std::initializer_list<uint64_t> factors, uint64_t limit,
                         const std::string& file, const std::string& where,
                         const std::string& what);

// Throws InputFileError when `bytes` exceeds the memory budget, saying how
// much and why ("the IDX header claims 67108864 images of 28x28").
void check_allocation(uint64_t bytes, const std::string& file, const std::string& where,
                      const std::string& why);

}  // namespace nibble::io
