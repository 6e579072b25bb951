#include "sim/compiler/gemm_tiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/operand_feed.hpp"
#include "workloads/io/checked_math.hpp"

namespace nibble::compiler {

uint64_t block_scale_bytes(Precision precision, uint64_t lines, uint64_t k) {
  if (!is_block_fp4(precision)) return 0;
  const uint64_t block = precision == Precision::nvfp4 ? 16 : 32;
  return lines * ((k + block - 1) / block);
}

uint64_t tile_bytes(Precision precision, const TileShape& t) {
  const uint64_t bits = hw::operand_width_bits(precision);
  const uint64_t a = (uint64_t{t.m} * t.k * bits + 7) / 8 + block_scale_bytes(precision, t.m, t.k);
  const uint64_t b = (uint64_t{t.k} * t.n * bits + 7) / 8 + block_scale_bytes(precision, t.n, t.k);
  return a + b + uint64_t{t.m} * t.n * 4;
}

namespace {

uint64_t usable_bytes(const hw::ScratchpadParams& sp) {
  return sp.double_buffered ? sp.size_bytes() / 2 : sp.size_bytes();
}

std::string describe(const TileShape& t) {
  return std::to_string(t.m) + "x" + std::to_string(t.n) + "x" + std::to_string(t.k);
}

// The array granularity of each GEMM dimension under the core's dataflow
// (docs/microarch.md 2.2): the dimension mapped to the rows or columns is
// tiled in whole rows/columns (K in whole reduction groups per row).
struct Alignment {
  uint32_t m = 1, n = 1, k = 1;
};
Alignment array_alignment(const GemmOp& op, const hw::MacArrayParams& array) {
  const uint32_t k_group = array.macs_per_cycle_per_pe.of(op.precision);
  switch (array.dataflow) {
    case hw::Dataflow::ws:
      return {1, array.cols, array.rows * k_group};
    case hw::Dataflow::is:
      return {array.cols, 1, array.rows * k_group};
    case hw::Dataflow::os:
      return {array.rows, array.cols, k_group};
  }
  return {};
}
// Block-scaled FP4 K tiles also end on scale-block boundaries (the
// controller requires it: a block joins the FP32 sum at its last element).
Alignment alignment(const GemmOp& op, const hw::MacArrayParams& array) {
  Alignment a = array_alignment(op, array);
  if (is_block_fp4(op.precision)) a.k = std::lcm(a.k, op.precision == Precision::nvfp4 ? 16u : 32u);
  return a;
}

// Largest array-aligned tile of the share (m x n x k) that fits.
TileShape fit_tile(const GemmOp& op, const hw::CoreParams& core, uint32_t core_index, uint32_t m,
                   uint32_t n, uint32_t k) {
  const Alignment align = alignment(op, core.array);
  const uint32_t k_unit = align.k, n_unit = align.n, m_unit = align.m;
  const uint64_t limit = usable_bytes(core.scratchpad);
  TileShape t{m, n, k};
  auto halve = [](uint32_t v, uint32_t unit) {
    const uint32_t units = (v + unit - 1) / unit;
    return units > 1 ? std::max(unit, (units / 2) * unit) : std::max<uint32_t>(1, v / 2);
  };
  while (tile_bytes(op.precision, t) > limit) {
    const TileShape before = t;
    // Shrink the dimension that contributes most bytes, keeping alignment.
    const uint64_t bits = hw::operand_width_bits(op.precision);
    const uint64_t by_m = uint64_t{t.m} * (t.k * bits / 8 + uint64_t{t.n} * 4);
    const uint64_t by_n = uint64_t{t.n} * (t.k * bits / 8 + uint64_t{t.m} * 4);
    const uint64_t by_k = uint64_t{t.k} * (t.m + t.n) * bits / 8;
    if (by_k >= by_m && by_k >= by_n && t.k > std::min(k, k_unit))
      t.k = std::min(t.k, halve(t.k, k_unit));
    else if (by_m >= by_n && t.m > std::min(m, m_unit))
      t.m = std::min(t.m, halve(t.m, m_unit));
    else if (t.n > std::min(n, n_unit))
      t.n = std::min(t.n, halve(t.n, n_unit));
    else if (t.m > std::min(m, m_unit))
      t.m = std::min(t.m, halve(t.m, m_unit));
    else if (t.k > std::min(k, k_unit))
      t.k = std::min(t.k, halve(t.k, k_unit));
    if (t.m == before.m && t.n == before.n && t.k == before.k)
      throw InputError(
          "op '" + op.name + "': the smallest tile " + describe(t) + " (MxNxK, " +
          std::to_string(tile_bytes(op.precision, t)) + " bytes) does not fit in core " +
          std::to_string(core_index) + "'s scratchpad: " + std::to_string(limit) +
          " usable bytes (" + std::to_string(core.scratchpad.size_kib) + " KiB" +
          (core.scratchpad.double_buffered ? ", half per buffer when double-buffered)" : ")"));
  }
  return t;
}

// Which operand stays resident across consecutive steps: the loop over the
// other operand's tiles runs inside the loop over its tiles (k innermost in
// both, so partial sums stay on chip). WS keeps B (the stationary weights),
// IS keeps A, OS the operand whose tile holds more bytes.
bool keep_b_resident(hw::Dataflow df, uint64_t a_tile_bytes, uint64_t b_tile_bytes) {
  switch (df) {
    case hw::Dataflow::ws:
      return true;
    case hw::Dataflow::is:
      return false;
    case hw::Dataflow::os:
      return b_tile_bytes >= a_tile_bytes;
  }
  return true;
}

hw::CoreProgram tile_program(const GemmOp& op, hw::Dataflow df, const TileShape& t, uint32_t m,
                             uint32_t n, uint32_t k) {
  hw::CoreProgram p;
  p.op_name = op.name;
  p.precision = op.precision;
  const uint64_t bits = hw::operand_width_bits(op.precision);
  auto bytes = [bits](uint64_t rows, uint64_t cols) { return (rows * cols * bits + 7) / 8; };
  const bool b_outer = keep_b_resident(df, bytes(t.m, t.k), bytes(t.k, t.n));
  // The previous step's A and B tiles (origin and extent): a tile equal to
  // the previous one is still in the scratchpad and is not reloaded.
  struct Tile {
    uint32_t r0 = ~0u, c0 = ~0u, rows = 0, cols = 0;
    bool operator==(const Tile&) const = default;
  } prev_a, prev_b;
  // 64-bit loop counters: a dimension near 2^32 must not wrap the loop.
  const uint64_t outer_end = b_outer ? n : m, inner_end = b_outer ? m : n;
  const uint64_t outer_step = b_outer ? t.n : t.m, inner_step = b_outer ? t.m : t.n;
  for (uint64_t o = 0; o < outer_end; o += outer_step)
    for (uint64_t i = 0; i < inner_end; i += inner_step)
      for (uint64_t k64 = 0; k64 < k; k64 += t.k) {
        const auto k0 = static_cast<uint32_t>(k64);
        const auto m0 = static_cast<uint32_t>(b_outer ? i : o),
                   n0 = static_cast<uint32_t>(b_outer ? o : i);
        const uint32_t tm = std::min(t.m, m - m0), tn = std::min(t.n, n - n0),
                       tk = std::min(t.k, k - k0);
        hw::TileStep s;
        s.shape = {tm, tn, tk};
        s.m0 = m0;
        s.n0 = n0;
        s.k0 = k0;
        const Tile a{m0, k0, tm, tk}, b{k0, n0, tk, tn};
        s.load_bytes = (a == prev_a ? 0 : bytes(tm, tk) + block_scale_bytes(op.precision, tm, tk)) +
                       (b == prev_b ? 0 : bytes(tk, tn) + block_scale_bytes(op.precision, tn, tk));
        prev_a = a;
        prev_b = b;
        s.store_bytes =
            k64 + t.k >= k ? uint64_t{tm} * tn * 2 : 0;  // FP16 outputs after the last K tile
        p.steps.push_back(s);
      }
  return p;
}

}  // namespace

GemmPlan plan_gemm(const GemmOp& op, const hw::ChipParams& chip) {
  if (op.m == 0 || op.n == 0 || op.k == 0)
    throw InputError("op '" + op.name + "': GEMM dimensions must be >= 1 (found " +
                     std::to_string(op.m) + "x" + std::to_string(op.n) + "x" +
                     std::to_string(op.k) + ")");
  std::vector<const hw::CoreParams*> cores;
  for (const auto& group : chip.cores)
    for (uint32_t i = 0; i < group.count; ++i) cores.push_back(&group);
  if (cores.empty()) throw InputError("op '" + op.name + "': the chip has no cores");
  // Every GEMM on a chip is planned here first (run, sweep points, trace
  // replay, training on the chip), before any of it is simulated.
  if (const std::string e = hw::absent_lane_error(
          chip, op.precision,
          "op '" + op.name + "' (a GEMM in " + precision_key(op.precision) + ")");
      !e.empty())
    throw InputError(e);

  // N split in multiples of the (first core's) array width.
  const uint32_t unit = cores[0]->array.cols;
  const uint32_t units = (op.n + unit - 1) / unit;
  const uint32_t per_core_units = (units + uint32_t(cores.size()) - 1) / uint32_t(cores.size());
  GemmPlan plan;
  for (uint32_t c = 0; c < cores.size(); ++c) {
    const uint32_t n0 = std::min(op.n, c * per_core_units * unit);
    const uint32_t n1 = std::min(op.n, (c + 1) * per_core_units * unit);
    if (n1 <= n0) {
      plan.core_tiles.push_back({});
      hw::CoreProgram idle;
      idle.op_name = op.name;
      idle.precision = op.precision;
      plan.programs.push_back(idle);
      continue;
    }
    // SCALE-Sim's convention (array.timing_model scalesim_v2) runs the whole
    // share as one GEMM whose operands are in the SRAM before its first clock
    // and whose outputs drain after its last (docs/microarch.md 12): one
    // step, no DMA time. Its SRAMs are streaming buffers, not a capacity.
    const bool scalesim = cores[c]->array.timing_model == hw::TimingModel::scalesim_v2;
    const TileShape t =
        scalesim ? TileShape{op.m, n1 - n0, op.k} : fit_tile(op, *cores[c], c, op.m, n1 - n0, op.k);
    // The plan lists every tile step: checked against the memory budget
    // before it is built, so a 65536^3 GEMM is refused, not swapped to death.
    auto tiles = [](uint64_t dim, uint64_t tile) { return (dim + tile - 1) / tile; };
    const uint64_t steps = io::checked_product(
        {tiles(op.m, t.m), tiles(n1 - n0, t.n), tiles(op.k, t.k), sizeof(hw::TileStep)}, UINT64_MAX,
        "op '" + op.name + "'", "", "tile steps x bytes per step");
    // x4: the plan is copied into each core's program and the run keeps
    // per-step records beside it, so it may use a quarter of the budget.
    io::check_allocation(steps * 4, "op '" + op.name + "'", "",
                         fmt::format("the tile plan of a {}x{}x{} GEMM on core {} ({}x{}x{} tiles)",
                                     op.m, op.n, op.k, c, t.m, t.n, t.k));
    plan.core_tiles.push_back(t);
    plan.programs.push_back(tile_program(op, cores[c]->array.dataflow, t, op.m, n1 - n0, op.k));
    if (scalesim)
      for (auto& step : plan.programs.back().steps) step.load_bytes = step.store_bytes = 0;
    plan.programs.back().n_offset = n0;
  }
  for (auto& p : plan.programs) p.scalesim_layer = op.scalesim_layer;
  return plan;
}

GemmPlan plan_gemm(const GemmOp& op, const hw::ChipParams& chip,
                   std::shared_ptr<const hw::GemmOperands> operands) {
  if (operands == nullptr) throw InputError("op '" + op.name + "': no operand data given");
  const hw::GemmShape& s = operands->shape;
  if (s.m != op.m || s.n != op.n || s.k != op.k || operands->format.precision != op.precision)
    throw InputError("op '" + op.name +
                     "': the operand data's shape or precision does not match the op");
  GemmPlan plan = plan_gemm(op, chip);
  for (auto& p : plan.programs) p.operands = operands;
  return plan;
}

}  // namespace nibble::compiler
