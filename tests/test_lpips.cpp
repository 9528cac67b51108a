// VGG16 loading and LPIPS (plain and masked) against an independent Python
// implementation run on the same random VGG16 and the real LPIPS heads.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "engine/error.h"
#include "engine/io/npy.h"
#include "engine/losses/lpips.h"
#include "tests/losses_support.h"

namespace barbershop {
namespace {

using test::losses_fixture;

Lpips make_lpips() { return Lpips(Vgg16::load(losses_fixture("vgg16-397923af.pth")), test::lpips_heads()); }

void expect_close(const at::Tensor& got, const at::Tensor& expected, double relative) {
  ASSERT_EQ(got.sizes(), expected.sizes());
  const at::Tensor e = expected.to(at::kDouble), g = got.to(at::kDouble);
  EXPECT_LT(((g - e).abs() / e.abs().clamp_min(1e-12)).max().item<double>(), relative)
      << "got " << g << "\nexpected " << e;
}

TEST(Vgg16, LoadsTorchvisionLayoutIgnoringTheClassifier) {
  const Vgg16 vgg = Vgg16::load(losses_fixture("vgg16-397923af.pth"));
  const auto acts = vgg.activations(at::zeros({1, 3, 32, 32}),
                                    {vgg16_layer::relu1_2, vgg16_layer::relu2_2, vgg16_layer::relu5_3});
  ASSERT_EQ(acts.size(), 3u);
  EXPECT_EQ(acts[0].sizes(), at::IntArrayRef({1, 64, 32, 32}));
  EXPECT_EQ(acts[1].sizes(), at::IntArrayRef({1, 128, 16, 16}));
  EXPECT_EQ(acts[2].sizes(), at::IntArrayRef({1, 512, 2, 2}));
}

TEST(Vgg16, WrongFileNamesTheMissingKey) {
  try {
    Vgg16::load(test::lpips_heads());
    FAIL() << "loading LPIPS heads as VGG16 should fail";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("features.0.weight"), std::string::npos) << error.what();
  }
}

TEST(Lpips, MatchesIndependentImplementation) {
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy"));
  const at::Tensor b = read_npy(losses_fixture("lpips_b.npy"));
  expect_close(make_lpips()(a, b), read_npy(losses_fixture("lpips_value.npy")), 1e-4);
}

TEST(Lpips, MaskedOnBlocksOneToThreeMatchesIndependentImplementation) {
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy"));
  const at::Tensor b = read_npy(losses_fixture("lpips_b.npy"));
  const at::Tensor mask = read_npy(losses_fixture("lpips_mask.npy"));
  expect_close(make_lpips()(a, b, mask, {1, 2, 3}), read_npy(losses_fixture("masked_lpips_value.npy")), 1e-4);
}

TEST(Lpips, IdenticalImagesAreAtDistanceZero) {
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy"));
  EXPECT_EQ(make_lpips()(a, a).abs().max().item<double>(), 0.0);
}

TEST(Lpips, AllOnesMaskEqualsUnmasked) {
  const Lpips lpips = make_lpips();
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy"));
  const at::Tensor b = read_npy(losses_fixture("lpips_b.npy"));
  for (const std::vector<int64_t>& blocks : {std::vector<int64_t>{1, 2, 3}, std::vector<int64_t>{1, 2, 3, 4, 5}})
    expect_close(lpips(a, b, at::ones({64, 64}), blocks), lpips(a, b, {}, blocks), 1e-5);
}

TEST(Lpips, EmptyMaskGivesZeroAndFiniteGradient) {
  const Lpips lpips = make_lpips();
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy")).requires_grad_(true);
  const at::Tensor b = read_npy(losses_fixture("lpips_b.npy"));
  const at::Tensor value = lpips(a, b, at::zeros({64, 64}), {1, 2, 3});
  EXPECT_TRUE(value.eq(0).all().item<bool>()) << value;
  value.sum().backward();
  EXPECT_TRUE(a.grad().isfinite().all().item<bool>());
}

// A region that vanishes at coarse levels: those levels add 0, not NaN.
TEST(Lpips, MaskEmptyAtCoarseLevelsOnlyDropsThoseLevels) {
  const Lpips lpips = make_lpips();
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy"));
  const at::Tensor b = read_npy(losses_fixture("lpips_b.npy"));
  at::Tensor mask = at::zeros({64, 64});
  mask[1][1] = 1;  // nearest resizing to 32 and below samples even pixels only
  const at::Tensor all = lpips(a, b, mask, {1, 2, 3});
  EXPECT_TRUE(all.isfinite().all().item<bool>());
  expect_close(all, lpips(a, b, mask, {1}), 1e-6);
}

TEST(Lpips, GradientReachesTheImage) {
  const Lpips lpips = make_lpips();
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy")).requires_grad_(true);
  lpips(a, read_npy(losses_fixture("lpips_b.npy"))).sum().backward();
  EXPECT_TRUE(a.grad().isfinite().all().item<bool>());
  EXPECT_GT(a.grad().abs().sum().item<double>(), 0.0);
}

TEST(Lpips, PrecomputedFeaturesGiveTheSameDistance) {
  const Lpips lpips = make_lpips();
  const at::Tensor a = read_npy(losses_fixture("lpips_a.npy"));
  const at::Tensor b = read_npy(losses_fixture("lpips_b.npy"));
  const at::Tensor mask = read_npy(losses_fixture("lpips_mask.npy"));
  expect_close(lpips.distance(lpips.features(a, 3), lpips.features(b, 3), mask, {1, 2, 3}),
               lpips(a, b, mask, {1, 2, 3}), 1e-6);
}

TEST(Lpips, HeadsFromTheWrongFileAreRejected) {
  EXPECT_THROW(Lpips(Vgg16(), losses_fixture("vgg16-397923af.pth")), Error);
}

}  // namespace
}  // namespace barbershop
