#include "hw_models/scalesim_timing.hpp"

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

#include "hw_models/scalesim_read_buffer.hpp"

namespace nibble::hw {
namespace {

// SCALE-Sim's OFMAP write buffer (memory/write_buffer.py), replayed with
// counts instead of addresses: only how many valid words each demand line
// carries matters to its timing. Cycles are SCALE-Sim's clocks.
class OfmapWriteBuffer {
 public:
  OfmapWriteBuffer(uint64_t total_words, uint64_t drain_words_per_cycle)
      : bw_(drain_words_per_cycle),
        // set_params(): active = ceil(total * 0.5), drain = total - active.
        active_size_(static_cast<int64_t>((total_words + 1) / 2)),
        drain_size_(static_cast<int64_t>(total_words) - active_size_),
        free_space_(static_cast<int64_t>(total_words)) {}

  // service_writes() for one demand line of `words` valid words issued at
  // clock `cycle`; returns the clock it is served (>= cycle).
  int64_t write_line(int64_t cycle, uint64_t words) {
    int64_t current = cycle;
    while (words > 0) {
      // Fast path: words that can neither stall nor start a drain. Inside a
      // drain window only free_space <= 0 stalls; outside it only
      // free_space < active starts a drain; both are monotone in the words.
      const int64_t headroom = current < drain_end_ ? free_space_ - 1 : free_space_ - active_size_;
      const uint64_t bulk = headroom > 0 ? std::min<uint64_t>(words, uint64_t(headroom)) : 0;
      if (bulk > 0) {
        store(bulk);
        words -= bulk;
        continue;
      }
      store(1);  // store_to_trace_mat_cache(elem), then the checks
      --words;
      if (current < drain_end_) {
        if (free_space_ <= 0) current = drain_end_;  // stall until the drain is done
      } else if (free_space_ < active_size_) {
        flush_partial_line();  // append_to_trace_mat(force=True)
        drain_end_ = empty_drain_buf(current);
      }
    }
    return current;
  }

  // How many consecutive lines of `words` words each, the first issued at
  // clock `cycle` (one clock apart), pass with no stall and no drain start:
  // they can be stored in one go.
  uint64_t quiet_lines(int64_t cycle, uint64_t words) const {
    if (cycle < drain_end_) {
      const int64_t room = free_space_ - 1;
      if (room < int64_t(words)) return 0;
      return std::min<uint64_t>(uint64_t(drain_end_ - cycle), uint64_t(room) / words);
    }
    const int64_t room = free_space_ - active_size_;
    return room < int64_t(words) ? 0 : uint64_t(room) / words;
  }
  void store_lines(uint64_t lines, uint64_t words) { store(lines * words); }

  // A whole fold's `words` output words, its first output line issued at
  // `cycle`, stored at once when none of its lines can stall or start a
  // drain: no drain in progress (so none for the rest of the fold either)
  // and room above the active size for all of them (free space only falls
  // as words are stored). store() is additive, so the trace lines come out
  // as if stored line by line. Returns false (nothing stored) otherwise.
  bool store_quiet_fold(int64_t cycle, uint64_t words) {
    if (cycle < drain_end_ || free_space_ - active_size_ < int64_t(words)) return false;
    store(words);
    return true;
  }

 private:
  void store(uint64_t n) {
    free_space_ -= static_cast<int64_t>(n);
    const uint64_t idx = line_idx_ + n;
    if (idx >= bw_) push_lines(idx / bw_, bw_);  // full lines of the trace matrix
    line_idx_ = idx % bw_;
  }
  void push_lines(uint64_t count, uint64_t words) {
    if (!lines_.empty() && lines_.back().second == words)
      lines_.back().first += count;
    else
      lines_.emplace_back(count, words);
    pending_lines_ += count;
  }
  void flush_partial_line() {
    if (line_idx_ != 0) push_lines(1, line_idx_);
    line_idx_ = 0;
  }
  // empty_drain_buf(): the next ceil(drain/bw) lines go out one per clock;
  // the padding of only the LAST line is subtracted from what is freed.
  int64_t empty_drain_buf(int64_t start_cycle) {
    const uint64_t want = (uint64_t(drain_size_) + bw_ - 1) / bw_;
    const uint64_t n = std::min(want, pending_lines_);
    if (n == 0) return start_cycle - 1;  // SCALE-Sim would fail here; unreachable in practice
    uint64_t left = n, last_words = 0;
    while (left > 0) {  // take n lines off the front (run-length: O(runs))
      auto& run = lines_.front();
      const uint64_t take = std::min(left, run.first);
      last_words = run.second;
      run.first -= take;
      left -= take;
      if (run.first == 0) lines_.pop_front();
    }
    pending_lines_ -= n;
    const uint64_t freed = n * bw_ - (bw_ - last_words);
    free_space_ += static_cast<int64_t>(freed);
    return start_cycle + static_cast<int64_t>(n) - 1;
  }

  uint64_t bw_;
  int64_t active_size_, drain_size_, free_space_;
  int64_t drain_end_ = 0;
  uint64_t line_idx_ = 0;
  // Trace-matrix lines not yet drained, run-length coded: (lines, valid words each).
  std::deque<std::pair<uint64_t, uint64_t>> lines_;
  uint64_t pending_lines_ = 0;
};

// Valid OFMAP words on line j of a fold: column c (c < cols_active) writes
// on lines c + [lo, hi] (the fold's output rows, skewed one line per column).
uint64_t words_on_line(uint64_t j, uint64_t lo, uint64_t hi, uint64_t cols_active) {
  if (j < lo) return 0;
  const uint64_t c_max = std::min<uint64_t>(cols_active - 1, j - lo);
  const uint64_t c_min = j > hi ? j - hi : 0;
  return c_max >= c_min ? c_max - c_min + 1 : 0;
}

}  // namespace

ScaleSimCycles scalesim_gemm_cycles(const MacArrayParams& array, Precision precision,
                                    const GemmShape& shape, const ScaleSimLayerGeometry* geometry) {
  ScaleSimCycles out;
  if (shape.m == 0 || shape.n == 0 || shape.k == 0) return out;
  const uint64_t R = array.rows, C = array.cols;
  const uint64_t kg = ceil_div(shape.k, array.macs_per_cycle_per_pe.of(precision));
  // Sr: the dimension on the array's rows, Sc on its columns, T streamed
  // (systolic_compute_*.py set_params()).
  uint64_t sr = 0, sc = 0, t = 0, fold_lines = 0;
  switch (array.dataflow) {
    case Dataflow::os:
      sr = shape.m, sc = shape.n, t = kg;
      fold_lines = t + R + C - 2;
      break;
    case Dataflow::ws:
      sr = kg, sc = shape.n, t = shape.m;
      fold_lines = t + 2 * R + C - 2;
      break;
    case Dataflow::is:
      sr = kg, sc = shape.m, t = shape.n;
      fold_lines = t + 2 * R + C - 2;
      break;
  }
  const uint64_t row_folds = ceil_div(sr, R), col_folds = ceil_div(sc, C);
  out.folds = row_folds * col_folds;
  out.lines = out.folds * fold_lines;

  const ScaleSimMemoryParams& mem = array.scalesim;
  const uint64_t drain_bw =
      mem.interface_words_per_cycle == 0 ? C : uint64_t{mem.interface_words_per_cycle};
  OfmapWriteBuffer ofmap(uint64_t{mem.ofmap_sram_kib} * 1024, drain_bw);
  // create_ofmap_demand_mat(): lines lo .. hi + cols_active - 1 of a fold
  // carry outputs (column c writes lines lo + c .. hi + c).
  auto output_lines = [&](uint64_t fr, uint64_t& lo, uint64_t& hi) {
    if (array.dataflow == Dataflow::os) {
      const uint64_t rows_active = std::min(R, sr - fr * R);
      lo = t - 1 + (R - rows_active);  // prefix T-1, padding rows flipped on top
      hi = t - 1 + R - 1;
    } else {
      lo = 2 * R - 1;  // prefix 2R-1, then T output rows
      hi = 2 * R - 1 + t - 1;
    }
  };

  // USER bandwidth: the read buffers stall unless each operand's prefetch
  // stream fits their first fill (scalesim_read_buffer.hpp). Then every
  // demand line goes through both read buffers and the write buffer, issued
  // at the same clock (service_memory_requests()), and the line stalls by
  // the largest of the three.
  if (mem.interface_words_per_cycle > 0) {
    const ScaleSimLayerGeometry g = geometry != nullptr && geometry->ofmap_px() == shape.m &&
                                            geometry->num_filters == shape.n &&
                                            geometry->window() == kg
                                        ? *geometry
                                        : ScaleSimLayerGeometry::gemm(shape.m, shape.n, kg);
    const ScaleSimOperandStreams streams(array.dataflow, R, C, g);
    ScaleSimReadBuffer ifmap(uint64_t{mem.ifmap_sram_kib} * 1024, drain_bw);
    ScaleSimReadBuffer filter(uint64_t{mem.filter_sram_kib} * 1024, drain_bw);
    const bool ifmap_misses = !ifmap.always_hits(streams.ifmap_valid());
    const bool filter_misses = !filter.always_hits(streams.filter_valid());
    if (ifmap_misses || filter_misses) {
      if (ifmap_misses) ifmap.set_stream(streams.ifmap_prefetch(), streams.ifmap_words());
      if (filter_misses) filter.set_stream(streams.filter_prefetch(), streams.filter_words());
      int64_t stalls = 0;
      uint64_t line = 0;
      std::vector<int64_t> addrs;  // one demand line's valid entries
      for (uint64_t fc = 0; fc < col_folds; ++fc) {
        const uint64_t cols_active = std::min(C, sc - fc * C);
        for (uint64_t fr = 0; fr < row_folds; ++fr) {
          uint64_t lo = 0, hi = 0;
          output_lines(fr, lo, hi);
          for (uint64_t j = 0; j < fold_lines; ++j, ++line) {
            const int64_t cycle = static_cast<int64_t>(line) + stalls;
            int64_t stall = 0;
            if (ifmap_misses) {
              streams.ifmap_demand(fr, fc, j, addrs);
              stall = ifmap.serve_line(cycle, addrs);
            }
            if (filter_misses) {
              streams.filter_demand(fr, fc, j, addrs);
              stall = std::max(stall, filter.serve_line(cycle, addrs));
            }
            const uint64_t words = words_on_line(j, lo, hi, cols_active);
            const int64_t write_stall = words > 0 ? ofmap.write_line(cycle, words) - cycle : 0;
            stall = std::max(stall, write_stall);
            stalls += stall;
            // Total Cycles is the OFMAP's service clock of the last line: a
            // read stall of that line counts in Stall Cycles only.
            if (line + 1 == out.lines) out.total = static_cast<uint64_t>(cycle + write_stall);
          }
        }
      }
      out.stalls = static_cast<uint64_t>(stalls);
      out.read_prefetches = ifmap.prefetches() + filter.prefetches();
      return out;
    }
  }

  int64_t stalls = 0;
  uint64_t fold_start = 0;  // the fold's first line
  for (uint64_t fc = 0; fc < col_folds; ++fc) {
    const uint64_t cols_active = std::min(C, sc - fc * C);
    for (uint64_t fr = 0; fr < row_folds; ++fr, fold_start += fold_lines) {
      // create_ofmap_demand_mat(): which lines of the fold carry outputs.
      uint64_t lo = 0, hi = 0;
      output_lines(fr, lo, hi);
      // Lines without outputs are served on their clock: only lines
      // lo .. hi + cols_active - 1 can stall.
      const uint64_t last = std::min(fold_lines - 1, hi + cols_active - 1);
      // Column c writes lines lo + c .. hi + c: cols_active (hi - lo + 1)
      // words in all. A fold that cannot stall is stored in one step, so
      // layers of millions of folds stay fast.
      if (ofmap.store_quiet_fold(static_cast<int64_t>(fold_start + lo) + stalls,
                                 cols_active * (hi - lo + 1)))
        continue;
      for (uint64_t j = lo; j <= last;) {
        const int64_t cycle = static_cast<int64_t>(fold_start + j) + stalls;
        const uint64_t words = words_on_line(j, lo, hi, cols_active);
        // Lines lo + ca - 1 .. hi all carry ca words: store quiet runs of
        // them at once (same result as line by line, long layers stay fast).
        const uint64_t flat_end = hi;  // last line of the flat part
        if (words == cols_active && j < flat_end) {
          const uint64_t run =
              std::min<uint64_t>(flat_end - j + 1, ofmap.quiet_lines(cycle, words));
          if (run > 1) {
            ofmap.store_lines(run, words);
            j += run;
            continue;
          }
        }
        if (words > 0) stalls += ofmap.write_line(cycle, words) - cycle;
        ++j;
      }
    }
  }
  out.stalls = static_cast<uint64_t>(stalls);
  out.total = out.lines - 1 + out.stalls;  // the last line's service clock
  return out;
}

}  // namespace nibble::hw
