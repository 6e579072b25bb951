#include "hw_models/controller.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "hw_models/operand_feed.hpp"

#include "hw_models/numerics/accumulate.hpp"
#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

Controller::Controller(sc_core::sc_module_name name, const ControllerParams& params,
                       sc_core::sc_time clock_period, MacArray& array, Scratchpad& scratchpad,
                       Dma& read_dma, Dma& write_dma)
    : sc_core::sc_module(name),
      params_(params),
      clock_period_(clock_period),
      array_(array),
      scratchpad_(scratchpad),
      read_dma_(read_dma),
      write_dma_(write_dma) {
  SC_THREAD(load_process);
  SC_THREAD(compute_process);
  SC_THREAD(store_process);
}

void Controller::issue() {
  ++counters_.commands;
  // SCALE-Sim's convention has no controller: its commands cost no time.
  if (params_.issue_latency_cycles > 0 && array_.params().timing_model != TimingModel::scalesim_v2)
    wait(clock_period_ * static_cast<double>(params_.issue_latency_cycles));
}

uint64_t Controller::now_cycle() const {
  return static_cast<uint64_t>(sc_core::sc_time_stamp() / clock_period_ + 0.5);
}

void Controller::record(BlockInterval::Block block, uint64_t start_cycle) {
  if (timeline_ != nullptr) timeline_->push_back({block, start_cycle, now_cycle() - start_cycle});
}

void Controller::check_program(const CoreProgram& program) const {
  const std::string who = std::string(name()) + ": op '" + program.op_name + "'";
  if (program.operands == nullptr) {
    if (array_.computes_values())
      throw InputError(who + ": a FAST/DETAILED array needs a program that carries operand data");
    return;
  }
  const GemmOperands& ops = *program.operands;
  if (ops.format.precision != program.precision)
    throw InputError(who + ": operand format and program precision differ");
  if (ops.a.size() != uint64_t{ops.shape.m} * ops.shape.k ||
      ops.b.size() != uint64_t{ops.shape.k} * ops.shape.n)
    throw InputError(who + ": operand data does not match its M x N x K shape");
  // K-split tiles continue the previous tile's partial sums: scatter_outputs
  // adds them in ascending k0 order, which needs a step's K tiles in a row.
  if (array_.params().accumulation != Accumulation::int_exact)
    throw InputError(who + ": data-carrying programs need accumulation int_exact");
  for (size_t j = 0; j < program.steps.size(); ++j) {
    const TileStep& s = program.steps[j];
    if (s.m0 + s.shape.m > ops.shape.m || program.n_offset + s.n0 + s.shape.n > ops.shape.n ||
        s.k0 + s.shape.k > ops.shape.k)
      throw InputError(who + ": step " + std::to_string(j) + " lies outside the op's M x N x K");
    const bool continues = s.k0 != 0;
    const TileStep* prev = j > 0 ? &program.steps[j - 1] : nullptr;
    if (continues &&
        (prev == nullptr || prev->m0 != s.m0 || prev->n0 != s.n0 || prev->shape.m != s.shape.m ||
         prev->shape.n != s.shape.n || prev->k0 + prev->shape.k != s.k0))
      throw InputError(who + ": step " + std::to_string(j) +
                       " continues K at k0 = " + std::to_string(s.k0) +
                       " but the previous step is not the same output tile's preceding K tile");
    // Block-scaled modes add a block to the fp32 sum at its last element, so a
    // K tile must end on a block boundary (or at K) for its word to be final.
    if (is_block_fp4(ops.format.precision) && s.k0 + s.shape.k < ops.shape.k &&
        (s.k0 + s.shape.k) % ops.format.block_size != 0)
      throw InputError(who + ": step " + std::to_string(j) + " ends K at " +
                       std::to_string(s.k0 + s.shape.k) + ", inside a " +
                       std::to_string(ops.format.block_size) + "-element scale block");
  }
}

GemmJob Controller::tile_job(const TileStep& step, const MacFormat& format) {
  const GemmOperands* ops = program_->operands.get();
  const ScaleSimLayerGeometry* layer =
      program_->scalesim_layer ? &*program_->scalesim_layer : nullptr;
  if (ops == nullptr) return GemmJob{format, step.shape, {}, {}, layer};  // cycles only
  const GemmShape& s = step.shape;
  const uint32_t K = ops->shape.k, N = ops->shape.n, n_first = program_->n_offset + step.n0;
  tile_a_.resize(uint64_t{s.m} * s.k);
  tile_b_.resize(uint64_t{s.k} * s.n);
  for (uint32_t m = 0; m < s.m; ++m)
    std::copy_n(ops->a.begin() + int64_t(uint64_t{step.m0 + m} * K + step.k0), s.k,
                tile_a_.begin() + int64_t(uint64_t{m} * s.k));
  for (uint32_t k = 0; k < s.k; ++k)
    std::copy_n(ops->b.begin() + int64_t(uint64_t{step.k0 + k} * N + n_first), s.n,
                tile_b_.begin() + int64_t(uint64_t{k} * s.n));
  return GemmJob{format, s, tile_a_, tile_b_, layer};
}

// Whole-K tiles write their outputs. A K-split op's tiles (k0 > 0) add their
// accumulator words to the partial sums kept on chip, in ascending k0 order:
// integer modes saturate the sum at accumulator_bits (equal to the sequential
// K-order reference unless a prefix sum saturates), float modes add the fp32
// tile sums in k0 order (docs/microarch.md 9). The last K tile rounds to FP16.
void Controller::scatter_outputs(const TileStep& step, const GemmOutput& out) {
  if (program_->operands == nullptr || out.accumulators.empty()) return;
  const GemmShape& s = step.shape;
  const GemmOperands& ops = *program_->operands;
  const uint32_t N = ops.shape.n, n_first = program_->n_offset + step.n0;
  const bool first = step.k0 == 0, last = step.k0 + s.k >= ops.shape.k;
  const bool integer =
      ops.format.precision == Precision::int4_int4 || ops.format.precision == Precision::int4_fp4;
  if (first && last) {  // a whole-K tile: its outputs are final, row by row
    for (uint32_t m = 0; m < s.m; ++m) {
      const uint64_t dst = uint64_t{step.m0 + m} * N + n_first, src = uint64_t{m} * s.n;
      std::copy_n(out.accumulators.begin() + int64_t(src), s.n,
                  outputs_acc_.begin() + int64_t(dst));
      std::copy_n(out.fp16.begin() + int64_t(src), s.n, outputs_fp16_.begin() + int64_t(dst));
    }
    return;
  }
  const int64_t lo = num::acc_min(int(array_.params().accumulator_bits)),
                hi = num::acc_max(int(array_.params().accumulator_bits));
  for (uint32_t m = 0; m < s.m; ++m)
    for (uint32_t n = 0; n < s.n; ++n) {
      const uint64_t dst = uint64_t{step.m0 + m} * N + n_first + n, src = uint64_t{m} * s.n + n;
      int64_t acc = out.accumulators[src];
      if (!first) {
        const int64_t prev = outputs_acc_[dst];
        if (integer) {
          acc = std::clamp(prev + acc, lo, hi);  // |words| < 2^62: no int64 overflow
        } else {
          const float sum = std::bit_cast<float>(static_cast<uint32_t>(prev)) +
                            std::bit_cast<float>(static_cast<uint32_t>(acc));
          acc = static_cast<int64_t>(std::bit_cast<uint32_t>(sum));
        }
      }
      outputs_acc_[dst] = acc;
      if (last) outputs_fp16_[dst] = first ? out.fp16[src] : output_datapath_->round_output(acc);
    }
}

uint64_t Controller::run(const CoreProgram& program) {
  if (program_ != nullptr)
    throw SimulationError(std::string(name()) + ": run() called while a program is in flight");
  check_program(program);
  if (program.operands != nullptr) {
    const uint64_t outputs = uint64_t{program.operands->shape.m} * program.operands->shape.n;
    outputs_fp16_.assign(outputs, 0);
    outputs_acc_.assign(outputs, 0);
    output_datapath_ =
        make_mac_datapath(program.operands->format, array_.params().accumulator_bits);
  }
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  program_ = &program;
  loaded_steps_ = computed_steps_ = stored_steps_ = 0;
  load_dma_cycles_.assign(program.steps.size(), 0);
  pass_stalls_ = {};
  pass_array_cycles_ = 0;
  pass_first_dram_ = pass_first_dependency_ = 0;
  last_compute_end_ = t0;
  if (!program.steps.empty()) {
    start_load_.notify();
    start_compute_.notify();
    start_store_.notify();
    wait(done_);
  }
  program_ = nullptr;
  ++counters_.programs;
  const uint64_t cycles =
      static_cast<uint64_t>((sc_core::sc_time_stamp() - t0) / clock_period_ + 0.5);
  const uint64_t tail =
      static_cast<uint64_t>((sc_core::sc_time_stamp() - last_compute_end_) / clock_period_ + 0.5);
  passes_.push_back({cycles, pass_array_cycles_, pass_stalls_, pass_first_dram_,
                     pass_first_dependency_, program.steps.size(), tail});
  return cycles;
}

void Controller::load_process() {
  for (;;) {
    wait(start_load_);
    const auto& steps = program_->steps;
    for (size_t j = 0; j < steps.size(); ++j) {
      while (j >= computed_steps_ + 2) wait(released_);  // both buffers hold tiles not yet consumed
      if (steps[j].load_bytes > 0) {
        issue();
        const uint64_t t0 = now_cycle();
        load_dma_cycles_[j] = read_dma_.transfer(steps[j].load_bytes);
        record(BlockInterval::read_dma, t0);
        scratchpad_.record_stream(0, steps[j].load_bytes * 8, 0);  // the DMA fills the buffer
      }
      ++loaded_steps_;
      loaded_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void Controller::compute_process() {
  for (;;) {
    wait(start_compute_);
    const auto& steps = program_->steps;
    GemmOutput out;
    MacFormat format = program_->operands != nullptr ? program_->operands->format : MacFormat{};
    format.precision = program_->precision;
    for (size_t j = 0; j < steps.size(); ++j) {
      const sc_core::sc_time wait_start = sc_core::sc_time_stamp();
      while (loaded_steps_ <= j) wait(loaded_);
      // The tail of the wait overlapping step j's DMA transfer is DRAM time;
      // the rest was the load sequencer issuing or waiting for a buffer.
      const uint64_t waited =
          static_cast<uint64_t>((sc_core::sc_time_stamp() - wait_start) / clock_period_ + 0.5);
      const uint64_t dram = std::min(waited, load_dma_cycles_[j]);
      pass_stalls_.dram += dram;
      pass_stalls_.dependency += waited - dram;
      counters_.stall_cycles_dram += dram;
      counters_.stall_cycles_dependency += waited - dram;
      if (j == 0) {
        pass_first_dram_ = dram;
        pass_first_dependency_ = waited - dram;
      }
      issue();
      const uint64_t t0 = now_cycle();
      array_.run(tile_job(steps[j], format), out);
      scatter_outputs(steps[j], out);
      // Stalls inside the array's run (SCALE-Sim convention's OFMAP drain).
      pass_array_cycles_ += out.cycles - out.stall_cycles;
      pass_stalls_.dram += out.stall_cycles;
      counters_.stall_cycles_dram += out.stall_cycles;
      const OperandFeed feed =
          operand_feed(array_.params(), scratchpad_.params(), format.precision, steps[j].shape);
      // SCALE-Sim's SRAMs serve every demand line in its clock.
      const uint64_t bank_stall =
          array_.params().timing_model == TimingModel::scalesim_v2 ? 0 : feed.stall_cycles();
      scratchpad_.record_stream(feed.sram_read_bits, feed.sram_write_bits, bank_stall);
      if (bank_stall > 0) wait(clock_period_ * static_cast<double>(bank_stall));
      record(BlockInterval::array, t0);
      pass_stalls_.bank_conflict += bank_stall;
      counters_.stall_cycles_bank_conflict += bank_stall;
      ++computed_steps_;
      last_compute_end_ = sc_core::sc_time_stamp();
      released_.notify(sc_core::SC_ZERO_TIME);
      computed_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

void Controller::store_process() {
  for (;;) {
    wait(start_store_);
    const auto& steps = program_->steps;
    for (size_t j = 0; j < steps.size(); ++j) {
      while (computed_steps_ <= j) wait(computed_);
      if (steps[j].store_bytes > 0) {
        issue();
        scratchpad_.record_stream(steps[j].store_bytes * 8, 0, 0);  // the DMA drains the outputs
        const uint64_t t0 = now_cycle();
        write_dma_.transfer(steps[j].store_bytes);
        record(BlockInterval::write_dma, t0);
      }
      ++stored_steps_;
    }
    done_.notify(sc_core::SC_ZERO_TIME);
  }
}

void Controller::register_stats(StatRegistry& registry, const std::string& prefix) const {
  registry.add(prefix + ".commands", "events", "Commands issued", &counters_.commands);
  registry.add(prefix + ".stall_cycles_dram", "cycles",
               "Array idle waiting for operand tiles from DRAM", &counters_.stall_cycles_dram);
  registry.add(prefix + ".stall_cycles_bank_conflict", "cycles",
               "Array operand feed waiting for scratchpad banks",
               &counters_.stall_cycles_bank_conflict);
  registry.add(prefix + ".stall_cycles_dependency", "cycles",
               "Array idle while its tiles' load was issuing or waiting for a buffer",
               &counters_.stall_cycles_dependency);
  registry.add(prefix + ".programs", "events", "Programs run", &counters_.programs);
}

}  // namespace nibble::hw
