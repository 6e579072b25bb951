// Bulk GEMM drivers: packing, cache blocking, threads, the saturation
// bound, and the exact output rounding. See gemm.hpp for why the result is
// bit-exact with gemm_ref for any kernel, tiling and thread count.
#include "hw_models/numerics/gemm.hpp"

#include <algorithm>
#include <climits>
#include <thread>
#include <vector>

#include "hw_models/numerics/gemm_common.hpp"
#include "hw_models/numerics/gemm_int_kernels.hpp"
#include "hw_models/numerics/gemm_ref.hpp"

namespace nibble::num {
namespace {

using detail::kMR;
using detail::kNR;
using std::size_t;

constexpr int kMaxPairsPerBlock = 256;  // k-pairs per cache block (B micro-panel = 32 KiB)

struct Packed {
  std::vector<uint32_t> words;    // panel-major, see gemm_int_kernels.hpp
  std::vector<int64_t> max_abs;   // per row of A / column of B
  std::vector<int64_t> sum_abs;
};

// Pack `count` lines (rows of A or columns of B) of length k; get(line, kk).
template <int kPanel, class Get>
Packed pack(int count, int k, int pairs, Get get) {
  Packed p;
  const int panels = (count + kPanel - 1) / kPanel;
  p.words.assign(static_cast<size_t>(panels) * static_cast<size_t>(pairs) * kPanel, 0u);
  p.max_abs.assign(static_cast<size_t>(count), 0);
  p.sum_abs.assign(static_cast<size_t>(count), 0);
  for (int line = 0; line < count; ++line) {
    const int panel = line / kPanel, lane = line % kPanel;
    uint32_t* dst = p.words.data() + static_cast<size_t>(panel) * static_cast<size_t>(pairs) * kPanel + lane;
    int64_t mx = 0, sm = 0;
    for (int t = 0; t < pairs; ++t) {
      const int32_t lo = get(line, 2 * t);
      const int32_t hi = 2 * t + 1 < k ? get(line, 2 * t + 1) : 0;
      dst[static_cast<size_t>(t) * kPanel] = detail::pair_word(lo, hi);
      const int64_t alo = lo < 0 ? -int64_t{lo} : lo, ahi = hi < 0 ? -int64_t{hi} : hi;
      mx = std::max({mx, alo, ahi});
      sm += alo + ahi;
    }
    p.max_abs[static_cast<size_t>(line)] = mx;
    p.sum_abs[static_cast<size_t>(line)] = sm;
  }
  return p;
}

detail::MicroKernel pick_kernel(IntKernel k) {
  auto f = detail::micro_kernel(k);
  if (!f) throw InputError(std::string("gemm: integer kernel '") + int_kernel_name(k) + "' is not supported by this CPU");
  return f;
}

// Exact int64 sums of all outputs (no saturation) into sums[M x N].
void exact_sums(const Packed& pa, const Packed& pb, int m, int n, int pairs, int64_t max_prod,
                detail::MicroKernel kernel, int threads, int64_t* sums) {
  // int32 lanes hold at most pairs_per_block * 2 * max_prod: keep it below 2^31.
  const int64_t lane_limit = INT32_MAX / std::max<int64_t>(1, 2 * max_prod);
  const int block = static_cast<int>(std::clamp<int64_t>(lane_limit, 1, kMaxPairsPerBlock));
  const int a_panels = (m + kMR - 1) / kMR, b_panels = (n + kNR - 1) / kNR;
  auto work = [&](int q_begin, int q_end) {
    alignas(64) int32_t tile[kMR * kNR];
    for (int t0 = 0; t0 < pairs; t0 += block) {
      const int np = std::min(block, pairs - t0);
      for (int q = q_begin; q < q_end; ++q) {
        const auto* bp = reinterpret_cast<const int32_t*>(pb.words.data()) +
                         (static_cast<size_t>(q) * static_cast<size_t>(pairs) + static_cast<size_t>(t0)) * kNR;
        const int cols = std::min(kNR, n - q * kNR);
        for (int p = 0; p < a_panels; ++p) {
          const auto* ap = reinterpret_cast<const int32_t*>(pa.words.data()) +
                           (static_cast<size_t>(p) * static_cast<size_t>(pairs) + static_cast<size_t>(t0)) * kMR;
          kernel(ap, bp, np, tile);
          const int rows = std::min(kMR, m - p * kMR);
          for (int r = 0; r < rows; ++r) {
            int64_t* dst = sums + static_cast<size_t>(p * kMR + r) * static_cast<size_t>(n) + static_cast<size_t>(q) * kNR;
            const int32_t* src = tile + r * kNR;
            for (int c = 0; c < cols; ++c) dst[c] += src[c];
          }
        }
      }
    }
  };
  const int nt = std::clamp(threads, 1, std::max(1, b_panels));
  if (nt == 1) {
    work(0, b_panels);
    return;
  }
  std::vector<std::thread> pool;
  for (int w = 0; w < nt; ++w) {
    const int q0 = b_panels * w / nt, q1 = b_panels * (w + 1) / nt;
    pool.emplace_back(work, q0, q1);
  }
  for (auto& th : pool) th.join();
}

template <class GetA, class GetB>
void int_gemm(int m, int n, int k, GetA get_a, GetB get_b, OutputScale s, const GemmConfig& cfg, uint16_t* c,
              int64_t* acc, GemmStats* stats) {
  const auto kernel = pick_kernel(cfg.kernel);
  const int pairs = (k + 1) / 2;
  const Packed pa = pack<kMR>(m, k, pairs, get_a);
  const Packed pb = pack<kNR>(n, k, pairs, [&](int col, int kk) { return get_b(kk, col); });
  const int64_t max_a = m ? *std::max_element(pa.max_abs.begin(), pa.max_abs.end()) : 0;
  const int64_t max_b = n ? *std::max_element(pb.max_abs.begin(), pb.max_abs.end()) : 0;
  std::vector<int64_t> sums(static_cast<size_t>(m) * static_cast<size_t>(n), 0);
  if (max_a && max_b && k) exact_sums(pa, pb, m, n, pairs, max_a * max_b, kernel, cfg.threads, sums.data());

  // Saturation: an output whose sum of |products| fits can never clamp, so
  // its exact sum is the sequential result; others are redone in k order.
  const int64_t limit = acc_max(cfg.acc_bits);
  const bool all_safe = int64_t{k} * max_a * max_b <= limit;  // no int64 overflow: k < 2^31, products < 2^20
  GemmStats st;
  for (int i = 0; i < m && !all_safe; ++i) {
    for (int j = 0; j < n; ++j) {
      const int64_t bound = std::min(pa.max_abs[static_cast<size_t>(i)] * pb.sum_abs[static_cast<size_t>(j)],
                                     pa.sum_abs[static_cast<size_t>(i)] * pb.max_abs[static_cast<size_t>(j)]);
      if (bound <= limit) continue;
      SaturatingAccumulator a(cfg.acc_bits);
      for (int kk = 0; kk < k; ++kk) a.add(int64_t{get_a(i, kk)} * get_b(kk, j));
      sums[static_cast<size_t>(i) * static_cast<size_t>(n) + static_cast<size_t>(j)] = a.value();
      st.saturations += a.overflows();
      st.saturated_outputs += a.overflows() ? 1 : 0;
      ++st.sequential_outputs;
    }
  }
  const size_t total = sums.size();
  for (size_t o = 0; o < total; ++o) c[o] = round_acc_to_fp16(sums[o], s);
  if (acc) std::copy(sums.begin(), sums.end(), acc);
  if (stats) {
    stats->saturations += st.saturations;
    stats->saturated_outputs += st.saturated_outputs;
    stats->sequential_outputs += st.sequential_outputs;
  }
}

// Float GEMMs, fp32 mode: per output the same sequential k-order sum as the
// reference; the j loop is element-wise so it vectorises without reordering.
void float_gemm_fp32(int m, int n, int k, const std::vector<float>& a, const std::vector<float>& b, float scale,
                     uint16_t* c, float* acc) {
  std::vector<float> row(static_cast<size_t>(n));
  for (int i = 0; i < m; ++i) {
    std::fill(row.begin(), row.end(), 0.0f);
    for (int kk = 0; kk < k; ++kk) {
      const float av = a[static_cast<size_t>(i) * static_cast<size_t>(k) + static_cast<size_t>(kk)];
      const float* bp = b.data() + static_cast<size_t>(kk) * static_cast<size_t>(n);
      float* rp = row.data();
      for (int j = 0; j < n; ++j) rp[j] = rp[j] + av * bp[j];
    }
    for (int j = 0; j < n; ++j) {
      const size_t o = static_cast<size_t>(i) * static_cast<size_t>(n) + static_cast<size_t>(j);
      c[o] = scaled_fp16(row[static_cast<size_t>(j)], scale);
      if (acc) acc[o] = row[static_cast<size_t>(j)];
    }
  }
}

template <class T, class Decode>
std::vector<float> decode_matrix(MatView<T> v, Decode dec) {
  std::vector<float> out(static_cast<size_t>(v.rows) * static_cast<size_t>(v.cols));
  for (int r = 0; r < v.rows; ++r)
    for (int cc = 0; cc < v.cols; ++cc) out[static_cast<size_t>(r) * static_cast<size_t>(v.cols) + static_cast<size_t>(cc)] = dec(v.at(r, cc));
  return out;
}

}  // namespace

bool int_kernel_supported(IntKernel k) { return detail::micro_kernel(k) != nullptr; }

const char* int_kernel_name(IntKernel k) {
  switch (k) {
    case IntKernel::best: return "best";
    case IntKernel::avx512vnni: return "avx512vnni";
    case IntKernel::avx512bw: return "avx512bw";
    case IntKernel::avx2: return "avx2";
    case IntKernel::portable: return "portable";
  }
  return "?";
}

IntKernel best_int_kernel() {
  for (IntKernel k : {IntKernel::avx512vnni, IntKernel::avx512bw, IntKernel::avx2})
    if (int_kernel_supported(k)) return k;
  return IntKernel::portable;
}

void gemm_int4_int4(MatView<int8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg, uint16_t* c,
                    int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_int4_int4(a, b, s, cfg, c, acc, stats);
  int_gemm(a.rows, b.cols, a.cols, [&](int i, int k) { return int32_t{a.at(i, k)}; },
           [&](int k, int j) { return int32_t{b.at(k, j)}; }, s, cfg, c, acc, stats);
}

void gemm_fp4_int4(MatView<uint8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg, uint16_t* c,
                   int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_fp4_int4(a, b, s, cfg, c, acc, stats);
  int_gemm(a.rows, b.cols, a.cols, [&](int i, int k) { return fp4_fixed(a.at(i, k)); },
           [&](int k, int j) { return int32_t{b.at(k, j)}; }, s, cfg, c, acc, stats);
}

void gemm_int4_fp4(MatView<int8_t> a, MatView<uint8_t> b, OutputScale s, const GemmConfig& cfg, uint16_t* c,
                   int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_int4_fp4(a, b, s, cfg, c, acc, stats);
  int_gemm(a.rows, b.cols, a.cols, [&](int i, int k) { return int32_t{a.at(i, k)}; },
           [&](int k, int j) { return fp4_fixed(b.at(k, j)); }, s, cfg, c, acc, stats);
}

void gemm_hfp8(MatView<uint8_t> a, const FloatFormat& fa, MatView<uint8_t> b, const FloatFormat& fb, float scale,
               const GemmConfig& cfg, uint16_t* c, float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_float_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_hfp8(a, fa, b, fb, scale, cfg, c, acc);
  validate(fa);
  validate(fb);
  float_gemm_fp32(a.rows, b.cols, a.cols, decode_matrix(a, [&](uint8_t v) { return decode_float(fa, v); }),
                  decode_matrix(b, [&](uint8_t v) { return decode_float(fb, v); }), scale, c, acc);
}

void gemm_fp16(MatView<uint16_t> a, MatView<uint16_t> b, float scale, const GemmConfig& cfg, uint16_t* c,
               float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_float_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_fp16(a, b, scale, cfg, c, acc);
  float_gemm_fp32(a.rows, b.cols, a.cols, decode_matrix(a, fp16_to_fp32), decode_matrix(b, fp16_to_fp32), scale, c,
                  acc);
}

}  // namespace nibble::num
