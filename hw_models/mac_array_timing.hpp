#pragma once
// Closed-form cycle counts of the MPE array with ideal operand supply: the
// formulas of docs/microarch.md section 2. FAST and TIMING modes advance
// time by these; DETAILED mode never calls them (its cycles emerge from
// moving data through the PE grid) and the tests require both to agree.
#include <cstdint>

#include "hw_models/mac_array_params.hpp"
#include "hw_models/numerics/precision.hpp"

namespace nibble::hw {

// Shape of one GEMM on the array: C[M x N] = A[M x K] * B[K x N].
struct GemmShape {
  uint32_t m = 0;
  uint32_t n = 0;
  uint32_t k = 0;
};

inline uint64_t ceil_div(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

// How the GEMM folds onto the array for the configured dataflow.
struct FoldGeometry {
  uint32_t macs_per_pe = 1;  // k MACs per PE per cycle for the precision mode
  uint32_t k_groups = 0;     // Kg = ceil(K / k): reduction steps of one PE
  uint32_t row_folds = 0;    // folds along the array's rows
  uint32_t col_folds = 0;    // folds along the array's columns
  uint64_t folds() const { return uint64_t{row_folds} * col_folds; }
};

FoldGeometry fold_geometry(const MacArrayParams& array, Precision precision,
                           const GemmShape& shape);

// Cycles of one fold whose active part is rows_active x cols_active PEs.
uint64_t fold_cycles(const MacArrayParams& array, Precision precision, const GemmShape& shape,
                     uint32_t rows_active, uint32_t cols_active);

// Cycles of the whole GEMM (sum over folds, folds do not overlap).
uint64_t gemm_cycles(const MacArrayParams& array, Precision precision, const GemmShape& shape);

}  // namespace nibble::hw
