#include "hw_models/mac_array_timing.hpp"

#include <algorithm>

namespace nibble::hw {

// Mapping per dataflow (docs/microarch.md 2.2):
//   WS: rows <- K groups, cols <- N, M streams.     IS: rows <- K groups, cols <- M, N streams.
//   OS: rows <- M, cols <- N, K groups stream.
FoldGeometry fold_geometry(const MacArrayParams& array, Precision precision,
                           const GemmShape& shape) {
  FoldGeometry g;
  g.macs_per_pe = array.macs_per_cycle_per_pe.of(precision);
  g.k_groups = static_cast<uint32_t>(ceil_div(shape.k, g.macs_per_pe));
  switch (array.dataflow) {
    case Dataflow::ws:
      g.row_folds = static_cast<uint32_t>(ceil_div(g.k_groups, array.rows));
      g.col_folds = static_cast<uint32_t>(ceil_div(shape.n, array.cols));
      break;
    case Dataflow::is:
      g.row_folds = static_cast<uint32_t>(ceil_div(g.k_groups, array.rows));
      g.col_folds = static_cast<uint32_t>(ceil_div(shape.m, array.cols));
      break;
    case Dataflow::os:
      g.row_folds = static_cast<uint32_t>(ceil_div(shape.m, array.rows));
      g.col_folds = static_cast<uint32_t>(ceil_div(shape.n, array.cols));
      break;
  }
  return g;
}

uint64_t fold_cycles(const MacArrayParams& array, Precision precision, const GemmShape& shape,
                     uint32_t rows_active, uint32_t cols_active) {
  const uint64_t r = array.rows;
  const uint64_t d = array.pe_pipeline_depth;
  const uint64_t setup = array.fold_setup_cycles;
  switch (array.dataflow) {
    case Dataflow::ws:  // load R + stream M + psum through R rows of depth d + column skew
      return setup + r + shape.m + r * d + cols_active - 2;
    case Dataflow::is:
      return setup + r + shape.n + r * d + cols_active - 2;
    case Dataflow::os: {  // stream Kg + skew to the last active PE + MAC latency + column drain R
      const uint64_t kg = ceil_div(shape.k, array.macs_per_cycle_per_pe.of(precision));
      return setup + kg + rows_active + cols_active + d + r - 4;
    }
  }
  return 0;
}

uint64_t gemm_cycles(const MacArrayParams& array, Precision precision, const GemmShape& shape) {
  if (shape.m == 0 || shape.n == 0 || shape.k == 0) return 0;
  const FoldGeometry g = fold_geometry(array, precision, shape);
  // Sum over folds; only the edge folds are narrower, so sum per fold index.
  uint64_t total = 0;
  const uint32_t rows_extent = array.dataflow == Dataflow::os ? shape.m : g.k_groups;
  const uint32_t cols_extent = array.dataflow == Dataflow::ws   ? shape.n
                               : array.dataflow == Dataflow::is ? shape.m
                                                                : shape.n;
  for (uint32_t fr = 0; fr < g.row_folds; ++fr) {
    const uint32_t rows_active = std::min<uint32_t>(array.rows, rows_extent - fr * array.rows);
    for (uint32_t fc = 0; fc < g.col_folds; ++fc) {
      const uint32_t cols_active = std::min<uint32_t>(array.cols, cols_extent - fc * array.cols);
      total += fold_cycles(array, precision, shape, rows_active, cols_active);
    }
  }
  return total;
}

}  // namespace nibble::hw
