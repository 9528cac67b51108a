// The PCA prior: PCA against data of known covariance, the P-norm formula,
// fitting from a mapping, the on-disk cache, and the reference's .npz.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/io/npy.h"
#include "engine/io/sha256.h"
#include "engine/losses/pca_prior.h"
#include "tests/losses_support.h"

namespace barbershop {
namespace {

namespace fs = std::filesystem;

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("barbershop-test-pca-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Rows x = mean + (z * sigma) @ axes with orthonormal `axes` rows, so PCA
// should find stdev = sigma and components = +-axes.
TEST(Pca, RecoversKnownDeviationsAndAxes) {
  at::manual_seed(3);
  const at::Tensor axes = std::get<0>(at::linalg_qr(at::randn({4, 4}, at::kDouble))).t();
  const at::Tensor sigma = at::tensor({4.0, 2.0, 1.0, 0.5}, at::kDouble);
  const at::Tensor mean = at::tensor({10.0, -3.0, 0.5, 100.0}, at::kDouble);
  PcaAccumulator accumulator;
  for (int batch = 0; batch < 8; ++batch)
    accumulator.add(mean + at::mm(at::randn({5000, 4}, at::kDouble) * sigma, axes));
  const PcaPrior prior = accumulator.finish();
  EXPECT_EQ(accumulator.count(), 40000);
  EXPECT_LT(((prior.stdev.to(at::kDouble) - sigma).abs() / sigma).max().item<double>(), 0.03);
  EXPECT_LT((prior.mean.to(at::kDouble) - mean).abs().max().item<double>(), 0.1);
  // Each found axis is parallel to the true one: |cosine| close to 1.
  const at::Tensor cosines = (prior.components.to(at::kDouble) * axes).sum(1).abs();
  EXPECT_GT(cosines.min().item<double>(), 0.99);
}

PcaPrior small_prior() {
  at::manual_seed(5);
  PcaAccumulator accumulator;
  accumulator.add(at::randn({500, 6}) * at::arange(1, 7) + 0.3);
  return accumulator.finish();
}

// w with LeakyReLU_5(w) = mean: the P-norm's zero.
TEST(PNorm, IsZeroAtThePcaMean) {
  const PcaPrior prior = small_prior();
  const at::Tensor w = at::where(prior.mean >= 0, prior.mean, prior.mean / kPcaLeakySlope);
  EXPECT_LT(prior.p_norm(w.expand({3, 6})).item<double>(), 1e-10);
}

TEST(PNorm, FollowsTheFormula) {
  const PcaPrior prior = small_prior();
  const at::Tensor w = at::randn({1, 3, 6}, at::kDouble);
  double sum = 0;
  for (int64_t code = 0; code < 3; ++code) {
    const at::Tensor v = w[0][code];
    const at::Tensor x = at::where(v > 0, v, v * 5) - prior.mean.to(at::kDouble);
    for (int64_t k = 0; k < 6; ++k) {
      const double t = (prior.components[k].to(at::kDouble) * x).sum().item<double>() /
                       prior.stdev[k].item<double>();
      sum += t * t;
    }
  }
  EXPECT_NEAR(prior.p_norm(w.to(at::kFloat)).item<double>(), sum / 18, 1e-4 * sum / 18);
}

// A mapping that records what it was given, so the test can redo the fit.
struct RecordingMapping {
  at::Tensor matrix = at::randn({8, 5});
  std::vector<at::Tensor> seen;
  at::Tensor map(const at::Tensor& z) const { return at::mm(z, matrix) - 0.5; }
  at::Tensor operator()(const at::Tensor& z) {
    seen.push_back(z);
    return map(z);
  }
};

TEST(PcaPrior, FitsLeakyReluOfTheMappingInBatchesAndIsSeeded) {
  at::manual_seed(1);
  RecordingMapping mapping;
  const PcaPriorOptions options{/*samples=*/1000, /*batch=*/300, /*seed=*/42, /*z_dim=*/8};
  const PcaPrior prior = fit_pca_prior([&](const at::Tensor& z) { return mapping(z); }, options);
  ASSERT_EQ(mapping.seen.size(), 4u);
  EXPECT_EQ(mapping.seen.back().size(0), 100);

  PcaAccumulator by_hand;
  for (const auto& z : mapping.seen) by_hand.add(at::leaky_relu(mapping.map(z), 5.0));
  const PcaPrior expected = by_hand.finish();
  EXPECT_TRUE(prior.stdev.allclose(expected.stdev));
  EXPECT_TRUE(prior.mean.allclose(expected.mean));

  RecordingMapping again{mapping.matrix};
  fit_pca_prior([&](const at::Tensor& z) { return again(z); }, options);
  EXPECT_TRUE(again.seen[0].equal(mapping.seen[0])) << "same seed, same z";
}

TEST(PcaPrior, CacheIsKeyedByCheckpointBytesAndSurvivesCorruption) {
  const fs::path dir = scratch_dir("cache");
  const std::string checkpoint = (dir / "g.pt").string();
  std::ofstream(checkpoint) << "generator weights";
  int calls = 0;
  const MappingFunction mapping = [&](const at::Tensor& z) {
    ++calls;
    return z * 2 + 1;
  };
  const PcaPriorOptions options{200, 100, 7, 4};

  const std::string key = sha256_file(checkpoint);
  const PcaPrior first = cached_pca_prior(key, dir.string(), mapping, options);
  EXPECT_EQ(calls, 2);
  const std::string path = pca_cache_path(key, dir.string(), options);
  ASSERT_TRUE(fs::exists(path));
  const PcaPrior second = cached_pca_prior(key, dir.string(), mapping, options);
  EXPECT_EQ(calls, 2) << "the second call must read the cache";
  EXPECT_TRUE(second.components.equal(first.components));

  std::ofstream(path, std::ios::trunc) << "garbage";
  const PcaPrior third = cached_pca_prior(key, dir.string(), mapping, options);
  EXPECT_EQ(calls, 4) << "a corrupt cache is refitted";
  EXPECT_TRUE(third.stdev.equal(first.stdev));
  EXPECT_NO_THROW(read_pca_prior(path)) << "and rewritten";

  std::ofstream(checkpoint, std::ios::app) << " changed";
  EXPECT_NE(pca_cache_path(sha256_file(checkpoint), dir.string(), options), path);
  // Only the finished file is in the folder: no temporaries left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.path().extension() == ".npy";
  EXPECT_EQ(files, 1);
}

TEST(PcaPrior, WriteReadRoundTrip) {
  const PcaPrior prior = small_prior();
  const std::string path = (scratch_dir("roundtrip") / "prior.npy").string();
  write_pca_prior(path, prior);
  const PcaPrior back = read_pca_prior(path);
  EXPECT_TRUE(back.mean.equal(prior.mean));
  EXPECT_TRUE(back.components.equal(prior.components));
  EXPECT_TRUE(back.stdev.equal(prior.stdev));
}

TEST(PcaPrior, ReadsTheReferenceNpz) {
  const PcaPrior prior = read_pca_prior(test::reference_pca());
  using test::losses_fixture;
  EXPECT_TRUE(prior.mean.equal(read_npy(losses_fixture("pca_mean.npy"))));
  EXPECT_TRUE(prior.stdev.equal(read_npy(losses_fixture("pca_stdev.npy"))));
  EXPECT_TRUE(prior.components[0].equal(read_npy(losses_fixture("pca_component0.npy"))));
  EXPECT_EQ(prior.components.sizes(), at::IntArrayRef({512, 512}));
}

}  // namespace
}  // namespace barbershop
