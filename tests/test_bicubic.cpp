// The bicubic downsampler against hand-computed Keys weights, a constant
// image, and an independent NumPy implementation (fixture script).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "engine/io/npy.h"
#include "engine/ops/bicubic.h"
#include "tests/losses_support.h"

namespace barbershop {
namespace {

using test::losses_fixture;

// An impulse column (constant along H, so the H pass keeps it intact): each
// output pixel of a row reads back one normalised kernel tap.
TEST(Bicubic, FactorTwoTapsAreNormalisedKeysWeights) {
  // Keys (a = -0.5) at +-0.25, +-0.75, +-1.25, +-1.75 (the 8 tap positions
  // ((i - 4) + 0.5) / 2), written out by hand.
  const double near = 1.5 * 0.015625 - 2.5 * 0.0625 + 1;          // |x| = 0.25
  const double mid = 1.5 * 0.421875 - 2.5 * 0.5625 + 1;           // |x| = 0.75
  const double far = -0.5 * 1.953125 + 2.5 * 1.5625 - 4 * 1.25 + 2;  // |x| = 1.25
  const double edge = -0.5 * 5.359375 + 2.5 * 3.0625 - 4 * 1.75 + 2;  // |x| = 1.75
  const double sum = 2 * (near + mid + far + edge);
  const std::vector<double> taps = {edge, far, mid, near, near, mid, far, edge};

  // Impulse at column 10 of a 32-wide image, constant along H.
  at::Tensor image = at::zeros({1, 1, 8, 32}, at::kDouble);
  image.select(3, 10).fill_(1.0);
  at::Tensor row = bicubic_downsample(image, 2)[0][0][3];
  // Output column o reads input columns 2o - 3 .. 2o + 4 (padding 3 before).
  for (int64_t o = 0; o < 16; ++o) {
    const int64_t i = 10 - (2 * o - 3);
    const double expected = (i >= 0 && i < 8) ? taps[i] / sum : 0.0;
    EXPECT_NEAR(row[o].item<double>(), expected, 1e-12) << "output column " << o;
  }
}

TEST(Bicubic, ConstantImageStaysConstant) {
  for (int64_t factor : {1, 2, 4}) {
    at::Tensor image = at::full({2, 3, 16, 32}, 0.37, at::kFloat);
    at::Tensor down = bicubic_downsample(image, factor);
    EXPECT_EQ(down.sizes(), at::IntArrayRef({2, 3, 16 / factor, 32 / factor}));
    EXPECT_LT((down - 0.37).abs().max().item<double>(), 1e-6) << "factor " << factor;
  }
}

TEST(Bicubic, FactorOneIsAFourTapFilterNotTheIdentity) {
  at::Tensor image = at::zeros({1, 1, 8, 8}, at::kDouble);
  image[0][0][4][4] = 1.0;
  at::Tensor down = bicubic_downsample(image, 1);
  EXPECT_EQ(down.sizes(), image.sizes());
  EXPECT_LT(down[0][0][4][4].item<double>(), 0.99);
  EXPECT_GT(down[0][0][3][4].item<double>(), 0.0);
}

TEST(Bicubic, MatchesIndependentImplementation) {
  const at::Tensor input = read_npy(losses_fixture("bicubic_in.npy"));
  for (int64_t factor : {1, 2, 4}) {
    const at::Tensor expected = read_npy(losses_fixture("bicubic_f" + std::to_string(factor) + ".npy"));
    const at::Tensor got = bicubic_downsample(input, factor);
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_LT((got - expected).abs().max().item<double>(), 1e-5) << "factor " << factor;
  }
}

TEST(Bicubic, IsDifferentiable) {
  at::Tensor image = at::rand({1, 3, 8, 8}, at::kDouble).requires_grad_(true);
  bicubic_downsample(image, 2).sum().backward();
  ASSERT_TRUE(image.grad().defined());
  // The taps sum to 1, so d(sum of outputs)/d(inputs) sums to the output count.
  EXPECT_NEAR(image.grad().sum().item<double>(), 3 * 16, 1e-9);
}

}  // namespace
}  // namespace barbershop
