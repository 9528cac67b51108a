#pragma once
// Paths shared by the perceptual-loss tests.
#include <string>

namespace barbershop::test {

inline std::string losses_fixture(const std::string& name) {
  return std::string(BARBERSHOP_FIXTURE_DIR) + "/losses/" + name;
}

// The real LPIPS v0.1 heads; the VGG16 they sit on is the fixture's random one.
inline std::string lpips_heads() {
  return std::string(BARBERSHOP_TEST_DATA) + "/weights/lpips_vgg_v0.1.pth";
}

inline std::string reference_pca() {
  return std::string(BARBERSHOP_TEST_DATA) + "/weights/ffhq_PCA.npz";
}

}  // namespace barbershop::test
