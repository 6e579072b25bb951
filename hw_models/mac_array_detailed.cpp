#include "hw_models/mac_array_detailed.hpp"

#include <algorithm>
#include <string>

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

MacArrayDetailed::MacArrayDetailed(sc_core::sc_module_name name, const MacArrayParams& params,
                                   sc_core::sc_time clock_period)
    : MacArray(name, params, clock_period, true) {
  SC_THREAD(clock_process);
}

void MacArrayDetailed::run(const GemmJob& job, GemmOutput& out) {
  // One GEMM at a time: the grid state belongs to the job in flight.
  if (busy_ || job_ != nullptr)
    throw SimulationError(std::string(name()) + ": run() called while a GEMM is in flight");
  begin_job(job);
  job_ = &job;
  out_ = &out;
  start_.notify();
  wait(done_);
  job_ = nullptr;
  out_ = nullptr;
}

void MacArrayDetailed::trace(sc_core::sc_trace_file* file) const {
  const std::string p = name();
  sc_core::sc_trace(file, clk_, p + ".clk");
  sc_core::sc_trace(file, busy_, p + ".busy");
  sc_core::sc_trace(file, job_cycle_, p + ".cycles", 32);
  sc_core::sc_trace(file, vcd_saturations_, p + ".saturations", 32);
  vcd_o_valid_ = std::make_unique<sc_dt::sc_bv_base>(static_cast<int>(params_.cols));
  vcd_o_tag_ = std::make_unique<sc_dt::sc_bv_base>(static_cast<int>(params_.cols * kVcdTagBits));
  vcd_o_value_ = std::make_unique<sc_dt::sc_bv_base>(
      static_cast<int>(params_.cols * params_.accumulator_bits));
  sc_core::sc_trace(file, *vcd_o_valid_, p + ".o_valid");
  sc_core::sc_trace(file, *vcd_o_tag_, p + ".o_tag");
  sc_core::sc_trace(file, *vcd_o_value_, p + ".o_value");
  sc_core::sc_trace(file, job_cycle_, p + ".job_cycle");
  sc_core::sc_trace(file, results_out_, p + ".results_out");
  sc_core::sc_trace(file, west_edge_row0_tag_, p + ".west_edge_row0_tag");
  sc_core::sc_trace(file, south_edge_col0_valid_, p + ".south_edge_col0_valid");
  sc_core::sc_trace(file, south_edge_col0_value_, p + ".south_edge_col0_value");
  // Every PE's operand tags and partial sum, at addresses fixed from here on.
  const size_t pes = size_t{params_.rows} * params_.cols;
  vcd_west_tag_.assign(pes, -1);
  vcd_north_tag_.assign(pes, -1);
  vcd_psum_.assign(pes, 0);
  vcd_on_ = true;
  for (uint32_t r = 0; r < params_.rows; ++r)
    for (uint32_t c = 0; c < params_.cols; ++c) {
      const size_t i = size_t{r} * params_.cols + c;
      const std::string pe = p + ".pe_" + std::to_string(r) + "_" + std::to_string(c);
      sc_core::sc_trace(file, vcd_west_tag_[i], pe + ".west_tag");
      sc_core::sc_trace(file, vcd_north_tag_[i], pe + ".north_tag");
      sc_core::sc_trace(file, vcd_psum_[i], pe + ".psum");
    }
}

void MacArrayDetailed::sample_pe_registers() {
  const size_t pes = vcd_psum_.size();
  const uint32_t d = params_.pe_pipeline_depth;
  if (west_tag_.size() == pes) std::copy(west_tag_.begin(), west_tag_.end(), vcd_west_tag_.begin());
  if (north_tag_.size() == pes)
    std::copy(north_tag_.begin(), north_tag_.end(), vcd_north_tag_.begin());
  if (params_.dataflow == Dataflow::os && accumulator_.size() == pes)
    std::copy(accumulator_.begin(), accumulator_.end(), vcd_psum_.begin());
  else if (pipe_value_.size() == pes * d)
    for (size_t i = 0; i < pes; ++i) vcd_psum_[i] = pipe_value_[i * d + d - 1];
}

void MacArrayDetailed::set_vcd_south_edge(uint32_t c, uint32_t tag, int64_t value) {
  const int bits = static_cast<int>(params_.accumulator_bits);
  (*vcd_o_valid_)[static_cast<int>(c)] = true;
  for (int b = 0; b < static_cast<int>(kVcdTagBits); ++b)
    (*vcd_o_tag_)[static_cast<int>(c * kVcdTagBits) + b] = ((tag >> b) & 1u) != 0;
  for (int b = 0; b < bits; ++b)
    (*vcd_o_value_)[static_cast<int>(c) * bits + b] =
        ((static_cast<uint64_t>(value) >> b) & 1u) != 0;
}

void MacArrayDetailed::tick() {
  ++job_cycle_;
  if (!vcd_on_) {
    wait(clock_period_);
    return;
  }
  // With a VCD open the clock is drawn: it rises when this clock's register
  // values appear (as the RTL's do at its rising edge) and falls half a period later.
  sample_pe_registers();
  vcd_saturations_ = counters_.accumulator_saturations + events_.saturations;
  clk_ = true;
  wait(clock_period_ / 2);
  clk_ = false;
  wait(clock_period_ - clock_period_ / 2);
  *vcd_o_valid_ = 0;  // a result is at the edge for one clock
}

int64_t MacArrayDetailed::pe_mac(int64_t acc, const OperandCode* a, const OperandCode* b,
                                 uint32_t group) {
  const uint32_t k_real = group_macs(*job_, k_, group);
  counters_.macs[static_cast<int>(job_->format.precision)] += k_real;
  return datapath_->mac(acc, a, b, k_real, events_);
}

void MacArrayDetailed::clock_process() {
  for (;;) {
    wait(start_);
    const GemmJob& job = *job_;
    const GemmShape& s = job.shape;
    k_ = params_.macs_per_cycle_per_pe.of(job.format.precision);
    kg_ = static_cast<uint32_t>(ceil_div(s.k, k_));
    kpad_ = kg_ * k_;
    a_packed_.assign(uint64_t{s.m} * kpad_, 0);
    b_packed_.assign(uint64_t{s.n} * kpad_, 0);
    for (uint32_t m = 0; m < s.m; ++m)
      for (uint32_t i = 0; i < s.k; ++i)
        a_packed_[uint64_t{m} * kpad_ + i] = job.a[uint64_t{m} * s.k + i];
    for (uint32_t i = 0; i < s.k; ++i)
      for (uint32_t n = 0; n < s.n; ++n)
        b_packed_[uint64_t{n} * kpad_ + i] = job.b[uint64_t{i} * s.n + n];

    const uint64_t pes = uint64_t{params_.rows} * params_.cols;
    const uint32_t d = params_.pe_pipeline_depth;
    west_reg_.assign(pes, nullptr);
    west_tag_.assign(pes, -1);
    north_reg_.assign(pes, nullptr);
    north_tag_.assign(pes, -1);
    pipe_value_.assign(pes * d, 0);
    pipe_tag_.assign(pes * d, -1);
    pipe_a_.assign(pes * d, nullptr);
    pipe_b_.assign(pes * d, nullptr);
    accumulator_.assign(pes, 0);
    groups_done_.assign(pes, 0);
    drain_value_.assign(pes, 0);
    drain_tag_.assign(pes, -1);

    out_->accumulators.assign(uint64_t{s.m} * s.n, 0);
    job_cycle_ = 0;
    results_out_ = 0;
    busy_ = true;
    switch (params_.dataflow) {
      case Dataflow::ws:
        run_stationary(true);
        break;
      case Dataflow::is:
        run_stationary(false);
        break;
      case Dataflow::os:
        run_output_stationary();
        break;
    }
    busy_ = false;
    count_job_events(job, events_.zero_products);
    counters_.accumulator_saturations += events_.saturations;
    round_outputs(*out_);
    out_->cycles = job_cycle_;
    counters_.busy_cycles += job_cycle_;
    ++counters_.gemms;
    done_.notify();
  }
}

// WS: B stationary, rows <- K groups, cols <- N, rows of A stream from the west.
// IS: A stationary, rows <- K groups, cols <- M, columns of B stream from the west.
// Partial sums enter each column's top edge from the output buffer (the
// previous K fold's partial), flow south one PE per MAC latency and leave at
// the bottom edge, so every output is reduced in ascending K order.
void MacArrayDetailed::run_stationary(bool stationary_is_b) {
  const GemmShape& s = job_->shape;
  const uint32_t R = params_.rows, C = params_.cols, d = params_.pe_pipeline_depth;
  const uint32_t stream_len = stationary_is_b ? s.m : s.n;  // S
  const uint32_t col_extent = stationary_is_b ? s.n : s.m;  // J
  const std::vector<OperandCode>& stationary = stationary_is_b ? b_packed_ : a_packed_;
  const std::vector<OperandCode>& streaming = stationary_is_b ? a_packed_ : b_packed_;
  std::vector<int64_t>& acc = out_->accumulators;
  auto out_index = [&](uint32_t i, uint32_t j) {
    return stationary_is_b ? uint64_t{i} * s.n + j : uint64_t{j} * s.n + i;
  };
  const uint32_t row_folds = static_cast<uint32_t>(ceil_div(kg_, R));
  const uint32_t col_folds = static_cast<uint32_t>(ceil_div(col_extent, C));

  for (uint32_t fc = 0; fc < col_folds; ++fc) {
    for (uint32_t fr = 0; fr < row_folds; ++fr) {
      const uint32_t g0 = fr * R, j0 = fc * C;
      const uint32_t ra = std::min(R, kg_ - g0), ca = std::min(C, col_extent - j0);
      ++counters_.folds;
      for (uint32_t i = 0; i < params_.fold_setup_cycles; ++i) tick();

      // Stationary load: operands enter at the top edge and shift south one
      // row per clock; after R clocks row r holds K group g0 + r.
      for (uint32_t l = 0; l < R; ++l) {
        for (uint32_t r = R - 1; r >= 1; --r)
          for (uint32_t c = 0; c < ca; ++c) {
            north_reg_[r * C + c] = north_reg_[(r - 1) * C + c];
            north_tag_[r * C + c] = north_tag_[(r - 1) * C + c];
          }
        const uint32_t src_row = R - 1 - l;
        for (uint32_t c = 0; c < ca; ++c) {
          const bool live = src_row < ra;
          north_reg_[c] =
              live ? &stationary[uint64_t{j0 + c} * kpad_ + uint64_t{g0 + src_row} * k_] : nullptr;
          north_tag_[c] = live ? static_cast<int32_t>(g0 + src_row) : -1;
        }
        tick();
      }
      std::fill(west_tag_.begin(), west_tag_.end(), -1);
      std::fill(pipe_tag_.begin(), pipe_tag_.end(), -1);

      const uint64_t target = uint64_t{stream_len} * ca;
      uint64_t received = 0;
      for (int64_t cyc = 0; received < target; ++cyc) {
        // Operands hop one PE east; the west edge feeds row r with a skew of r*d.
        for (uint32_t r = 0; r < R; ++r) {
          const uint32_t base = r * C;
          for (uint32_t c = ca - 1; c >= 1; --c) {
            west_reg_[base + c] = west_reg_[base + c - 1];
            west_tag_[base + c] = west_tag_[base + c - 1];
          }
          const int64_t i = cyc - int64_t{r} * d;
          const bool live = r < ra && i >= 0 && i < stream_len;
          west_reg_[base] =
              live ? &streaming[uint64_t(i) * kpad_ + uint64_t{g0 + r} * k_] : nullptr;
          west_tag_[base] = live ? static_cast<int32_t>(i) : -1;
        }
        west_edge_row0_tag_ = west_tag_[0];
        // Each PE adds its group to the partial sum from the PE above (its
        // output d clocks ago); rows bottom-up so each reads last clock's value.
        for (uint32_t r = R; r-- > 0;) {
          for (uint32_t c = 0; c < ca; ++c) {
            const uint32_t pe = r * C + c;
            int32_t tag;
            int64_t value;
            if (r == 0) {
              const int64_t i = cyc - c;
              tag = (i >= 0 && i < stream_len) ? static_cast<int32_t>(i) : -1;
              value = tag >= 0 ? acc[out_index(uint32_t(tag), j0 + c)] : 0;
            } else {
              const uint64_t above = uint64_t{(r - 1) * C + c} * d + d - 1;
              tag = pipe_tag_[above];
              value = pipe_value_[above];
            }
            if (r < ra) {
              if (tag != west_tag_[pe])
                throw SimulationError(std::string(name()) + ": operand skew mismatch at PE(" +
                                      std::to_string(r) + "," + std::to_string(c) + ")");
              if (tag >= 0) {
                const OperandCode* x = west_reg_[pe];
                const OperandCode* w = north_reg_[pe];
                value = stationary_is_b ? pe_mac(value, x, w, g0 + r) : pe_mac(value, w, x, g0 + r);
              }
            }
            const uint64_t p = uint64_t{pe} * d;
            for (uint32_t j = d - 1; j >= 1; --j) {
              pipe_value_[p + j] = pipe_value_[p + j - 1];
              pipe_tag_[p + j] = pipe_tag_[p + j - 1];
            }
            pipe_value_[p] = value;
            pipe_tag_[p] = tag;
          }
        }
        // Bottom edge: a partial sum in the last row's output register has left the array.
        south_edge_col0_valid_ = false;
        for (uint32_t c = 0; c < ca; ++c) {
          const uint64_t p = uint64_t{(R - 1) * C + c} * d + d - 1;
          if (pipe_tag_[p] < 0) continue;
          acc[out_index(uint32_t(pipe_tag_[p]), j0 + c)] = pipe_value_[p];
          const uint32_t tag = uint32_t(pipe_tag_[p]);
          if (stationary_is_b)
            note_south_edge(c, tag, tag, j0 + c, pipe_value_[p]);
          else
            note_south_edge(c, tag, j0 + c, tag, pipe_value_[p]);
          ++received;
          ++results_out_;
          if (c == 0) {
            south_edge_col0_valid_ = true;
            south_edge_col0_value_ = pipe_value_[p];
          }
        }
        tick();
      }
    }
  }
}

// OS: PE(r,c) owns output (m0+r, n0+c). A groups stream east along rows, B
// groups south along columns, both skewed by one clock per row/column. A
// product leaves the PE's multiplier pipeline (depth d-1) into the 1-clock
// accumulate loop. When every active PE of a column holds its final sum the
// column copies them into its drain chain, which shifts one PE south per
// clock through all R rows; the bottom register is the array edge.
void MacArrayDetailed::run_output_stationary() {
  const GemmShape& s = job_->shape;
  const uint32_t R = params_.rows, C = params_.cols, d = params_.pe_pipeline_depth;
  const uint32_t mul_stages = d - 1;
  std::vector<int64_t>& out = out_->accumulators;
  const uint32_t row_folds = static_cast<uint32_t>(ceil_div(s.m, R));
  const uint32_t col_folds = static_cast<uint32_t>(ceil_div(s.n, C));
  // Column bookkeeping reuses groups_done_'s storage pattern: one entry per column.
  std::vector<uint32_t> column_rows_done(C, 0);
  std::vector<uint8_t> column_draining(C, 0);

  for (uint32_t fr = 0; fr < row_folds; ++fr) {
    for (uint32_t fc = 0; fc < col_folds; ++fc) {
      const uint32_t m0 = fr * R, n0 = fc * C;
      const uint32_t ra = std::min(R, s.m - m0), ca = std::min(C, s.n - n0);
      ++counters_.folds;
      for (uint32_t i = 0; i < params_.fold_setup_cycles; ++i) tick();
      std::fill(west_tag_.begin(), west_tag_.end(), -1);
      std::fill(north_tag_.begin(), north_tag_.end(), -1);
      std::fill(pipe_tag_.begin(), pipe_tag_.end(), -1);
      std::fill(accumulator_.begin(), accumulator_.end(), 0);
      std::fill(groups_done_.begin(), groups_done_.end(), 0);
      std::fill(drain_tag_.begin(), drain_tag_.end(), -1);
      std::fill(column_rows_done.begin(), column_rows_done.end(), 0);
      std::fill(column_draining.begin(), column_draining.end(), 0);

      const uint64_t target = uint64_t{ra} * ca;
      uint64_t received = 0;
      auto emit_bottom = [&](uint32_t c) {
        const uint32_t p = (R - 1) * C + c;
        if (drain_tag_[p] < 0) return;
        out[uint64_t{m0 + uint32_t(drain_tag_[p])} * s.n + n0 + c] = drain_value_[p];
        note_south_edge(c, uint32_t(drain_tag_[p]), m0 + uint32_t(drain_tag_[p]), n0 + c,
                        drain_value_[p]);
        ++received;
        ++results_out_;
        if (c == 0) {
          south_edge_col0_valid_ = true;
          south_edge_col0_value_ = drain_value_[p];
        }
      };
      for (int64_t cyc = 0; received < target; ++cyc) {
        south_edge_col0_valid_ = false;
        // 1. Drain chains of finished columns shift one row south.
        for (uint32_t c = 0; c < ca; ++c) {
          if (!column_draining[c]) continue;
          for (uint32_t r = R - 1; r >= 1; --r) {
            drain_value_[r * C + c] = drain_value_[(r - 1) * C + c];
            drain_tag_[r * C + c] = drain_tag_[(r - 1) * C + c];
          }
          drain_tag_[c] = -1;
          emit_bottom(c);
        }
        // 2. Operands hop: A east along active rows, B south along active columns.
        for (uint32_t r = 0; r < ra; ++r) {
          const uint32_t base = r * C;
          for (uint32_t c = ca - 1; c >= 1; --c) {
            west_reg_[base + c] = west_reg_[base + c - 1];
            west_tag_[base + c] = west_tag_[base + c - 1];
          }
          const int64_t g = cyc - r;
          const bool live = g >= 0 && g < kg_;
          west_reg_[base] =
              live ? &a_packed_[uint64_t{m0 + r} * kpad_ + uint64_t(g) * k_] : nullptr;
          west_tag_[base] = live ? static_cast<int32_t>(g) : -1;
        }
        west_edge_row0_tag_ = west_tag_[0];
        for (uint32_t c = 0; c < ca; ++c) {
          for (uint32_t r = ra - 1; r >= 1; --r) {
            north_reg_[r * C + c] = north_reg_[(r - 1) * C + c];
            north_tag_[r * C + c] = north_tag_[(r - 1) * C + c];
          }
          const int64_t g = cyc - c;
          const bool live = g >= 0 && g < kg_;
          north_reg_[c] = live ? &b_packed_[uint64_t{n0 + c} * kpad_ + uint64_t(g) * k_] : nullptr;
          north_tag_[c] = live ? static_cast<int32_t>(g) : -1;
        }
        // 3. Multiplier stages (d-1, carrying the operand pair) then the
        //    1-clock accumulate, where the products are applied in K order.
        for (uint32_t r = 0; r < ra; ++r) {
          for (uint32_t c = 0; c < ca; ++c) {
            const uint32_t pe = r * C + c;
            if (west_tag_[pe] != north_tag_[pe])
              throw SimulationError(std::string(name()) + ": operand skew mismatch at PE(" +
                                    std::to_string(r) + "," + std::to_string(c) + ")");
            int32_t tag = west_tag_[pe];
            const OperandCode* a = west_reg_[pe];
            const OperandCode* b = north_reg_[pe];
            if (mul_stages > 0) {
              const uint64_t p = uint64_t{pe} * d;
              const uint64_t last = p + mul_stages - 1;
              const int32_t popped_tag = pipe_tag_[last];
              const OperandCode* popped_a = pipe_a_[last];
              const OperandCode* popped_b = pipe_b_[last];
              for (uint64_t j = last; j > p; --j) {
                pipe_a_[j] = pipe_a_[j - 1];
                pipe_b_[j] = pipe_b_[j - 1];
                pipe_tag_[j] = pipe_tag_[j - 1];
              }
              pipe_a_[p] = a;
              pipe_b_[p] = b;
              pipe_tag_[p] = tag;
              tag = popped_tag;
              a = popped_a;
              b = popped_b;
            }
            if (tag < 0) continue;
            accumulator_[pe] = pe_mac(accumulator_[pe], a, b, uint32_t(tag));
            if (++groups_done_[pe] == kg_) ++column_rows_done[c];
          }
        }
        // 4. A column whose active PEs are all done copies them into its drain chain.
        for (uint32_t c = 0; c < ca; ++c) {
          if (column_draining[c] || column_rows_done[c] != ra) continue;
          for (uint32_t r = 0; r < R; ++r) {
            drain_value_[r * C + c] = accumulator_[r * C + c];
            drain_tag_[r * C + c] = r < ra ? static_cast<int32_t>(r) : -1;
          }
          column_draining[c] = 1;
          emit_bottom(c);
        }
        tick();
      }
    }
  }
}

}  // namespace nibble::hw
