#include "hw_models/scalesim_read_buffer.hpp"

#include <algorithm>

namespace nibble::hw {
namespace {

uint64_t div_up(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

// The "roll out along the diagonal" of create_*_prefetch_mat() (OS IFMAP and
// filter, WS IFMAP, IS filter): anti-diagonals d = 0 .. rows + cols - 1, each
// from its highest row down.
template <class F>
void diagonal_rollout(uint64_t rows, uint64_t cols, std::vector<int64_t>& out, F&& at) {
  out.reserve(rows * cols);
  for (uint64_t d = 0; d + 1 < rows + cols; ++d) {
    const uint64_t max_row = std::min(d, rows - 1);
    const uint64_t min_row = d + 1 > cols ? d + 1 - cols : 0;
    for (uint64_t r = max_row + 1; r-- > min_row;) out.push_back(at(r, d - r));
  }
}

// The matrices WS (filter) and IS (IFMAP) install as they are: row-major.
template <class F>
void row_major(uint64_t rows, uint64_t cols, std::vector<int64_t>& out, F&& at) {
  out.reserve(rows * cols);
  for (uint64_t r = 0; r < rows; ++r)
    for (uint64_t c = 0; c < cols; ++c) out.push_back(at(r, c));
}

// A demand matrix entry: -1 (a null request) is skipped by service_reads().
void push(std::vector<int64_t>& out, int64_t addr) {
  if (addr >= 0) out.push_back(addr);
}

}  // namespace

ScaleSimOperandAddresses::ScaleSimOperandAddresses(const ScaleSimLayerGeometry& g)
    : g_(g), ofmap_w_(g.ofmap_w()), window_(g.window()), row_words_(g.filter_w * g.channels) {}

int64_t ScaleSimOperandAddresses::ifmap(uint64_t m, uint64_t k) const {
  const uint64_t i_row = (m / ofmap_w_) * g_.stride, i_col = (m % ofmap_w_) * g_.stride;
  const uint64_t c_row = k / row_words_, c_col = (k % row_words_) / g_.channels,
                 c_ch = k % g_.channels;
  if (c_row + i_row >= g_.ifmap_h || c_col + i_col >= g_.ifmap_w) return -1;
  return int64_t(((c_row + i_row) * g_.ifmap_w + c_col + i_col) * g_.channels + c_ch);
}

// set_params(): active = ceil(words * 0.5), the rest prefetches; the sets
// of prepare_hashed_buffer() hold E = ceil(words / 100) entries.
ScaleSimReadBuffer::ScaleSimReadBuffer(uint64_t total_words, uint64_t bw)
    : set_words_(div_up(total_words, 100)) {
  const uint64_t active = div_up(total_words, 2), prefetch = total_words - active;
  max_active_sets_ = div_up(active, set_words_);
  max_prefetch_sets_ = div_up(prefetch, set_words_);
  prefetch_lines_ = div_up(prefetch, bw);  // new_prefetch(): ceil(prefetch / bw) request lines
}

void ScaleSimReadBuffer::set_stream(const std::vector<int64_t>& stream, uint64_t address_space) {
  uint64_t valid = 0;
  first_.assign(address_space + 1, 0);
  for (int64_t a : stream)
    if (a >= 0) ++first_[uint64_t(a) + 1], ++valid;
  for (uint64_t a = 0; a < address_space; ++a) first_[a + 1] += first_[a];
  occ_.resize(valid);
  std::vector<uint64_t> fill(first_.begin(), first_.end() - 1);
  uint64_t p = 0;
  for (int64_t a : stream)
    if (a >= 0) occ_[fill[uint64_t(a)]++] = uint32_t(p++ / set_words_);
  // prepare_hashed_buffer(): the set count and the window's size and step.
  sets_ = sets_of(valid);
  active_sets_ = std::min(max_active_sets_, sets_);
  prefetch_sets_ = std::min(max_prefetch_sets_, sets_ - active_sets_);
  window_start_ = 0;  // prefetch_active_buffer(): sets [0, A)
  last_prefetch_ = -1;
  prefetches_ = 0;
}

// active_buffer_hit(): the window is sets start .. start + A - 1, modulo n.
bool ScaleSimReadBuffer::hit(uint64_t addr) const {
  if (addr + 1 >= first_.size()) return true;  // not in the stream: SCALE-Sim never asks
  const auto b = occ_.begin() + int64_t(first_[addr]), e = occ_.begin() + int64_t(first_[addr + 1]);
  if (b == e) return true;
  const uint64_t end = window_start_ + active_sets_;
  const auto it = std::lower_bound(b, e, uint32_t(window_start_));
  if (it != e && *it < end) return true;
  return end > sets_ && *b < end - sets_;
}

// new_prefetch(): the window moves on by P sets; the request's
// ceil(prefetch / bw) lines go out one per clock from last + 1, each served
// after the port latency of 1 (read_port.py).
void ScaleSimReadBuffer::new_prefetch() {
  window_start_ = (window_start_ + prefetch_sets_) % sets_;
  last_prefetch_ += int64_t(prefetch_lines_) + 1;
  ++prefetches_;
}

ScaleSimOperandStreams::ScaleSimOperandStreams(Dataflow dataflow, uint64_t rows, uint64_t cols,
                                               const ScaleSimLayerGeometry& g)
    : df_(dataflow),
      r_(rows),
      c_(cols),
      m_(g.ofmap_px()),
      n_(g.num_filters),
      k_(g.window()),
      addr_(g) {}

// create_ifmap_prefetch_mat(): per row fold (OS: M on rows, WS: K on rows)
// or column fold (IS: M on columns) the fold's operand slice, padded with -1
// to the array's width, the folds stacked.
std::vector<int64_t> ScaleSimOperandStreams::ifmap_prefetch() const {
  std::vector<int64_t> out;
  switch (df_) {
    case Dataflow::os: {  // (row folds x K) x R, rolled out
      const uint64_t folds = div_up(m_, r_);
      diagonal_rollout(folds * k_, r_, out, [&](uint64_t row, uint64_t col) {
        const uint64_t m = (row / k_) * r_ + col;
        return m < m_ ? addr_.ifmap(m, row % k_) : -1;
      });
      break;
    }
    case Dataflow::ws: {  // (row folds x M) x R, rolled out
      const uint64_t folds = div_up(k_, r_);
      diagonal_rollout(folds * m_, r_, out, [&](uint64_t row, uint64_t col) {
        const uint64_t k = (row / m_) * r_ + col;
        return k < k_ ? addr_.ifmap(row % m_, k) : -1;
      });
      break;
    }
    case Dataflow::is: {  // (column folds x K) x C, as is
      const uint64_t folds = div_up(m_, c_);
      row_major(folds * k_, c_, out, [&](uint64_t row, uint64_t col) {
        const uint64_t m = (row / k_) * c_ + col;
        return m < m_ ? addr_.ifmap(m, row % k_) : -1;
      });
      break;
    }
  }
  return out;
}

// create_filter_prefetch_mat(), likewise.
std::vector<int64_t> ScaleSimOperandStreams::filter_prefetch() const {
  std::vector<int64_t> out;
  switch (df_) {
    case Dataflow::os: {  // (column folds x K) x C, rolled out
      const uint64_t folds = div_up(n_, c_);
      diagonal_rollout(folds * k_, c_, out, [&](uint64_t row, uint64_t col) {
        const uint64_t n = (row / k_) * c_ + col;
        return n < n_ ? addr_.filter(row % k_, n) : -1;
      });
      break;
    }
    case Dataflow::ws: {  // (column folds x K) x C, as is
      const uint64_t folds = div_up(n_, c_);
      row_major(folds * k_, c_, out, [&](uint64_t row, uint64_t col) {
        const uint64_t n = (row / k_) * c_ + col;
        return n < n_ ? addr_.filter(row % k_, n) : -1;
      });
      break;
    }
    case Dataflow::is: {  // (row folds x N) x R, transposed slices, rolled out
      const uint64_t folds = div_up(k_, r_);
      diagonal_rollout(folds * n_, r_, out, [&](uint64_t row, uint64_t col) {
        const uint64_t k = (row / n_) * r_ + col;
        return k < k_ ? addr_.filter(k, row % n_) : -1;
      });
      break;
    }
  }
  return out;
}

// create_ifmap_demand_mat(): OS and WS skew the fold's slice one line per
// array row (OS from line 0, WS after an R-line prefix); IS flips its R x C
// slice so line j reads window element fr*R + R-1-j.
void ScaleSimOperandStreams::ifmap_demand(uint64_t fr, uint64_t fc, uint64_t j,
                                          std::vector<int64_t>& out) const {
  out.clear();
  (void)fc;
  switch (df_) {
    case Dataflow::os: {  // column c: pixel fr*R + c, element j - c
      const uint64_t c_end = std::min({r_, m_ - fr * r_, j + 1});
      for (uint64_t c = j >= k_ ? j - k_ + 1 : 0; c < c_end; ++c)
        push(out, addr_.ifmap(fr * r_ + c, j - c));
      break;
    }
    case Dataflow::ws: {  // column c: pixel j - R - c, element fr*R + c
      if (j < r_) return;
      const uint64_t jj = j - r_;
      const uint64_t c_end = std::min({r_, k_ - fr * r_, jj + 1});
      for (uint64_t c = jj >= m_ ? jj - m_ + 1 : 0; c < c_end; ++c)
        push(out, addr_.ifmap(jj - c, fr * r_ + c));
      break;
    }
    case Dataflow::is: {
      if (j >= r_ || fr * r_ + r_ - 1 - j >= k_) return;
      const uint64_t k = fr * r_ + r_ - 1 - j;
      const uint64_t c_end = std::min(c_, m_ - fc * c_);
      for (uint64_t c = 0; c < c_end; ++c) push(out, addr_.ifmap(fc * c_ + c, k));
      break;
    }
  }
}

// create_filter_demand_mat(): OS skews the K x C slice from line 0, IS the
// transposed N x R slice after an R-line prefix; WS flips its R x C slice.
void ScaleSimOperandStreams::filter_demand(uint64_t fr, uint64_t fc, uint64_t j,
                                           std::vector<int64_t>& out) const {
  out.clear();
  switch (df_) {
    case Dataflow::os: {  // column c: element j - c of filter fc*C + c
      const uint64_t c_end = std::min({c_, n_ - fc * c_, j + 1});
      for (uint64_t c = j >= k_ ? j - k_ + 1 : 0; c < c_end; ++c)
        push(out, addr_.filter(j - c, fc * c_ + c));
      break;
    }
    case Dataflow::ws: {
      if (j >= r_ || fr * r_ + r_ - 1 - j >= k_) return;
      const uint64_t k = fr * r_ + r_ - 1 - j;
      const uint64_t c_end = std::min(c_, n_ - fc * c_);
      for (uint64_t c = 0; c < c_end; ++c) push(out, addr_.filter(k, fc * c_ + c));
      break;
    }
    case Dataflow::is: {  // column c: element fr*R + c of filter j - R - c
      if (j < r_) return;
      const uint64_t jj = j - r_;
      const uint64_t c_end = std::min({r_, k_ - fr * r_, jj + 1});
      for (uint64_t c = jj >= n_ ? jj - n_ + 1 : 0; c < c_end; ++c)
        push(out, addr_.filter(fr * r_ + c, jj - c));
      break;
    }
  }
}

}  // namespace nibble::hw
