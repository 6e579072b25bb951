#include "workloads/trainer/im2col.hpp"

namespace nibble::train {

Mat col2im(const Mat& cols, int batch, const ConvGeometry& g) {
  const int oh = g.out_h(), ow = g.out_w();
  Mat x = Mat::Zero(batch, g.in.size());
  // Fixed loop order: the sum of overlapping taps is deterministic.
  for (int c = 0; c < g.in.c; ++c)
    for (int ky = 0; ky < g.kernel; ++ky)
      for (int kx = 0; kx < g.kernel; ++kx) {
        const float* row = cols.row((c * g.kernel + ky) * g.kernel + kx).data();
        const TapRange r = tap_range(g, kx, ow);
        const int off = kx - g.padding;
        for (int s = 0; s < batch; ++s) {
          float* img = x.row(s).data() + c * g.in.h * g.in.w;
          for (int oy = 0; oy < oh; ++oy) {
            const int iy = oy * g.stride - g.padding + ky;
            if (iy < 0 || iy >= g.in.h) continue;
            const float* src = row + (s * oh + oy) * ow;
            float* dst = img + iy * g.in.w;  // input column ox * stride + off
            if (g.stride == 1)
              for (int ox = r.begin; ox < r.end; ++ox) dst[ox + off] += src[ox];
            else
              for (int ox = r.begin; ox < r.end; ++ox) dst[ox * g.stride + off] += src[ox];
          }
        }
      }
  return x;
}

Mat gemm_to_nchw(const Mat& y, int batch, int channels, int pixels) {
  Mat out(batch, channels * pixels);
  for (int s = 0; s < batch; ++s)
    for (int c = 0; c < channels; ++c)
      out.row(s).segment(c * pixels, pixels) = y.row(c).segment(s * pixels, pixels);
  return out;
}

Mat nchw_to_gemm(const Mat& x, int batch, int channels, int pixels) {
  Mat out(channels, batch * pixels);
  for (int s = 0; s < batch; ++s)
    for (int c = 0; c < channels; ++c)
      out.row(c).segment(s * pixels, pixels) = x.row(s).segment(c * pixels, pixels);
  return out;
}

}  // namespace nibble::train
