#include "hw_models/operand_feed.hpp"

#include <algorithm>

namespace nibble::hw {

uint32_t operand_width_bits(Precision precision) {
  switch (precision) {
    case Precision::int4_int4:
    case Precision::int4_fp4:
    case Precision::mxfp4:  // + one 8-bit scale per block, fetched by the scale unit
    case Precision::nvfp4:
      return 4;
    case Precision::hfp8:
      return 8;
    case Precision::fp16:
      return 16;
  }
  return 16;
}

uint32_t psum_width_bits(const MacArrayParams& array, Precision precision) {
  // Integer modes keep the exact accumulator word; FP modes accumulate in FP32.
  return precision == Precision::hfp8 || precision == Precision::fp16 || is_block_fp4(precision)
             ? 32
             : array.accumulator_bits;
}

FeedPerCycle steady_state_feed(const MacArrayParams& array, Precision precision) {
  const uint64_t b = operand_width_bits(precision), a = psum_width_bits(array, precision);
  const uint64_t k = array.macs_per_cycle_per_pe.of(precision);
  if (array.dataflow == Dataflow::os)
    return {uint64_t{array.rows} * k * b + uint64_t{array.cols} * k * b, 0};
  return {uint64_t{array.rows} * k * b, uint64_t{array.cols} * a};
}

OperandFeed operand_feed(const MacArrayParams& array, const ScratchpadParams& scratchpad,
                         Precision precision, const GemmShape& s) {
  OperandFeed f;
  if (s.m == 0 || s.n == 0 || s.k == 0) return f;
  const FoldGeometry g = fold_geometry(array, precision, s);
  const uint64_t b = operand_width_bits(precision), a = psum_width_bits(array, precision);
  const uint64_t k = g.macs_per_pe;
  const uint64_t word_bits = uint64_t{scratchpad.bank_width_bytes} * 8;
  auto words = [&](uint64_t bits) { return ceil_div(bits, word_bits); };
  const uint64_t mk = uint64_t{s.m} * s.k * b, kn = uint64_t{s.k} * s.n * b,
                 mn = uint64_t{s.m} * s.n * a;
  uint64_t words_per_cycle = 0;
  switch (array.dataflow) {
    case Dataflow::ws:
    case Dataflow::is: {
      const bool ws = array.dataflow == Dataflow::ws;
      // Stationary tile read once; streamed operand once per column fold;
      // partial sums written per row fold and reloaded for every fold but the first.
      f.sram_read_bits =
          (ws ? kn + mk * g.col_folds : mk + kn * g.col_folds) + mn * (g.row_folds - 1);
      f.sram_write_bits = mn * g.row_folds;
      f.streamed_cycles = uint64_t{ws ? s.m : s.n} * g.folds();
      words_per_cycle = words(uint64_t{array.rows} * k * b) + words(uint64_t{array.cols} * a) +
                        (g.row_folds > 1 ? words(uint64_t{array.cols} * a) : 0);
      break;
    }
    case Dataflow::os:
      f.sram_read_bits = mk * g.col_folds + kn * g.row_folds;
      f.sram_write_bits = mn;
      f.streamed_cycles = uint64_t{g.k_groups} * g.folds();
      words_per_cycle = words(uint64_t{array.rows} * k * b) + words(uint64_t{array.cols} * k * b);
      break;
  }
  f.words_per_cycle = static_cast<uint32_t>(words_per_cycle);
  const uint64_t per_clock = uint64_t{scratchpad.banks} * scratchpad.ports_per_bank;
  f.feed_clocks =
      static_cast<uint32_t>(std::max<uint64_t>(1, ceil_div(words_per_cycle, per_clock)));
  return f;
}

}  // namespace nibble::hw
