#include "sim/runner/cycle_account.hpp"

#include "hw_models/mac_array_timing.hpp"
#include "hw_models/scalesim_timing.hpp"

namespace nibble::runner {
namespace {

// Nibble's array cycles summed over GEMMs, with pipeline depth and fold
// setup as given.
uint64_t array_cycles(hw::MacArrayParams a, Precision p, uint32_t depth, uint32_t setup,
                      const hw::GemmShape* shapes, size_t n) {
  a.timing_model = hw::TimingModel::nibble;
  a.pe_pipeline_depth = depth;
  a.fold_setup_cycles = setup;
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) total += hw::gemm_cycles(a, p, shapes[i]);
  return total;
}

}  // namespace

CycleAccount array_account(const hw::MacArrayParams& array, Precision precision,
                           const hw::GemmShape& op_shape, const hw::CoreProgram& program,
                           const hw::PassRecord& record, uint64_t issue_latency_cycles,
                           uint64_t count, uint64_t op_cycles) {
  CycleAccount acc;
  acc.valid = true;
  hw::MacArrayParams ss = array;
  ss.timing_model = hw::TimingModel::scalesim_v2;
  const hw::ScaleSimCycles s = hw::scalesim_gemm_cycles(
      ss, precision, op_shape, program.scalesim_layer ? &*program.scalesim_layer : nullptr);
  std::vector<hw::GemmShape> steps;
  uint32_t share_n = 0;
  for (const auto& st : program.steps) {
    steps.push_back(st.shape);
    if (st.m0 == 0 && st.k0 == 0) share_n += st.shape.n;
  }
  const hw::GemmShape share{op_shape.m, share_n, op_shape.k};
  // Telescoping chain from SCALE-Sim's stall-free clocks to the array's busy
  // cycles: full op (depth 1, no setup) -> this core's share -> its tiles ->
  // + pipeline depth -> + fold setup (= the measured busy cycles).
  const uint64_t a_full = array_cycles(array, precision, 1, 0, &op_shape, 1);
  const uint64_t a_share = share_n > 0 ? array_cycles(array, precision, 1, 0, &share, 1) : 0;
  const uint64_t a_tiled = array_cycles(array, precision, 1, 0, steps.data(), steps.size());
  const uint64_t a_depth =
      array_cycles(array, precision, array.pe_pipeline_depth, 0, steps.data(), steps.size());
  const uint64_t first_load = record.first_load_dram + record.first_load_dependency;
  auto& t = acc.terms;
  t[acc_scalesim_ofmap_stalls] = -int64_t(s.stalls);
  t[acc_fold_fill_drain] = int64_t(a_full) - int64_t(s.total - s.stalls);
  t[acc_core_split] = int64_t(a_share) - int64_t(a_full);
  t[acc_tiling] = int64_t(a_tiled) - int64_t(a_share);
  t[acc_pe_pipeline_depth] = int64_t(a_depth) - int64_t(a_tiled);
  t[acc_fold_setup] = int64_t(record.array_busy_cycles) - int64_t(a_depth);
  t[acc_first_load] = int64_t(first_load);
  t[acc_last_store] = int64_t(record.last_store);
  t[acc_dram_stalls] = int64_t(record.stalls.dram - record.first_load_dram);
  t[acc_issue_and_dependencies] = int64_t(record.stalls.dependency - record.first_load_dependency) +
                                  int64_t(record.steps * issue_latency_cycles);
  t[acc_bank_conflicts] = int64_t(record.stalls.bank_conflict);
  acc.scalesim_cycles = s.total * count;
  acc.scalesim_stalls = s.stalls * count;
  int64_t sum = int64_t(s.total);
  for (auto& v : t) sum += v;
  for (auto& v : t) v *= int64_t(count);
  t[acc_unexplained] = int64_t(op_cycles) - sum * int64_t(count);
  acc.nibble_cycles = op_cycles;
  return acc;
}

CycleAccount unit_account(uint64_t op_cycles) {
  CycleAccount acc;
  acc.valid = true;
  acc.terms[acc_vector_quantize_ops] = int64_t(op_cycles);
  acc.nibble_cycles = op_cycles;
  return acc;
}

}  // namespace nibble::runner
