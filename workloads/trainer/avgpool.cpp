#include "workloads/trainer/avgpool.hpp"

namespace nibble::train {

AvgPool::AvgPool(std::string name, Shape in, PoolGeometry g)
    : Layer(name, in, g.output(in, name)), g_(g) {}

Mat AvgPool::forward(const Mat& x, StepContext&) {
  const int n = static_cast<int>(x.rows());
  const float inv = 1.0f / static_cast<float>(g_.kernel * g_.kernel);
  Mat y(n, out_.size());
  for (int s = 0; s < n; ++s)
    for (int c = 0; c < out_.c; ++c)
      for (int oy = 0; oy < out_.h; ++oy)
        for (int ox = 0; ox < out_.w; ++ox) {
          float sum = 0.0f;
          for (int ky = 0; ky < g_.kernel; ++ky)
            for (int kx = 0; kx < g_.kernel; ++kx) {
              const int iy = oy * g_.stride - g_.padding + ky,
                        ix = ox * g_.stride - g_.padding + kx;
              if (iy < 0 || ix < 0 || iy >= in_.h || ix >= in_.w) continue;
              sum += x(s, (c * in_.h + iy) * in_.w + ix);
            }
          y(s, (c * out_.h + oy) * out_.w + ox) = sum * inv;
        }
  return y;
}

Mat AvgPool::backward(const Mat& dy, StepContext&) {
  const int n = static_cast<int>(dy.rows());
  const float inv = 1.0f / static_cast<float>(g_.kernel * g_.kernel);
  Mat dx = Mat::Zero(n, in_.size());
  for (int s = 0; s < n; ++s)
    for (int c = 0; c < out_.c; ++c)
      for (int oy = 0; oy < out_.h; ++oy)
        for (int ox = 0; ox < out_.w; ++ox) {
          const float g = dy(s, (c * out_.h + oy) * out_.w + ox) * inv;
          for (int ky = 0; ky < g_.kernel; ++ky)
            for (int kx = 0; kx < g_.kernel; ++kx) {
              const int iy = oy * g_.stride - g_.padding + ky,
                        ix = ox * g_.stride - g_.padding + kx;
              if (iy < 0 || ix < 0 || iy >= in_.h || ix >= in_.w) continue;
              dx(s, (c * in_.h + iy) * in_.w + ix) += g;
            }
        }
  return dx;
}

}  // namespace nibble::train
