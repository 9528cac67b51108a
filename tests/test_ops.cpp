// Image operations against PIL and against closed-form expectations.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "engine/io/image.h"
#include "engine/ops/lanczos.h"
#include "engine/ops/morphology.h"

namespace barbershop {
namespace {

std::string fixture(const std::string& name) { return std::string(BARBERSHOP_FIXTURE_DIR) + "/ops/" + name; }

// |y - cy| + |x - cx| for every pixel of an h x w grid.
at::Tensor manhattan_distance(int64_t h, int64_t w, int64_t cy, int64_t cx) {
  auto y = at::arange(h).view({h, 1});
  auto x = at::arange(w).view({1, w});
  return ((y - cy).abs() + (x - cx).abs()).to(at::kFloat);
}

TEST(Morphology, DilatingOnePixelNTimesGivesADiamondOfRadiusN) {
  at::Tensor point = at::zeros({15, 17});
  point[7][8] = 1;
  for (int64_t n : {0, 1, 3, 5}) {
    at::Tensor expected = (manhattan_distance(15, 17, 7, 8) <= n).to(at::kFloat);
    EXPECT_TRUE(dilate(point, n).equal(expected)) << "n = " << n;
  }
}

TEST(Morphology, ErodingAFullImageEatsNPixelsFromTheBorder) {
  const int64_t h = 12, w = 9;
  auto y = at::arange(h).view({h, 1}), x = at::arange(w).view({1, w});
  auto border_distance = at::minimum(at::minimum(y, h - 1 - y), at::minimum(x, w - 1 - x));
  for (int64_t n : {1, 2, 4}) {
    at::Tensor expected = (border_distance >= n).to(at::kFloat);
    EXPECT_TRUE(erode(at::ones({h, w}), n).equal(expected)) << "n = " << n;
  }
}

TEST(Morphology, ErodingADiamondShrinksItsRadius) {
  at::Tensor diamond = (manhattan_distance(21, 21, 10, 10) <= 6).to(at::kFloat);
  EXPECT_TRUE(erode(diamond, 2).equal((manhattan_distance(21, 21, 10, 10) <= 4).to(at::kFloat)));
}

TEST(Morphology, WorksOnBatchedMasks) {
  at::Tensor masks = at::zeros({2, 1, 9, 9});
  masks[1][0][4][4] = 1;
  at::Tensor out = dilate(masks, 2);
  EXPECT_EQ(out[0].sum().item<float>(), 0);
  EXPECT_EQ(out[1].sum().item<float>(), 13);  // 1 + 4 + 8 pixels within distance 2
}

float max_level_difference(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).abs().max() * 127.5).item<float>();
}

TEST(Lanczos, MatchesPilWithinOneLevel) {
  at::Tensor pattern = read_image(fixture("pattern.png")).unsqueeze(0);
  at::Tensor down = lanczos_resize(pattern, 11, 17)[0];
  at::Tensor up = lanczos_resize(pattern, 64, 80)[0];
  EXPECT_LE(max_level_difference(down, read_image(fixture("pattern_down.png"))), 1.0f + 1e-3f);
  EXPECT_LE(max_level_difference(up, read_image(fixture("pattern_up.png"))), 1.0f + 1e-3f);
}

TEST(Lanczos, SampleFaceTo256MatchesPil) {
  at::Tensor face = read_image(std::string(BARBERSHOP_TEST_DATA) + "/faces/15.png").unsqueeze(0);
  at::Tensor ours = lanczos_resize(face, 256, 256)[0];
  at::Tensor pil = read_image(fixture("face15_256.png"));
  EXPECT_LE(max_level_difference(ours, pil), 1.0f + 1e-3f);
  EXPECT_LT(((ours - pil).abs() * 127.5).mean().item<float>(), 0.05f);
}

TEST(Lanczos, ConstantImageStaysConstant) {
  at::Tensor grey = at::full({1, 3, 30, 30}, 100.0 / 127.5 - 1);
  EXPECT_LE(max_level_difference(lanczos_resize(grey, 7, 13), at::full({1, 3, 7, 13}, 100.0 / 127.5 - 1)), 1e-3f);
}

}  // namespace
}  // namespace barbershop
