// Bulk GEMM drivers: packing, cache blocking, threads, the saturation
// bound, and the exact output rounding. See gemm.hpp for why the result is
// bit-exact with gemm_ref for any kernel, tiling and thread count.
#include "hw_models/numerics/gemm.hpp"

#include <algorithm>
#include <climits>
#include <memory>
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

constexpr int kMaxGroupsPerBlock = 512;  // k-groups summed in int32 before widening to int64

// A packed operand: panels of P lines (rows of A / columns of B); per k-group
// t (G consecutive k), P words of G elements (E = int16 pairs or bytes).
struct Packed {
  // Not zero-initialised (first-touch zeroing of fresh pages was a visible
  // cost): pack_lines writes every word, padding included.
  std::unique_ptr<uint32_t[]> words;
  size_t word_count = 0;
  std::vector<int64_t> max_abs, sum_abs, sum;  // per line, of the ORIGINAL values
  int groups = 0;
};

inline int64_t iabs(int64_t v) {
  return v < 0 ? -v : v;
}

template <int P, int G>
Packed alloc_packed(int lines, int k) {
  Packed p;
  p.groups = (k + G - 1) / G;
  const int panels = (lines + P - 1) / P;
  p.word_count = static_cast<size_t>(panels) * static_cast<size_t>(p.groups) * P;
  p.words = std::make_unique_for_overwrite<uint32_t[]>(p.word_count);
  p.max_abs.assign(static_cast<size_t>(lines), 0);
  p.sum_abs.assign(static_cast<size_t>(lines), 0);
  p.sum.assign(static_cast<size_t>(lines), 0);
  return p;
}

// The G elements of one k-group as one word (low element in the low bits).
template <int G>
inline uint32_t group_word(const int32_t* v) {
  if constexpr (G == 4)
    return static_cast<uint32_t>(static_cast<uint8_t>(v[0])) |
           (static_cast<uint32_t>(static_cast<uint8_t>(v[1])) << 8) |
           (static_cast<uint32_t>(static_cast<uint8_t>(v[2])) << 16) |
           (static_cast<uint32_t>(static_cast<uint8_t>(v[3])) << 24);
  else
    return detail::pair_word(v[0], v[1]);
}

// Pack a lines x k matrix L (rows of A, or columns of B via B^T) into
// words; pure data movement, walking whichever direction of L is contiguous.
// Statistics are gathered separately (and only when needed).
template <int P, int G, class T, class Conv>
Packed pack_lines(MatView<T> L, Conv conv) {
  const int lines = L.rows, k = L.cols;
  Packed p = alloc_packed<P, G>(lines, k);
  const int panels = (lines + P - 1) / P;
  const bool k_contiguous = std::abs(L.col_stride) <= std::abs(L.row_stride);
  for (int q = 0; q < panels; ++q) {
    uint32_t* dst = p.words.get() + static_cast<size_t>(q) * static_cast<size_t>(p.groups) * P;
    const int lanes = std::min(P, lines - q * P);
    if (lanes < P)  // padding lanes of the last panel are zero
      for (int t = 0; t < p.groups; ++t)
        std::fill(dst + static_cast<size_t>(t) * P + lanes, dst + static_cast<size_t>(t + 1) * P,
                  0u);
    if (k_contiguous) {
      const int full = k / G;  // groups entirely inside k: no bounds check
      for (int lane = 0; lane < lanes; ++lane) {
        const T* src = L.data + static_cast<std::ptrdiff_t>(q * P + lane) * L.row_stride;
        uint32_t* d = dst + lane;
        const std::ptrdiff_t cs = L.col_stride;
        int t = 0;
        if (cs == 1) {
          for (; t < full; ++t) {
            int32_t v[G];
            for (int g = 0; g < G; ++g) v[g] = conv(src[t * G + g]);
            d[static_cast<size_t>(t) * P] = group_word<G>(v);
          }
        }
        for (; t < p.groups; ++t) {
          int32_t v[G];
          for (int g = 0; g < G; ++g) {
            const int kk = t * G + g;
            v[g] = kk < k ? conv(src[static_cast<std::ptrdiff_t>(kk) * cs]) : 0;
          }
          d[static_cast<size_t>(t) * P] = group_word<G>(v);
        }
      }
    } else {
      for (int t = 0; t < p.groups; ++t) {
        const T* rows[G];
        for (int g = 0; g < G; ++g)
          rows[g] = t * G + g < k ? L.data + static_cast<std::ptrdiff_t>(t * G + g) * L.col_stride +
                                        static_cast<std::ptrdiff_t>(q * P) * L.row_stride
                                  : nullptr;
        uint32_t* d = dst + static_cast<size_t>(t) * P;
        const std::ptrdiff_t rs = L.row_stride;
        if (t * G + G <= k && rs == 1) {  // full group, contiguous lanes: vectorisable
          for (int lane = 0; lane < lanes; ++lane) {
            int32_t v[G];
            for (int g = 0; g < G; ++g) v[g] = conv(rows[g][lane]);
            d[lane] = group_word<G>(v);
          }
          continue;
        }
        for (int lane = 0; lane < lanes; ++lane) {
          int32_t v[G];
          for (int g = 0; g < G; ++g)
            v[g] = rows[g] ? conv(rows[g][static_cast<std::ptrdiff_t>(lane) * rs]) : 0;
          d[lane] = group_word<G>(v);
        }
      }
    }
  }
  return p;
}

// Per-line max|v|, sum|v|, sum v of L (only computed when the global bound
// cannot rule out saturation, or for the u8 offset correction).
template <class T, class Conv>
void line_stats(MatView<T> L, Conv conv, Packed& p, bool want_abs, bool want_sum) {
  for (int line = 0; line < L.rows; ++line) {
    int64_t mx = 0, sa = 0, sm = 0;
    for (int kk = 0; kk < L.cols; ++kk) {
      const int32_t v = conv(L.at(line, kk));
      mx = std::max(mx, iabs(v));
      sa += iabs(v);
      sm += v;
    }
    if (want_abs) {
      p.max_abs[static_cast<size_t>(line)] = mx;
      p.sum_abs[static_cast<size_t>(line)] = sa;
    }
    if (want_sum) p.sum[static_cast<size_t>(line)] = sm;
  }
}

// Global min and max of a matrix (vectorisable for plain int8 codes).
template <class T, class Conv>
std::pair<int32_t, int32_t> value_range(MatView<T> v, Conv conv) {
  int32_t lo = 0, hi = 0;
  for (int r = 0; r < v.rows; ++r) {
    const T* row = v.data + static_cast<std::ptrdiff_t>(r) * v.row_stride;
    for (int cc = 0; cc < v.cols; ++cc) {
      const int32_t x = conv(row[static_cast<std::ptrdiff_t>(cc) * v.col_stride]);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  return {lo, hi};
}

struct Int8Value {
  int32_t operator()(int8_t v) const { return v; }
};
struct Fp4Value {
  static constexpr int32_t kMaxAbs = 4096;  // static bound: no range scan needed
  int32_t operator()(uint8_t code) const {
    static constexpr int16_t kTable[16] = {0, 1,  4,  16,  64,  256,  1024,  4096,
                                           0, -1, -4, -16, -64, -256, -1024, -4096};
    return kTable[code & 0xF];
  }
};

template <class Conv>
constexpr bool has_static_bound() {
  return requires {
    Conv::kMaxAbs;
  };
}

detail::MicroKernel pick_kernel(IntKernel k) {
  auto f = detail::micro_kernel(k);
  if (!f)
    throw InputError(std::string("gemm: integer kernel '") + int_kernel_name(k) +
                     "' is not supported by this CPU");
  return f;
}

// Everything the tile loop needs.
struct IntPlan {
  const Packed* a;
  const Packed* b;
  int m, n, k;
  detail::MicroKernel kernel;
  int block;         // k-groups per int32 block
  int32_t b_offset;  // B bytes hold b + b_offset (u8 path); result -= b_offset * rowsum(A)
  int64_t limit;     // acc_max(width)
  bool all_safe;     // no output can saturate
  int acc_bits;
  OutputScale scale;
};

// One worker: B panels [q_begin, q_end), every A panel, all of k per tile;
// the exact tile sum is checked against the saturation bound, rounded once
// and written out.
template <class GetA, class GetB>
GemmStats run_panels(const IntPlan& pl, int q_begin, int q_end, GetA get_a, GetB get_b, uint16_t* c,
                     int64_t* acc) {
  GemmStats st;
  alignas(64) int32_t tile[kMR * kNR];
  int64_t sums[kMR * kNR];
  uint16_t out16[kMR * kNR];
  const int a_panels = (pl.m + kMR - 1) / kMR;
  const int groups = pl.a->groups;
  for (int q = q_begin; q < q_end; ++q) {
    const int cols = std::min(kNR, pl.n - q * kNR);
    for (int p = 0; p < a_panels; ++p) {
      const int rows = std::min(kMR, pl.m - p * kMR);
      if (groups == 0) std::fill(sums, sums + kMR * kNR, int64_t{0});
      for (int t0 = 0; t0 < groups; t0 += pl.block) {
        const int ng = std::min(pl.block, groups - t0);
        const auto* ap =
            reinterpret_cast<const int32_t*>(pl.a->words.get()) +
            (static_cast<size_t>(p) * static_cast<size_t>(groups) + static_cast<size_t>(t0)) * kMR;
        const auto* bp =
            reinterpret_cast<const int32_t*>(pl.b->words.get()) +
            (static_cast<size_t>(q) * static_cast<size_t>(groups) + static_cast<size_t>(t0)) * kNR;
        pl.kernel(ap, bp, ng, tile);
        if (t0 == 0)
          for (int x = 0; x < kMR * kNR; ++x) sums[x] = tile[x];
        else
          for (int x = 0; x < kMR * kNR; ++x) sums[x] += tile[x];
      }
      for (int r = 0; r < rows; ++r) {
        const int i = p * kMR + r;
        int64_t* srow = sums + r * kNR;
        const int64_t corr = int64_t{pl.b_offset} * pl.a->sum[static_cast<size_t>(i)];
        for (int cc = 0; cc < cols; ++cc) srow[cc] -= corr;
        if (!pl.all_safe) {
          for (int cc = 0; cc < cols; ++cc) {
            const int j = q * kNR + cc;
            const int64_t bound = std::min(
                pl.a->max_abs[static_cast<size_t>(i)] * pl.b->sum_abs[static_cast<size_t>(j)],
                pl.a->sum_abs[static_cast<size_t>(i)] * pl.b->max_abs[static_cast<size_t>(j)]);
            if (bound <= pl.limit) continue;
            SaturatingAccumulator sat(pl.acc_bits);
            for (int kk = 0; kk < pl.k; ++kk) sat.add(int64_t{get_a(i, kk)} * get_b(kk, j));
            srow[cc] = sat.value();
            st.saturations += sat.overflows();
            st.saturated_outputs += sat.overflows() ? 1 : 0;
            ++st.sequential_outputs;
          }
        }
      }
      // One rounding call per tile (rows beyond `rows` / columns beyond `cols` are scratch).
      round_acc_to_fp16_bulk(std::span<const int64_t>(sums, static_cast<size_t>(kMR * kNR)),
                             pl.scale, std::span<uint16_t>(out16, static_cast<size_t>(kMR * kNR)));
      for (int r = 0; r < rows; ++r) {
        const size_t o = static_cast<size_t>(p * kMR + r) * static_cast<size_t>(pl.n) +
                         static_cast<size_t>(q) * kNR;
        std::copy(out16 + r * kNR, out16 + r * kNR + cols, c + o);
        if (acc) std::copy(sums + r * kNR, sums + r * kNR + cols, acc + o);
      }
    }
  }
  return st;
}

template <class TA, class TB, class ConvA, class ConvB>
void int_gemm(MatView<TA> a, MatView<TB> b, ConvA conv_a, ConvB conv_b, OutputScale s,
              const GemmConfig& cfg, uint16_t* c, int64_t* acc, GemmStats* stats, bool bytes_ok) {
  const int m = a.rows, n = b.cols, k = a.cols;
  auto get_a = [&](int i, int kk) { return conv_a(a.at(i, kk)); };
  auto get_b = [&](int kk, int j) { return conv_b(b.at(kk, j)); };
  const auto kernel16 = pick_kernel(cfg.kernel);
  const auto kernel8 = bytes_ok ? detail::micro_kernel_u8s8(cfg.kernel) : nullptr;
  Packed pa, pb;
  IntPlan pl{};
  // FP4 operands have a static bound (4096; the exact per-line bounds are
  // computed below when saturation is possible), INT codes are scanned.
  auto range = [](auto view, auto conv) -> std::pair<int32_t, int32_t> {
    if constexpr (has_static_bound<decltype(conv)>())
      return {-decltype(conv)::kMaxAbs, decltype(conv)::kMaxAbs};
    else
      return value_range(view, conv);
  };
  const auto [a_lo, a_hi] = range(a, conv_a);
  const auto [b_lo, b_hi] = range(b, conv_b);
  const int64_t max_a = std::max(-int64_t{a_lo}, int64_t{a_hi});
  const int64_t max_b = std::max(-int64_t{b_lo}, int64_t{b_hi});
  if (kernel8) {
    // Bytes: A signed, B unsigned. If B has negative values, flipping the
    // top bit of every byte stores b + 128 (corrected with 128 * rowsum(A)).
    pa = pack_lines<kMR, 4>(a, conv_a);
    pb = pack_lines<kNR, 4>(b.transposed(), conv_b);
    pl.b_offset = b_lo >= 0 ? 0 : 128;
    if (pl.b_offset)
      for (size_t w = 0; w < pb.word_count; ++w) pb.words[w] ^= 0x80808080u;
    pl.kernel = kernel8;
  } else {
    pa = pack_lines<kMR, 2>(a, conv_a);
    pb = pack_lines<kNR, 2>(b.transposed(), conv_b);
    pl.kernel = kernel16;
  }
  const int per_group = kernel8 ? 4 : 2;
  // int32 lanes hold at most block * per_group * max|a| * max|stored b|: keep it below 2^31.
  const int64_t lane_prod = std::max<int64_t>(1, per_group * max_a * (max_b + pl.b_offset));
  pl.block = static_cast<int>(std::clamp<int64_t>(INT32_MAX / lane_prod, 1, kMaxGroupsPerBlock));
  pl.limit = acc_max(cfg.acc_bits);
  pl.all_safe =
      int64_t{k} * max_a * max_b <= pl.limit;  // no int64 overflow: k < 2^31, |products| < 2^20
  if (!pl.all_safe || pl.b_offset) line_stats(a, conv_a, pa, !pl.all_safe, pl.b_offset != 0);
  if (!pl.all_safe) line_stats(b.transposed(), conv_b, pb, true, false);
  pl.a = &pa;
  pl.b = &pb;
  pl.m = m;
  pl.n = n;
  pl.k = k;
  pl.acc_bits = cfg.acc_bits;
  pl.scale = s;

  const int b_panels = (n + kNR - 1) / kNR;
  const int nt = std::clamp(cfg.threads, 1, std::max(1, b_panels));
  GemmStats total;
  if (nt == 1) {
    total = run_panels(pl, 0, b_panels, get_a, get_b, c, acc);
  } else {
    std::vector<GemmStats> parts(static_cast<size_t>(nt));
    std::vector<std::thread> pool;
    for (int w = 0; w < nt; ++w)
      pool.emplace_back([&, w] {
        parts[static_cast<size_t>(w)] =
            run_panels(pl, b_panels * w / nt, b_panels * (w + 1) / nt, get_a, get_b, c, acc);
      });
    for (auto& th : pool) th.join();
    for (const auto& p : parts) {
      total.saturations += p.saturations;
      total.saturated_outputs += p.saturated_outputs;
      total.sequential_outputs += p.sequential_outputs;
    }
  }
  if (stats) {
    stats->saturations += total.saturations;
    stats->saturated_outputs += total.saturated_outputs;
    stats->sequential_outputs += total.sequential_outputs;
  }
}

// Float GEMMs, fp32 mode: per output the same sequential k-order sum as the
// reference; the j loop is element-wise so it vectorises without reordering.
void float_gemm_fp32(int m, int n, int k, const std::vector<float>& a, const std::vector<float>& b,
                     float scale, uint16_t* c, float* acc) {
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
    for (int cc = 0; cc < v.cols; ++cc)
      out[static_cast<size_t>(r) * static_cast<size_t>(v.cols) + static_cast<size_t>(cc)] =
          dec(v.at(r, cc));
  return out;
}

}  // namespace

bool int_kernel_supported(IntKernel k) {
  return detail::micro_kernel(k) != nullptr;
}

const char* int_kernel_name(IntKernel k) {
  switch (k) {
    case IntKernel::best:
      return "best";
    case IntKernel::avx512vnni:
      return "avx512vnni";
    case IntKernel::avx512bw:
      return "avx512bw";
    case IntKernel::avx2:
      return "avx2";
    case IntKernel::portable:
      return "portable";
  }
  return "?";
}

IntKernel best_int_kernel() {
  for (IntKernel k : {IntKernel::avx512vnni, IntKernel::avx512bw, IntKernel::avx2})
    if (int_kernel_supported(k)) return k;
  return IntKernel::portable;
}

void gemm_int4_int4(MatView<int8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                    uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_int4_int4(a, b, s, cfg, c, acc, stats);
  int_gemm(a, b, Int8Value{}, Int8Value{}, s, cfg, c, acc, stats, /*bytes_ok=*/true);
}

void gemm_fp4_int4(MatView<uint8_t> a, MatView<int8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_fp4_int4(a, b, s, cfg, c, acc, stats);
  int_gemm(a, b, Fp4Value{}, Int8Value{}, s, cfg, c, acc, stats, false);
}

void gemm_int4_fp4(MatView<int8_t> a, MatView<uint8_t> b, OutputScale s, const GemmConfig& cfg,
                   uint16_t* c, int64_t* acc, GemmStats* stats) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_int_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_int4_fp4(a, b, s, cfg, c, acc, stats);
  int_gemm(a, b, Int8Value{}, Fp4Value{}, s, cfg, c, acc, stats, false);
}

void gemm_hfp8(MatView<uint8_t> a, const FloatFormat& fa, MatView<uint8_t> b, const FloatFormat& fb,
               float scale, const GemmConfig& cfg, uint16_t* c, float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_float_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_hfp8(a, fa, b, fb, scale, cfg, c, acc);
  validate(fa);
  validate(fb);
  float_gemm_fp32(a.rows, b.cols, a.cols,
                  decode_matrix(a, [&](uint8_t v) { return decode_float(fa, v); }),
                  decode_matrix(b, [&](uint8_t v) { return decode_float(fb, v); }), scale, c, acc);
}

void gemm_fp16(MatView<uint16_t> a, MatView<uint16_t> b, float scale, const GemmConfig& cfg,
               uint16_t* c, float* acc) {
  check_shapes(a.rows, a.cols, b.rows, b.cols);
  check_float_config(cfg);
  if (cfg.mode == AccumMode::fp16_chunked) return ref::gemm_fp16(a, b, scale, cfg, c, acc);
  float_gemm_fp32(a.rows, b.cols, a.cols, decode_matrix(a, fp16_to_fp32),
                  decode_matrix(b, fp16_to_fp32), scale, c, acc);
}

}  // namespace nibble::num
