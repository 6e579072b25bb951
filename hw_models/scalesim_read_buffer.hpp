#pragma once
// SCALE-Sim v2's IFMAP / filter read buffer under InterfaceBandwidth USER
// (scalesim-project/scale-sim-v2 @ 22f88b1, memory/read_buffer.py), replayed
// exactly for array.timing_model = "scalesim_v2" (docs/microarch.md 12.3).
// With CALC bandwidth SCALE-Sim uses read_buffer_estimate_bw.py instead,
// which never stalls: this block is then not used.
//
// What decides a read stall, and only that (read_buffer.py):
//  * set_fetch_matrix() + prepare_hashed_buffer(): the operand's prefetch
//    stream (compute/systolic_compute_*.py create_*_prefetch_mat()) is cut
//    into "sets" of E = ceil(words / 100) valid addresses (-1 entries are
//    skipped, repeated addresses count); a last, possibly empty, set follows,
//    so there are n = floor(S / E) + 1 sets for S valid entries.
//  * The active buffer is a window of A = min(ceil(active / E), n) sets,
//    active = ceil(words / 2); a prefetch moves it by
//    P = min(ceil((words - active) / E), n - A) sets, modulo n.
//  * service_reads() checks each demanded address (-1 skipped) in order;
//    while it is in no set of the window (active_buffer_hit()) it calls
//    new_prefetch(), which moves the window and advances the last prefetch's
//    completion clock by ceil((words - active) / bw) request lines plus the
//    read port's latency of 1 (memory/read_port.py); the first fill
//    (prefetch_active_buffer()) completes at clock -1.
//  * The line issued at clock c is served at c + max(1, last - c) if it
//    caused a prefetch, else c + 1 (hit latency 1): its stall is the excess
//    over the hit latency.
// Which addresses were fetched does not matter to the timing: the window is
// a set range of the stream, so the replay keeps, per address, the sorted
// sets it occurs in (CSR arrays built once per layer) and tests a hit by a
// binary search; no hashing, no per-element allocation.
#include <cstdint>
#include <vector>

#include "hw_models/mac_array_params.hpp"

namespace nibble::hw {

// SCALE-Sim's layer entries (topology_utils.py): a conv row as read, a GEMM
// row as load_arrays_gemm() stores it ([M, K, 1, K, 1, N, 1]).
struct ScaleSimLayerGeometry {
  uint64_t ifmap_h = 1, ifmap_w = 1, filter_h = 1, filter_w = 1, channels = 1, num_filters = 1;
  uint64_t stride = 1;  // row and column stride (equal in every layer Nibble imports)

  static ScaleSimLayerGeometry gemm(uint64_t m, uint64_t n, uint64_t k) {
    return {m, k, 1, k, 1, n, 1};
  }
  // topo_calc_hyperparams(): ceil((H - R + s) / s).
  uint64_t ofmap_h() const { return (ifmap_h - filter_h + stride + stride - 1) / stride; }
  uint64_t ofmap_w() const { return (ifmap_w - filter_w + stride + stride - 1) / stride; }
  uint64_t ofmap_px() const { return ofmap_h() * ofmap_w(); }         // the GEMM's M
  uint64_t window() const { return filter_h * filter_w * channels; }  // K
  bool operator==(const ScaleSimLayerGeometry&) const = default;
};

// compute/operand_matrix.py: the word address of each operand element
// (offsets dropped: each buffer sees only its own operand).
class ScaleSimOperandAddresses {
 public:
  explicit ScaleSimOperandAddresses(const ScaleSimLayerGeometry& g);
  // calc_ifmap_elem_addr(): output pixel m, window element k; -1 outside the
  // IFMAP (never for a layer with ofmap dims from topo_calc_hyperparams()).
  int64_t ifmap(uint64_t m, uint64_t k) const;
  // calc_filter_elem_addr(): window element k of filter n.
  int64_t filter(uint64_t k, uint64_t n) const { return int64_t(n * window_ + k); }
  uint64_t ifmap_words() const { return g_.ifmap_h * g_.ifmap_w * g_.channels; }
  uint64_t filter_words() const { return window_ * g_.num_filters; }

 private:
  ScaleSimLayerGeometry g_;
  uint64_t ofmap_w_, window_, row_words_;  // row_words_: filter_w * channels
};

class ScaleSimReadBuffer {
 public:
  // total_words: the SRAM in words (1-byte words); bw: USER words per clock.
  ScaleSimReadBuffer(uint64_t total_words, uint64_t bw);

  // Whether a stream of `valid` addresses fits the first fill: then no
  // demand ever misses and the buffer cannot stall (n <= A).
  bool always_hits(uint64_t valid) const { return sets_of(valid) <= max_active_sets_; }

  // prepare_hashed_buffer() for the stream `stream` (stream order, -1 =
  // null request), addresses in [0, address_space).
  void set_stream(const std::vector<int64_t>& stream, uint64_t address_space);

  // service_reads() of one demand line issued at clock `cycle`, its valid
  // entries in order: the line's stall (its service clock minus cycle + 1).
  int64_t serve_line(int64_t cycle, const std::vector<int64_t>& addrs) {
    bool fetched = false;
    for (const int64_t a : addrs)
      while (!hit(uint64_t(a))) {
        new_prefetch();
        fetched = true;
      }
    if (!fetched) return 0;
    const int64_t s = last_prefetch_ - cycle - 1;  // hit latency 1
    return s > 0 ? s : 0;
  }

  int64_t last_prefetch() const { return last_prefetch_; }
  uint64_t sets() const { return sets_; }
  uint64_t active_sets() const { return active_sets_; }
  uint64_t prefetch_sets() const { return prefetch_sets_; }
  uint64_t prefetches() const { return prefetches_; }

 private:
  uint64_t sets_of(uint64_t valid) const { return valid / set_words_ + 1; }
  bool hit(uint64_t addr) const;
  void new_prefetch();

  uint64_t set_words_;          // E
  uint64_t max_active_sets_;    // ceil(active / E)
  uint64_t max_prefetch_sets_;  // ceil(prefetch / E)
  uint64_t prefetch_lines_;     // ceil(prefetch / bw) request lines per prefetch
  uint64_t sets_ = 1, active_sets_ = 1, prefetch_sets_ = 0;
  uint64_t window_start_ = 0;
  int64_t last_prefetch_ = -1;  // prefetch_active_buffer() at clock 0
  uint64_t prefetches_ = 0;
  // CSR: the sets address a occurs in are occ_[first_[a] .. first_[a+1]), ascending.
  std::vector<uint64_t> first_;
  std::vector<uint32_t> occ_;
};

// One layer's operand address streams on an R x C array
// (compute/systolic_compute_{os,ws,is}.py): the prefetch matrices, rolled
// out as SCALE-Sim's read buffers receive them, and each fold's demand
// lines. Sr, Sc, T and the fold order are those of scalesim_timing.hpp.
class ScaleSimOperandStreams {
 public:
  ScaleSimOperandStreams(Dataflow dataflow, uint64_t rows, uint64_t cols,
                         const ScaleSimLayerGeometry& g);
  // get_prefetch_matrices(), flattened the way set_fetch_matrix() reads them.
  std::vector<int64_t> ifmap_prefetch() const;
  std::vector<int64_t> filter_prefetch() const;
  // Entries of each stream (every operand element once): S, or more than S
  // when an IFMAP window reads past the edge (-1 entries).
  uint64_t ifmap_valid() const { return m_ * k_; }
  uint64_t filter_valid() const { return k_ * n_; }
  uint64_t ifmap_words() const { return addr_.ifmap_words(); }
  uint64_t filter_words() const { return addr_.filter_words(); }
  // get_demand_matrices(): the valid entries of line j of fold (fr, fc),
  // in column order, into `out` (cleared first; no allocation once grown).
  void ifmap_demand(uint64_t fr, uint64_t fc, uint64_t j, std::vector<int64_t>& out) const;
  void filter_demand(uint64_t fr, uint64_t fc, uint64_t j, std::vector<int64_t>& out) const;

 private:
  Dataflow df_;
  uint64_t r_, c_, m_, n_, k_;
  ScaleSimOperandAddresses addr_;
};

}  // namespace nibble::hw
