// FP32 layer gradients against central finite differences of the scalar
// loss L = sum(forward(x) .* R) for a fixed random R.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>

#include "workloads/trainer/avgpool.hpp"
#include "workloads/trainer/batchnorm.hpp"
#include "workloads/trainer/conv2d.hpp"
#include "workloads/trainer/linear.hpp"
#include "workloads/trainer/maxpool.hpp"
#include "workloads/trainer/relu.hpp"
#include "workloads/trainer/residual.hpp"
#include "workloads/trainer/softmax_ce.hpp"
#include "workloads/trainer/software_executor.hpp"

namespace nibble::train {
namespace {

Mat random_mat(int r, int c, uint64_t seed, float scale = 1.0f) {
  std::mt19937_64 rng(seed);
  Mat m(r, c);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] =
        scale * static_cast<float>(static_cast<double>(rng() >> 11) * 0x1.0p-53 * 2.0 - 1.0);
  return m;
}

double loss_of(Layer& l, const Mat& x, const Mat& r, SoftwareExecutor& ex) {
  StepContext ctx{&ex, true, 0};
  const Mat y = l.forward(x, ctx);
  return (y.cast<double>().array() * r.cast<double>().array()).sum();
}

// Relative error ||a - n|| / ||n|| between analytic and numeric gradients.
double rel_err(const Mat& analytic, const Mat& numeric) {
  return (analytic - numeric).cast<double>().norm() /
         std::max(1e-12, numeric.cast<double>().norm());
}

// Checks dL/dx and dL/dparam of a layer at input x.
void check_layer(Layer& l, const Mat& x, double tol = 1e-2) {
  SoftwareExecutor ex;
  const Mat r = random_mat(static_cast<int>(x.rows()), l.out_shape().size(), 99);
  StepContext ctx{&ex, true, 0};
  l.forward(x, ctx);
  const Mat dx = l.backward(r, ctx);
  std::vector<Param*> params;
  l.collect_params(params);
  std::vector<Mat> grads;
  for (Param* p : params) grads.push_back(p->grad);

  const float eps = 1e-2f;
  Mat num_dx(x.rows(), x.cols());
  Mat xp = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const float v = xp.data()[i];
    xp.data()[i] = v + eps;
    const double lp = loss_of(l, xp, r, ex);
    xp.data()[i] = v - eps;
    const double lm = loss_of(l, xp, r, ex);
    xp.data()[i] = v;
    num_dx.data()[i] = static_cast<float>((lp - lm) / (2 * eps));
  }
  EXPECT_LT(rel_err(dx, num_dx), tol) << l.name() << " dx";
  for (size_t k = 0; k < params.size(); ++k) {
    Mat& w = params[k]->value;
    Mat num(w.rows(), w.cols());
    for (Eigen::Index i = 0; i < w.size(); ++i) {
      const float v = w.data()[i];
      w.data()[i] = v + eps;
      const double lp = loss_of(l, x, r, ex);
      w.data()[i] = v - eps;
      const double lm = loss_of(l, x, r, ex);
      w.data()[i] = v;
      num.data()[i] = static_cast<float>((lp - lm) / (2 * eps));
    }
    EXPECT_LT(rel_err(grads[k], num), tol) << l.name() << " " << params[k]->name;
  }
}

TEST(LayerGrad, Linear) {
  std::mt19937_64 rng(1);
  Linear l("fc", {3, 2, 2}, 5, true, rng);
  check_layer(l, random_mat(4, 12, 2));
}

TEST(LayerGrad, Conv2dPadded) {
  std::mt19937_64 rng(3);
  Conv2d c("conv", {{2, 5, 5}, 3, 3, 1, 1}, true, rng);
  EXPECT_EQ(c.out_shape(), (Shape{3, 5, 5}));
  check_layer(c, random_mat(2, 50, 4));
}

TEST(LayerGrad, Conv2dStridedNoBias) {
  std::mt19937_64 rng(5);
  Conv2d c("conv", {{2, 6, 6}, 4, 3, 2, 1}, false, rng);
  EXPECT_EQ(c.out_shape(), (Shape{4, 3, 3}));
  check_layer(c, random_mat(2, 72, 6));
}

TEST(LayerGrad, MaxPool) {
  MaxPool p("pool", {2, 4, 4}, {2, 2, 0});
  // Distinct values 0.1 apart: no tie can flip within the +-eps probe.
  Mat x(3, 32);
  std::vector<int> perm(96);
  for (int i = 0; i < 96; ++i) perm[i] = i;
  std::mt19937_64 rng(7);
  for (int i = 95; i > 0; --i) std::swap(perm[i], perm[rng() % (i + 1)]);
  for (int i = 0; i < 96; ++i) x.data()[i] = 0.1f * static_cast<float>(perm[i] - 48);
  check_layer(p, x);
}

TEST(LayerGrad, AvgPoolOverlappingPadded) {
  AvgPool p("pool", {2, 5, 5}, {3, 2, 1});
  check_layer(p, random_mat(2, 50, 8));
}

TEST(LayerGrad, BatchNormTraining) {
  BatchNorm b("bn", {3, 2, 2}, 0.1f, 1e-5f);
  std::vector<Param*> ps;
  b.collect_params(ps);
  ps[0]->value = random_mat(1, 3, 11) + Mat::Constant(1, 3, 1.5f);  // gamma away from 1
  check_layer(b, random_mat(4, 12, 9, 2.0f), 2e-2);
}

TEST(LayerGrad, ResidualWithProjection) {
  std::mt19937_64 rng(12);
  Sequential body, shortcut;
  body.add(std::make_unique<Conv2d>("c1", ConvGeometry{{2, 4, 4}, 3, 3, 2, 1}, true, rng));
  body.add(std::make_unique<Conv2d>("c2", ConvGeometry{{3, 2, 2}, 3, 3, 1, 1}, true, rng));
  shortcut.add(std::make_unique<Conv2d>("proj", ConvGeometry{{2, 4, 4}, 3, 1, 2, 0}, true, rng));
  Residual res("block", {2, 4, 4}, {3, 2, 2}, std::move(body), std::move(shortcut));
  check_layer(res, random_mat(2, 32, 13));
}

TEST(LayerGrad, ResidualIdentity) {
  std::mt19937_64 rng(14);
  Sequential body;
  body.add(std::make_unique<Linear>("fc", Shape{6, 1, 1}, 6, true, rng));
  Residual res("block", {6, 1, 1}, {6, 1, 1}, std::move(body), Sequential{});
  check_layer(res, random_mat(3, 6, 15));
}

TEST(LayerGrad, SoftmaxCrossEntropy) {
  const Mat logits = random_mat(4, 5, 16, 3.0f);
  const std::vector<uint8_t> labels = {0, 3, 4, 1};
  const LossResult r = softmax_cross_entropy(logits, labels);
  Mat num(4, 5);
  const float eps = 1e-3f;
  for (Eigen::Index i = 0; i < logits.size(); ++i) {
    Mat p = logits, m = logits;
    p.data()[i] += eps;
    m.data()[i] -= eps;
    num.data()[i] = static_cast<float>(
        (softmax_cross_entropy(p, labels).loss - softmax_cross_entropy(m, labels).loss) /
        (2 * eps));
  }
  EXPECT_LT(rel_err(r.dlogits, num), 1e-3);
  // Loss of uniform logits is log(classes).
  EXPECT_NEAR(softmax_cross_entropy(Mat::Zero(2, 5), {1, 2}).loss, std::log(5.0), 1e-9);
}

TEST(Im2col, Col2imIsTheAdjoint) {
  // <im2col(x), c> == <x, col2im(c)> for every geometry: col2im is exactly
  // the backward of im2col.
  const ConvGeometry g{{3, 5, 6}, 1, 3, 2, 1};
  const Mat x = random_mat(2, 90, 17);
  const Mat cols = im2col(x, g);
  ASSERT_EQ(cols.rows(), 27);
  ASSERT_EQ(cols.cols(), 2 * g.out_h() * g.out_w());
  const Mat c = random_mat(static_cast<int>(cols.rows()), static_cast<int>(cols.cols()), 18);
  const double lhs = (cols.cast<double>().array() * c.cast<double>().array()).sum();
  const double rhs = (x.cast<double>().array() * col2im(c, 2, g).cast<double>().array()).sum();
  EXPECT_NEAR(lhs, rhs, 1e-4);
}

// im2col and col2im equal their definitions (the header's index formulas,
// one tap at a time, out-of-image taps zero / skipped in the same order), bit
// for bit, over kernels 1..5, strides 1..3, paddings 0..3 and images down to
// smaller than the kernel; on codes (int8) too.
TEST(Im2col, GatherAndScatterEqualTheirDefinitions) {
  int shapes = 0;
  for (int kernel = 1; kernel <= 5; ++kernel)
    for (int stride = 1; stride <= 3; ++stride)
      for (int padding = 0; padding <= 3; ++padding)
        for (int hw : {1, 2, 5, 7}) {
          const ConvGeometry g{{2, hw, hw + 1}, 1, kernel, stride, padding};
          if (g.out_h() < 1 || g.out_w() < 1 || hw + 2 * padding < kernel) continue;
          ++shapes;
          const int n = 2, oh = g.out_h(), ow = g.out_w(), p = n * oh * ow;
          const Mat x = random_mat(n, g.in.size(), 31 + static_cast<uint64_t>(shapes));
          const Mat c = random_mat(g.k(), p, 77 + static_cast<uint64_t>(shapes));
          Code8Mat codes(n, g.in.size());
          for (Eigen::Index i = 0; i < codes.size(); ++i)
            codes.data()[i] = static_cast<int8_t>(1 + i % 13);
          const Mat xc = codes.cast<float>();
          Mat want(g.k(), p), want_c(g.k(), p);
          Mat want_x = Mat::Zero(n, g.in.size());
          for (int ch = 0; ch < g.in.c; ++ch)
            for (int ky = 0; ky < kernel; ++ky)
              for (int kx = 0; kx < kernel; ++kx) {
                const int k = (ch * kernel + ky) * kernel + kx;
                for (int s = 0; s < n; ++s)
                  for (int oy = 0; oy < oh; ++oy)
                    for (int ox = 0; ox < ow; ++ox) {
                      const int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                      const bool in = iy >= 0 && iy < g.in.h && ix >= 0 && ix < g.in.w;
                      const int col = (s * oh + oy) * ow + ox;
                      const int at = ch * g.in.h * g.in.w + iy * g.in.w + ix;
                      want(k, col) = in ? x(s, at) : 0.0f;
                      want_c(k, col) = in ? xc(s, at) : 0.0f;
                      if (in) want_x(s, at) += c(k, col);
                    }
              }
          const std::string where = "k" + std::to_string(kernel) + " s" + std::to_string(stride) +
                                    " p" + std::to_string(padding) + " hw" + std::to_string(hw);
          ASSERT_TRUE(im2col(x, g) == want) << "im2col " << where;
          ASSERT_TRUE(Mat(im2col(codes, g).cast<float>()) == want_c) << "im2col of codes " << where;
          ASSERT_TRUE(col2im(c, n, g) == want_x) << "col2im " << where;
        }
  EXPECT_GT(shapes, 100);
}

}  // namespace
}  // namespace nibble::train
