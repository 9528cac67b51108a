// StyleGAN2 generator: layers against explicit loops, the network against
// the independent Python implementation (fixtures/stylegan2_reference.py),
// checkpoint errors, and `barbershop generate`.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cmath>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/error.h"
#include "engine/io/npy.h"
#include "engine/networks/stylegan2.h"

namespace sg2 = barbershop::stylegan2;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
  return std::string(BARBERSHOP_FIXTURE_DIR) + "/stylegan2/" + name;
}

// A scratch directory per test, so tests can run in parallel.
std::string scratch(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(BARBERSHOP_FIXTURE_DIR) / "stylegan2-scratch" /
                       (std::string(info->test_suite_name()) + "." + info->name());
  fs::create_directories(dir);
  return (dir / name).string();
}

// max |actual - expected| / max |expected|
double relative_error(const at::Tensor& actual, const at::Tensor& expected) {
  EXPECT_EQ(actual.sizes(), expected.sizes());
  const at::Tensor a = actual.detach().cpu().to(at::kDouble);
  const at::Tensor e = expected.detach().cpu().to(at::kDouble);
  return (a - e).abs().max().item<double>() / e.abs().max().item<double>();
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const barbershop::Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no barbershop::Error thrown";
  return "";
}

const sg2::LoadedGenerator& loaded(int64_t size) {
  static std::map<int64_t, sg2::LoadedGenerator> cache;
  auto found = cache.find(size);
  if (found == cache.end())
    found = cache.emplace(size, sg2::load_generator(fixture("G" + std::to_string(size) + ".pt"))).first;
  return found->second;
}

void randomise(torch::nn::Module& module, double scale) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) p.copy_(at::randn_like(p) * scale);
}

// ---- Explicit-loop versions of the operations ----------------------------

// Zero insertion, padding and a true convolution written out pixel by pixel.
at::Tensor upfirdn_loop(const at::Tensor& input, const at::Tensor& kernel, int64_t up,
                        int64_t pad0, int64_t pad1) {
  const at::Tensor in = input.to(at::kDouble).contiguous();
  const at::Tensor k = kernel.to(at::kDouble).contiguous();
  const auto x = in.accessor<double, 4>();
  const auto kk = k.accessor<double, 2>();
  const int64_t kh = k.size(0), kw = k.size(1);
  const int64_t h = in.size(2) * up, w = in.size(3) * up;
  const int64_t out_h = h + pad0 + pad1 - kh + 1, out_w = w + pad0 + pad1 - kw + 1;
  // The upsampled, padded signal: input pixels on the multiples of `up`.
  const auto signal = [&](int64_t b, int64_t c, int64_t yy, int64_t xx) {
    yy -= pad0;
    xx -= pad0;
    if (yy < 0 || xx < 0 || yy >= h || xx >= w || yy % up || xx % up) return 0.0;
    return x[b][c][yy / up][xx / up];
  };
  at::Tensor out = at::zeros({in.size(0), in.size(1), out_h, out_w}, at::kDouble);
  auto o = out.accessor<double, 4>();
  for (int64_t b = 0; b < in.size(0); ++b)
    for (int64_t c = 0; c < in.size(1); ++c)
      for (int64_t yy = 0; yy < out_h; ++yy)
        for (int64_t xx = 0; xx < out_w; ++xx)
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v)
              o[b][c][yy][xx] += signal(b, c, yy + u, xx + v) * kk[kh - 1 - u][kw - 1 - v];
  return out;
}

// Per-sample modulated (and optionally demodulated) weights [B, out, in, k, k].
at::Tensor modulated_weights_loop(const sg2::ModulatedConv2dImpl& conv, const at::Tensor& w,
                                  bool demodulate) {
  const at::Tensor wm = conv.modulation->weight.to(at::kDouble), bm = conv.modulation->bias.to(at::kDouble);
  const at::Tensor weight = conv.weight[0].to(at::kDouble);
  const at::Tensor wd = w.to(at::kDouble);
  const int64_t batch = w.size(0), out = weight.size(0), in = weight.size(1), k = weight.size(2);
  const auto m = wm.accessor<double, 2>();
  const auto mb = bm.accessor<double, 1>();
  const auto wa = wd.accessor<double, 2>();
  const auto g = weight.accessor<double, 4>();
  at::Tensor result = at::zeros({batch, out, in, k, k}, at::kDouble);
  auto r = result.accessor<double, 5>();
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<double> style(in);
    for (int64_t i = 0; i < in; ++i) {
      double s = 0;
      for (int64_t j = 0; j < wd.size(1); ++j) s += m[i][j] * wa[b][j];
      style[i] = s / std::sqrt(static_cast<double>(wd.size(1))) + mb[i];
    }
    for (int64_t o = 0; o < out; ++o) {
      double energy = 0;
      for (int64_t i = 0; i < in; ++i)
        for (int64_t u = 0; u < k; ++u)
          for (int64_t v = 0; v < k; ++v) {
            r[b][o][i][u][v] = g[o][i][u][v] / std::sqrt(static_cast<double>(in * k * k)) * style[i];
            energy += r[b][o][i][u][v] * r[b][o][i][u][v];
          }
      if (!demodulate) continue;
      for (int64_t i = 0; i < in; ++i)
        for (int64_t u = 0; u < k; ++u)
          for (int64_t v = 0; v < k; ++v) r[b][o][i][u][v] /= std::sqrt(energy + 1e-8);
    }
  }
  return result;
}

}  // namespace

// ---- Operations ----------------------------------------------------------

TEST(StyleGAN2Ops, UpfirdnMatchesExplicitLoop) {
  torch::manual_seed(1);
  const at::Tensor input = at::randn({2, 3, 5, 6});
  const at::Tensor kernel = at::randn({4, 3});  // asymmetric: catches a missing flip
  for (auto [up, pad0, pad1] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {2, 2, 1}, {1, 1, 1}, {2, 0, 0}, {2, -1, 2}, {3, 1, 0}}) {
    SCOPED_TRACE("up " + std::to_string(up) + " pad " + std::to_string(pad0) + "," + std::to_string(pad1));
    EXPECT_LT(relative_error(sg2::upfirdn2d(input, kernel, up, pad0, pad1),
                             upfirdn_loop(input, kernel, up, pad0, pad1)),
              1e-6);
  }
}

TEST(StyleGAN2Ops, BlurKernelsAreNormalised) {
  const at::Tensor k = sg2::fir_kernel({1, 3, 3, 1});
  EXPECT_EQ(k.sizes(), (std::vector<int64_t>{4, 4}));
  EXPECT_NEAR(k.sum().item<double>(), 1.0, 1e-7);
  EXPECT_NEAR(k[0][0].item<double>(), 1.0 / 64, 1e-9);
  EXPECT_NEAR(k[1][2].item<double>(), 9.0 / 64, 1e-9);
  EXPECT_NEAR(sg2::fir_kernel({1, 3, 3, 1}, 4.0).sum().item<double>(), 4.0, 1e-6);

  // Both blurs of the generator carry the kernel x4 (= up^2): a 2x upsampled
  // constant image stays the same constant away from the borders.
  sg2::Generator g(sg2::GeneratorConfig{64, 1});
  const at::Tensor expected = sg2::fir_kernel({1, 3, 3, 1}, 4.0);
  std::set<std::string> blur_keys;
  for (const auto& item : g->named_buffers())
    if (item.key().find("kernel") != std::string::npos) {
      blur_keys.insert(item.key());
      EXPECT_TRUE(at::allclose(item.value(), expected)) << item.key();
    }
  EXPECT_EQ(blur_keys.count("convs.0.conv.blur.kernel"), 1u);
  EXPECT_EQ(blur_keys.count("convs.1.conv.blur.kernel"), 0u);
  EXPECT_EQ(blur_keys.count("to_rgbs.0.upsample.kernel"), 1u);
  EXPECT_EQ(blur_keys.size(), 8u);  // 4 upsampling convs + 4 upsampling ToRGBs at 64
  const at::Tensor up = g->to_rgbs->ptr<sg2::ToRGBImpl>(0)->upsample->forward(at::ones({1, 1, 6, 6}));
  EXPECT_EQ(up.sizes(), (std::vector<int64_t>{1, 1, 12, 12}));
  EXPECT_TRUE(at::allclose(up.slice(2, 2, 10).slice(3, 2, 10), at::ones({1, 1, 8, 8})));
}

TEST(StyleGAN2Ops, FusedLeakyReLUAndEqualLinearScaling) {
  const at::Tensor x = at::tensor({-1.0f, 2.0f}).reshape({1, 2});
  const at::Tensor y = sg2::fused_leaky_relu(x, at::tensor({0.5f, 0.5f}));
  EXPECT_NEAR(y[0][0].item<double>(), -0.5 * 0.2 * std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(y[0][1].item<double>(), 2.5 * std::sqrt(2.0), 1e-6);

  sg2::EqualLinear linear(4, 2, /*lr_mul=*/0.01, /*activate=*/false);
  randomise(*linear, 1.0);
  const at::Tensor in = at::randn({3, 4});
  const at::Tensor expected = at::matmul(in, linear->weight.t()) * (0.01 / 2.0) + linear->bias * 0.01;
  EXPECT_LT(relative_error(linear->forward(in), expected), 1e-6);
}

// ---- Layers --------------------------------------------------------------

TEST(StyleGAN2Layers, ModulatedConvMatchesLoops) {
  torch::manual_seed(2);
  const at::Tensor input = at::randn({2, 2, 5, 4});
  const at::Tensor w = at::randn({2, sg2::kStyleDim});
  for (bool demodulate : {true, false}) {
    SCOPED_TRACE(demodulate ? "demodulated" : "not demodulated");
    sg2::ModulatedConv2d conv(2, 3, 3, demodulate, /*upsample=*/false);
    randomise(*conv, 1.0);
    const at::Tensor weights = modulated_weights_loop(*conv, w, demodulate);
    const auto wt = weights.accessor<double, 5>();
    const at::Tensor xd = input.to(at::kDouble);
    const auto x = xd.accessor<double, 4>();
    at::Tensor expected = at::zeros({2, 3, 5, 4}, at::kDouble);
    auto e = expected.accessor<double, 4>();
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t o = 0; o < 3; ++o)
        for (int64_t yy = 0; yy < 5; ++yy)
          for (int64_t xx = 0; xx < 4; ++xx)
            for (int64_t i = 0; i < 2; ++i)
              for (int64_t u = 0; u < 3; ++u)
                for (int64_t v = 0; v < 3; ++v) {
                  const int64_t sy = yy + u - 1, sx = xx + v - 1;
                  if (sy >= 0 && sy < 5 && sx >= 0 && sx < 4)
                    e[b][o][yy][xx] += wt[b][o][i][u][v] * x[b][i][sy][sx];
                }
    EXPECT_LT(relative_error(conv->forward(input, w), expected), 1e-5);
  }
}

TEST(StyleGAN2Layers, UpsamplingConvIsTransposedConvThenBlur) {
  torch::manual_seed(3);
  const at::Tensor input = at::randn({2, 2, 3, 4});
  const at::Tensor w = at::randn({2, sg2::kStyleDim});
  sg2::ModulatedConv2d conv(2, 3, 3, /*demodulate=*/true, /*upsample=*/true);
  randomise(*conv, 1.0);
  const at::Tensor weights = modulated_weights_loop(*conv, w, true);
  const auto wt = weights.accessor<double, 5>();
  const at::Tensor xd = input.to(at::kDouble);
  const auto x = xd.accessor<double, 4>();
  // Stride-2 transposed conv: every input pixel scatters a weighted kernel.
  at::Tensor spread = at::zeros({2, 3, 7, 9}, at::kDouble);
  auto s = spread.accessor<double, 4>();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t o = 0; o < 3; ++o)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t yy = 0; yy < 3; ++yy)
          for (int64_t xx = 0; xx < 4; ++xx)
            for (int64_t u = 0; u < 3; ++u)
              for (int64_t v = 0; v < 3; ++v) s[b][o][2 * yy + u][2 * xx + v] += wt[b][o][i][u][v] * x[b][i][yy][xx];
  const at::Tensor expected = upfirdn_loop(spread, sg2::fir_kernel({1, 3, 3, 1}, 4.0), 1, 1, 1);
  const at::Tensor actual = conv->forward(input, w);
  EXPECT_EQ(actual.sizes(), (std::vector<int64_t>{2, 3, 6, 8}));
  EXPECT_LT(relative_error(actual, expected), 1e-5);
}

// ---- The generator against the Python reference ------------------------

class StyleGAN2Reference : public ::testing::TestWithParam<int64_t> {
 protected:
  const sg2::Generator& g() const { return loaded(GetParam()).generator; }
  at::Tensor npy(const std::string& stem) const {
    return barbershop::read_npy(fixture(stem + std::to_string(GetParam()) + ".npy"));
  }
};

TEST_P(StyleGAN2Reference, ParameterNamesAndShapesAreTheCheckpointLayout) {
  const int64_t size = GetParam();
  sg2::Generator fresh(sg2::GeneratorConfig{size, size == 64 ? 2 : 1});
  std::set<std::string> ours, theirs;
  const auto add = [&](const std::string& key, const at::Tensor& t) {
    std::ostringstream line;
    line << key;
    for (int64_t d : t.sizes()) line << " " << d;
    ours.insert(line.str());
  };
  for (const auto& item : fresh->named_parameters()) add(item.key(), item.value());
  for (const auto& item : fresh->named_buffers()) add(item.key(), item.value());
  std::ifstream keys(fixture("keys" + std::to_string(size) + ".txt"));
  for (std::string line; std::getline(keys, line);) theirs.insert(line);
  ASSERT_FALSE(theirs.empty());
  EXPECT_EQ(ours, theirs);
}

TEST_P(StyleGAN2Reference, ConfigurationIsInferredFromTheWeights) {
  const int64_t size = GetParam();
  EXPECT_EQ(g()->size(), size);
  EXPECT_EQ(g()->channel_multiplier(), size == 64 ? 2 : 1);
  EXPECT_EQ(g()->n_latent(), size == 64 ? 10 : 12);
  EXPECT_EQ(g()->num_blocks(), size == 64 ? 5 : 6);
  EXPECT_EQ(g()->num_noise_layers(), size == 64 ? 9 : 11);
  // [512] at 64, [1, 512] at 128 in the files; always [512] here.
  EXPECT_EQ(loaded(size).latent_avg.sizes(), (std::vector<int64_t>{512}));
  for (const auto& p : g()->parameters()) EXPECT_FALSE(p.requires_grad());
}

TEST_P(StyleGAN2Reference, ImageWithStoredNoise) {
  EXPECT_LT(relative_error(g()->synthesize(npy("w")), npy("image")), 1e-4);
}

TEST_P(StyleGAN2Reference, FeaturesAfterBlock3) {
  const at::Tensor features = g()->synthesize_features(npy("w"), 3);
  EXPECT_EQ(features.sizes(), (std::vector<int64_t>{2, 512, 32, 32}));
  EXPECT_LT(relative_error(features, npy("features")), 1e-4);
}

TEST_P(StyleGAN2Reference, SynthesisFromBlock4) {
  EXPECT_LT(relative_error(g()->synthesize_from(npy("given"), 4, npy("w")), npy("from_block4_")), 1e-4);
}

TEST_P(StyleGAN2Reference, Mapping) {
  EXPECT_LT(relative_error(g()->mapping(npy("z")), npy("mapping")), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Sizes, StyleGAN2Reference, ::testing::Values(64, 128));

// ---- Generator behaviour ---------------------------------------------------

TEST(StyleGAN2Generator, RandomNoiseIsDeterministicBySeed) {
  const sg2::Generator& g = loaded(64).generator;
  torch::NoGradGuard no_grad;
  const at::Tensor w = barbershop::read_npy(fixture("w64.npy")).slice(0, 0, 1);
  const auto random = [](uint64_t seed) { return sg2::Noise::random(sg2::seeded_generator(seed)); };

  // The whole network: a seed fixes the image, and it differs from stored noise.
  const at::Tensor image = g->synthesize(w, random(7));
  EXPECT_TRUE(at::equal(image, g->synthesize(w, random(7))));
  EXPECT_FALSE(at::allclose(image, g->synthesize(w)));

  // The rest on the cheap first blocks (noise layers 0..4).
  const auto early = [&](const at::Tensor& codes, const sg2::Noise& noise) {
    return g->synthesize_features(codes, 2, noise);
  };
  const at::Tensor a = early(w, random(7));
  EXPECT_FALSE(at::allclose(a, early(w, random(8))));
  const sg2::Noise noise = random(7);  // fresh maps on every call
  EXPECT_TRUE(at::equal(early(w, noise), a));
  EXPECT_FALSE(at::allclose(early(w, noise), a));
  // Random noise is drawn per sample; stored noise is shared by the batch.
  const at::Tensor pair = w.repeat({2, 1, 1});
  const at::Tensor r = early(pair, random(7));
  EXPECT_FALSE(at::allclose(r[0], r[1]));
  const at::Tensor s = early(pair, sg2::Noise::stored());
  EXPECT_TRUE(at::allclose(s[0], s[1]));
}

// Starting from block K+1 with the features after block K drops exactly the
// RGB skip of blocks 0..K; rebuild that skip from the layers and compare.
TEST(StyleGAN2Generator, StartFromBlockLosesOnlyTheEarlierRgb) {
  const sg2::Generator& g = loaded(64).generator;
  torch::NoGradGuard no_grad;
  const at::Tensor w = barbershop::read_npy(fixture("w64.npy")).slice(0, 0, 1);
  const int64_t last = g->num_blocks() - 1;
  const at::Tensor full = g->synthesize(w);
  std::vector<at::Tensor> features;
  for (int64_t b = 0; b < last; ++b) features.push_back(g->synthesize_features(w, b));

  for (int64_t k : {1, 3}) {
    SCOPED_TRACE("stop after block " + std::to_string(k));
    const at::Tensor partial = g->synthesize_from(features[k], k + 1, w);

    at::Tensor skip = g->to_rgb1->forward(features[0], w.select(1, 1));
    for (int64_t b = 1; b <= k; ++b)
      skip = g->to_rgbs->ptr<sg2::ToRGBImpl>(b - 1)->forward(features[b], w.select(1, 2 * b + 1), skip);
    for (int64_t b = k + 1; b <= last; ++b)
      skip = g->to_rgbs->ptr<sg2::ToRGBImpl>(b - 1)->upsample->forward(skip);

    EXPECT_GT(skip.abs().max().item<double>(), 0.05 * full.abs().max().item<double>());
    EXPECT_LT(relative_error(partial + skip, full), 1e-4);

    // Codes 0..2k (all before block k+1's) do not matter once features are given.
    at::Tensor other = w.clone();
    other.slice(1, 0, 2 * k + 1).normal_();
    EXPECT_TRUE(at::equal(g->synthesize_from(features[k], k + 1, other), partial));
  }
}

TEST(StyleGAN2Generator, DifferentiableInCodesAndFeatures) {
  const sg2::Generator& g = loaded(64).generator;
  const at::Tensor w = barbershop::read_npy(fixture("w64.npy")).slice(0, 0, 1).clone().requires_grad_();
  const at::Tensor f = barbershop::read_npy(fixture("given64.npy")).slice(0, 0, 1).clone().requires_grad_();
  const auto noise = sg2::Noise::random(sg2::seeded_generator(1));
  (g->synthesize_from(f, 4, w, noise).square().mean() + g->synthesize_features(w, 3).mean()).backward();
  ASSERT_TRUE(f.grad().defined());
  ASSERT_TRUE(w.grad().defined());
  EXPECT_GT(f.grad().abs().max().item<double>(), 0);
  for (int64_t i = 0; i < g->n_latent(); ++i) {
    // Blocks 0..3 use codes 0..7 (7 = block 3's ToRGB, not in F); block 4 uses 7..9.
    EXPECT_GT(w.grad().select(1, i).abs().max().item<double>(), 0) << "code " << i;
  }
}

TEST(StyleGAN2Generator, RejectsWrongShapes) {
  const sg2::Generator& g = loaded(64).generator;
  const at::Tensor w = at::zeros({1, 10, 512});
  EXPECT_NE(error_of([&] { g->synthesize(at::zeros({1, 18, 512})); }).find("[1, 18, 512]"), std::string::npos);
  EXPECT_NE(error_of([&] { g->synthesize_from(at::zeros({1, 512, 16, 16}), 4, w); }).find("[1, 512, 32, 32]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { g->synthesize_from(at::zeros({1, 512, 4, 4}), 0, w); }).find("not 0"), std::string::npos);
  EXPECT_NE(error_of([&] { g->synthesize_features(w, 5); }).find("blocks 0..4"), std::string::npos);
  EXPECT_THROW(sg2::Generator(sg2::GeneratorConfig{96, 2}), barbershop::Error);
}

TEST(StyleGAN2Generator, MatchesOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::NoGradGuard no_grad;
  sg2::Generator g = sg2::load_generator(fixture("G64.pt")).generator;
  const at::Tensor w = barbershop::read_npy(fixture("w64.npy"));
  const at::Tensor cpu_random = g->synthesize(w, sg2::Noise::random(sg2::seeded_generator(3)));
  g->to(torch::kCUDA);
  const at::Tensor wc = w.to(torch::kCUDA);
  EXPECT_LT(relative_error(g->synthesize(wc), barbershop::read_npy(fixture("image64.npy"))), 1e-3);
  EXPECT_LT(relative_error(g->synthesize(wc, sg2::Noise::random(sg2::seeded_generator(3))), cpu_random), 1e-3);
  const at::Tensor given = barbershop::read_npy(fixture("given64.npy")).to(torch::kCUDA);
  EXPECT_LT(relative_error(g->synthesize_from(given, 4, wc), barbershop::read_npy(fixture("from_block4_64.npy"))),
            1e-3);
}

// ---- Checkpoint errors -----------------------------------------------------

TEST(StyleGAN2Checkpoint, WrongShapeNamesKeyAndShapes) {
  const std::string message = error_of([] { sg2::load_generator(fixture("G64_bad_shape.pt")); });
  EXPECT_NE(message.find("G64_bad_shape.pt"), std::string::npos) << message;
  EXPECT_NE(message.find("convs.2.conv.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("[1, 512, 511, 3, 3]"), std::string::npos) << message;
  EXPECT_NE(message.find("[1, 512, 512, 3, 3]"), std::string::npos) << message;
}

TEST(StyleGAN2Checkpoint, MissingEntriesNameFileAndKey) {
  for (auto [file, key] : std::vector<std::pair<std::string, std::string>>{
           {"G64_no_latent_avg.pt", "latent_avg"}, {"G64_no_g_ema.pt", "g_ema"}}) {
    const std::string message = error_of([&] { sg2::load_generator(fixture(file)); });
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_NE(message.find("'" + key + "'"), std::string::npos) << message;
  }
  const std::string message = error_of([] { sg2::load_generator(fixture("G64.pt"), "g"); });
  EXPECT_NE(message.find("'g'"), std::string::npos) << message;
}

// ---- barbershop generate ---------------------------------------------------

namespace {

struct CliResult {
  int status;
  std::string err;
};

CliResult generate(const std::string& arguments) {
  const std::string err_file = scratch("stderr.txt");
  const std::string command = std::string(BARBERSHOP_CLI) + " generate " + arguments + " 2> " + err_file;
  const int status = std::system(command.c_str());
  std::ifstream in(err_file);
  std::stringstream err;
  err << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, err.str()};
}

}  // namespace

TEST(StyleGAN2Cli, WritesTheReferenceImage) {
  const std::string latent = scratch("w.npy"), out = scratch("image.npy");
  barbershop::write_npy(latent, barbershop::read_npy(fixture("w64.npy"))[1].contiguous());
  const CliResult run = generate("--checkpoint " + fixture("G64.pt") + " --latent " + latent + " --out " + out +
                           " --device cpu");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_LT(relative_error(barbershop::read_npy(out), barbershop::read_npy(fixture("image64.npy"))[1]), 1e-4);
}

TEST(StyleGAN2Cli, OneCodeIsRepeatedAndRandomNoiseFollowsTheSeed) {
  const std::string latent = scratch("w.npy"), out = scratch("image.npy");
  const at::Tensor w = barbershop::read_npy(fixture("w64.npy"))[0][3].contiguous();
  barbershop::write_npy(latent, w);
  const std::string common = "--checkpoint " + fixture("G64.pt") + " --latent " + latent + " --out " + out +
                             " --device cpu --seed 5";
  ASSERT_EQ(generate(common).status, 0);
  const at::Tensor expected =
      loaded(64).generator->synthesize(w.expand({1, 10, 512}), sg2::Noise::random(sg2::seeded_generator(5)))[0];
  EXPECT_LT(relative_error(barbershop::read_npy(out), expected), 1e-4);
}

TEST(StyleGAN2Cli, StopsAfterAndStartsFromBlocks) {
  const std::string latent = scratch("w.npy"), out = scratch("out.npy"), given = scratch("given.npy");
  barbershop::write_npy(latent, barbershop::read_npy(fixture("w64.npy")).slice(0, 0, 1).contiguous());
  barbershop::write_npy(given, barbershop::read_npy(fixture("given64.npy"))[0].contiguous());
  const std::string common = "--checkpoint " + fixture("G64.pt") + " --latent " + latent + " --out " + out +
                             " --device cpu ";

  ASSERT_EQ(generate(common + "--stop-after-block 3").status, 0);
  EXPECT_LT(relative_error(barbershop::read_npy(out), barbershop::read_npy(fixture("features64.npy"))[0]), 1e-4);

  ASSERT_EQ(generate(common + "--start-from-block 4 --features " + given).status, 0);
  EXPECT_LT(relative_error(barbershop::read_npy(out), barbershop::read_npy(fixture("from_block4_64.npy"))[0]),
            1e-4);
}

TEST(StyleGAN2Cli, BadLatentShapeExitsTwoWithOneLineAndNoOutput) {
  const std::string latent = scratch("w.npy"), out = scratch("image.npy");
  barbershop::write_npy(latent, at::zeros({7, 512}));
  fs::remove(out);
  const CliResult run = generate("--checkpoint " + fixture("G64.pt") + " --latent " + latent + " --out " + out);
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_NE(run.err.find(latent), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("[7, 512]"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("[10, 512]"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(StyleGAN2Cli, HelpDescribesTheOptions) {
  const std::string out_file = scratch("help.txt");
  const int status = std::system((std::string(BARBERSHOP_CLI) + " generate --help > " + out_file).c_str());
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(out_file);
  std::stringstream text;
  text << in.rdbuf();
  for (const char* option : {"--checkpoint", "--latent", "--out", "--seed", "--stop-after-block",
                             "--start-from-block", "--features"})
    EXPECT_NE(text.str().find(option), std::string::npos) << option;
}
