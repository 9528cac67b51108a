// Gram matrices by the explicit formula, and the masked style loss against
// an independent Python implementation on the fixture's random VGG16.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "engine/io/npy.h"
#include "engine/losses/style_loss.h"
#include "tests/losses_support.h"

namespace barbershop {
namespace {

using test::losses_fixture;

StyleLoss make_style() { return StyleLoss(Vgg16::load(losses_fixture("vgg16-397923af.pth"))); }

at::Tensor first_image(const std::string& name) { return read_npy(losses_fixture(name)).slice(0, 0, 1); }

TEST(Gram, EqualsTheExplicitSumNormalisedByCHW) {
  const at::Tensor x = at::randn({2, 3, 4, 5}, at::kDouble);
  const at::Tensor g = gram_matrix(x);
  ASSERT_EQ(g.sizes(), at::IntArrayRef({6, 6}));
  auto acc = x.accessor<double, 4>();
  for (int64_t r = 0; r < 6; ++r)
    for (int64_t c = 0; c < 6; ++c) {
      double sum = 0;
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t w = 0; w < 5; ++w) sum += acc[r / 3][r % 3][h][w] * acc[c / 3][c % 3][h][w];
      EXPECT_NEAR(g[r][c].item<double>(), sum / (2 * 3 * 4 * 5), 1e-12);
    }
}

TEST(StyleLoss, GramOfFirstLayerMatchesIndependentImplementation) {
  const at::Tensor a = first_image("lpips_a.npy");
  const auto grams = make_style().grams(a, read_npy(losses_fixture("style_mask_a.npy")));
  ASSERT_EQ(grams.size(), 4u);
  const at::Tensor expected = read_npy(losses_fixture("gram_relu1_2.npy"));
  ASSERT_EQ(grams[0].sizes(), expected.sizes());
  EXPECT_LT((grams[0] - expected).abs().max().item<double>(), 1e-4 * expected.abs().max().item<double>());
}

TEST(StyleLoss, MatchesIndependentImplementation) {
  const at::Tensor value = make_style()(first_image("lpips_a.npy"), read_npy(losses_fixture("style_mask_a.npy")),
                                        first_image("lpips_b.npy"), read_npy(losses_fixture("style_mask_b.npy")));
  const double expected = read_npy(losses_fixture("style_value.npy")).item<double>();
  EXPECT_NEAR(value.item<double>(), expected, 1e-3 * expected);
}

TEST(StyleLoss, SameRegionOfTheSameImageIsZero) {
  const at::Tensor image = first_image("lpips_a.npy");
  const at::Tensor mask = read_npy(losses_fixture("style_mask_a.npy"));
  EXPECT_EQ(make_style()(image, mask, image, mask).item<double>(), 0.0);
}

TEST(StyleLoss, OnlyTheRenderGetsGradient) {
  const at::Tensor mask = read_npy(losses_fixture("style_mask_a.npy"));
  const at::Tensor reference = first_image("lpips_a.npy").requires_grad_(true);
  const at::Tensor render = first_image("lpips_b.npy").requires_grad_(true);
  make_style()(reference, mask, render, mask).backward();
  EXPECT_FALSE(reference.grad().defined());
  ASSERT_TRUE(render.grad().defined());
  EXPECT_GT(render.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace barbershop
