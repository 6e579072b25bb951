#pragma once
// Size limits of one GEMM (a gemm op, or a conv lowered to one): the
// compiler tiles with 32-bit dimensions, and MAC counts must not overflow
// when summed over a workload. Checked wherever a workload is made (workload
// JSON, arch nets, importers) so 2^32-sized dimensions are refused rather
// than wrapped to "0 MACs".
#include <cstdint>
#include <string>

#include "workloads/ir/workload.hpp"

namespace nibble::workload {

inline constexpr uint64_t kMaxGemmDim = (1ull << 32) - 1;
inline constexpr uint64_t kMaxMacs = 1ull << 62;

// Throws InputError naming `what` unless every dimension and the MAC count
// of `g` are within those limits (computed without overflow).
void check_gemm_size(const GemmShape& g, const std::string& what);

}  // namespace nibble::workload
