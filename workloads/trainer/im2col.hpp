#pragma once
// im2col / col2im: convolution as one GEMM per batch.
//   cols[K = C*kh*kw, P = N*OH*OW], row k = (c*kh + ky)*kw + kx,
//   column p = (n*OH + oy)*OW + ox; out-of-image taps are zero (code 0 is
//   zero in every format, so the same gather works on codes).
#include <Eigen/Core>
#include <algorithm>

#include "workloads/trainer/tensor.hpp"

namespace nibble::train {

struct ConvGeometry {
  Shape in;
  int out_c = 1, kernel = 3, stride = 1, padding = 0;
  int out_h() const { return (in.h + 2 * padding - kernel) / stride + 1; }
  int out_w() const { return (in.w + 2 * padding - kernel) / stride + 1; }
  int k() const { return in.c * kernel * kernel; }
};

// The output columns ox of one kernel tap kx whose input column
// ix = ox * stride - padding + kx lies inside the image: [begin, end).
struct TapRange {
  int begin, end;
};
inline TapRange tap_range(const ConvGeometry& g, int kx, int out_w) {
  const int off = kx - g.padding;  // ix = ox * stride + off
  int begin = off >= 0 ? 0 : (-off + g.stride - 1) / g.stride;
  const int last = g.in.w - 1 - off;  // ox * stride <= last
  int end = last < 0 ? 0 : std::min(out_w, last / g.stride + 1);
  begin = std::min(begin, end);
  return {begin, end};
}

// x: [N, C*H*W] row-major; returns [K, N*OH*OW].
template <class T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> im2col(
    const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& x,
    const ConvGeometry& g) {
  const int n = static_cast<int>(x.rows()), oh = g.out_h(), ow = g.out_w();
  const int p = n * oh * ow;
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> cols(g.k(), p);
  for (int c = 0; c < g.in.c; ++c)
    for (int ky = 0; ky < g.kernel; ++ky)
      for (int kx = 0; kx < g.kernel; ++kx) {
        T* row = cols.row((c * g.kernel + ky) * g.kernel + kx).data();
        const TapRange r = tap_range(g, kx, ow);
        const int off = kx - g.padding;
        for (int s = 0; s < n; ++s) {
          const T* img = x.row(s).data() + c * g.in.h * g.in.w;
          for (int oy = 0; oy < oh; ++oy) {
            const int iy = oy * g.stride - g.padding + ky;
            T* dst = row + (s * oh + oy) * ow;
            if (iy < 0 || iy >= g.in.h) {
              std::fill(dst, dst + ow, T(0));
              continue;
            }
            std::fill(dst, dst + r.begin, T(0));
            const T* src = img + iy * g.in.w;  // input column ox * stride + off
            if (g.stride == 1 && r.end > r.begin)
              std::copy(src + r.begin + off, src + r.end + off, dst + r.begin);
            else if (g.stride != 1)
              for (int ox = r.begin; ox < r.end; ++ox) dst[ox] = src[ox * g.stride + off];
            std::fill(dst + r.end, dst + ow, T(0));
          }
        }
      }
  return cols;
}

// Adjoint of im2col: scatters-adds cols [K, N*OH*OW] into [N, C*H*W].
Mat col2im(const Mat& cols, int batch, const ConvGeometry& g);

// [OC, N*OH*OW] (GEMM layout) <-> [N, OC*OH*OW] (activation layout).
Mat gemm_to_nchw(const Mat& y, int batch, int channels, int pixels);
Mat nchw_to_gemm(const Mat& x, int batch, int channels, int pixels);

}  // namespace nibble::train
