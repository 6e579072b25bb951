#include "workloads/trainer/maxpool.hpp"

#include <limits>

namespace nibble::train {

MaxPool::MaxPool(std::string name, Shape in, PoolGeometry g)
    : Layer(name, in, g.output(in, name)), g_(g) {}

Mat MaxPool::forward(const Mat& x, StepContext& ctx) {
  const int n = static_cast<int>(x.rows());
  Mat y(n, out_.size());
  if (ctx.training) argmax_.assign(static_cast<size_t>(n) * out_.size(), -1);
  for (int s = 0; s < n; ++s)
    for (int c = 0; c < out_.c; ++c)
      for (int oy = 0; oy < out_.h; ++oy)
        for (int ox = 0; ox < out_.w; ++ox) {
          float best = -std::numeric_limits<float>::infinity();
          int best_i = -1;
          for (int ky = 0; ky < g_.kernel; ++ky)
            for (int kx = 0; kx < g_.kernel; ++kx) {
              const int iy = oy * g_.stride - g_.padding + ky,
                        ix = ox * g_.stride - g_.padding + kx;
              if (iy < 0 || ix < 0 || iy >= in_.h || ix >= in_.w) continue;
              const int i = (c * in_.h + iy) * in_.w + ix;
              if (x(s, i) > best) best = x(s, i), best_i = i;
            }
          const int o = (c * out_.h + oy) * out_.w + ox;
          y(s, o) = best;
          if (ctx.training) argmax_[static_cast<size_t>(s) * out_.size() + o] = best_i;
        }
  return y;
}

Mat MaxPool::backward(const Mat& dy, StepContext&) {
  const int n = static_cast<int>(dy.rows());
  Mat dx = Mat::Zero(n, in_.size());
  for (int s = 0; s < n; ++s)
    for (int o = 0; o < out_.size(); ++o) {
      const int i = argmax_[static_cast<size_t>(s) * out_.size() + o];
      if (i >= 0) dx(s, i) += dy(s, o);
    }
  return dx;
}

}  // namespace nibble::train
