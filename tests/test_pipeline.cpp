// The Barbershop pipeline end to end on random-weight files (a 64x64
// generator), with properties that a wrong implementation would break.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "engine/io/image.h"
#include "engine/ops/lanczos.h"
#include "engine/pipeline/alignment.h"
#include "engine/pipeline/transfer.h"
#include "tests/pipeline_support.h"
#include "engine/pipeline/embedding.h"
#include "engine/pipeline/stage.h"
#include "engine/pipeline/target_mask.h"

namespace barbershop {
namespace {

const std::string& kFaces = test::kSampleFaces;
const Models& models() { return test::pipeline_models(); }

std::string scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("barbershop-test-pipeline-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TransferSettings tiny_settings(int steps = 2) {
  TransferSettings settings;
  settings.steps = StepCounts{steps, steps, steps, steps, steps, steps};
  return settings;
}

at::Tensor face(const char* name) { return read_image(kFaces + name); }

// Records which stages reported, in order of first report.
struct StageLog {
  std::vector<std::string> stages;
  Progress progress() {
    return Progress([this](const std::string& stage, int, int) {
      if (stages.empty() || stages.back() != stage) stages.push_back(stage);
    }, nullptr);
  }
  bool saw(const std::string& prefix) const {
    for (const auto& stage : stages)
      if (stage.rfind(prefix, 0) == 0) return true;
    return false;
  }
};

TEST(Settings, PresetsAndOverrides) {
  EXPECT_EQ(preset_steps(Preset::Paper), (StepCounts{1100, 250, 80, 140, 100, 400}));
  const StepCounts overridden = parse_steps("w=3,blend=7", preset_steps(Preset::Paper));
  EXPECT_EQ(overridden, (StepCounts{3, 250, 80, 140, 100, 7}));
  EXPECT_THROW(parse_steps("warp=3", StepCounts{}), Error);
  EXPECT_THROW(parse_steps("w=0", StepCounts{}), Error);
  EXPECT_THROW(parse_steps("w=two", StepCounts{}), Error);
}

TEST(Settings, EnvironmentWinsOverPresetAndFlags) {
  setenv("BARBERSHOP_STEPS", "fs=4,mask=5", 1);
  const StepCounts steps = resolve_steps(Preset::Fast, "fs=9,align1=6");
  unsetenv("BARBERSHOP_STEPS");
  StepCounts expected = preset_steps(Preset::Fast);
  expected.fs = 4, expected.mask = 5, expected.align1 = 6;
  EXPECT_EQ(steps, expected);
}

// The one meaning of a seed in every host: 0 the stored noise, 1 to the
// largest GIMP int random noise from that seed; anything else refused, not cut.
TEST(Settings, SeedZeroIsTheStoredNoiseAndOthersRandomWithinAGimpInt) {
  EXPECT_EQ(noise_of_seed(0), NoiseMode::Stored);
  EXPECT_EQ(noise_of_seed(1), NoiseMode::Random);
  EXPECT_EQ(noise_of_seed(2147483647), NoiseMode::Random);
  for (const int64_t seed : {int64_t{-1}, int64_t{2147483648}, int64_t{4294967296}}) {
    try {
      noise_of_seed(seed);
      ADD_FAILURE() << "seed " << seed << " was taken";
    } catch (const Error& error) {
      EXPECT_EQ(error.setting(), "seed");
      const std::string message = error.what();
      EXPECT_NE(message.find("0 (the generator's stored noise) or 1 to 2147483647"), std::string::npos) << message;
      EXPECT_NE(message.find("not " + std::to_string(seed)), std::string::npos) << message;
    }
  }
}

// The loss the embedding minimises, computed here from its definition.
double reconstruction_loss(const at::Tensor& codes, const at::Tensor& image) {
  torch::NoGradGuard no_grad;
  const Models& m = models();
  const at::Tensor render = m.generator->synthesize(codes);
  const at::Tensor perceptual =
      m.lpips(resize_to_loss_size(render), lanczos_resize(image, kLossSize, kLossSize)).sum();
  return (at::mse_loss(render, image) + perceptual + 0.001 * m.prior.p_norm(codes)).item<double>();
}

TEST(Embedding, LowersTheLossSteadilyOnAGeneratedImage) {
  const Models& m = models();
  at::Tensor image;
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(7);
    const at::Tensor known = m.latent_avg.view({1, 1, -1}) + 0.5 * at::randn({1, m.n_latent(), 512});
    image = m.generator->synthesize(known).clamp(-1, 1);
  }
  double previous = 1e30;
  for (int steps : {1, 3, 6}) {
    TransferSettings settings = tiny_settings();
    settings.steps.w = steps;
    settings.steps.fs = 1;
    // A random generator is far rougher than a trained one (outputs of +-9):
    // at the paper's 0.01 Adam overshoots it within a few steps. A smaller
    // step shows the descent the optimisation is built for.
    settings.learning_rate = 0.001;
    const Progress progress;
    const StageContext context{m, settings, progress, stylegan2::Noise::stored()};
    const Embedding embedding = embed(context, image)[0];
    // One step hands on the starting point (the state of the last forward).
    if (steps == 1) {
      EXPECT_TRUE(embedding.w_plus.allclose(m.latent_avg.view({1, 1, -1}).expand_as(embedding.w_plus)));
    }
    const double loss = reconstruction_loss(embedding.w_plus, image);
    std::cout << "reconstruction loss after " << steps << " W+ steps: " << loss << "\n";
    EXPECT_LT(loss, previous) << "after " << steps << " steps";
    previous = loss;
    // FS keeps the codes before S exactly.
    EXPECT_TRUE(embedding.latent.narrow(1, 0, kSIndex).equal(embedding.w_plus.narrow(1, 0, kSIndex)));
    EXPECT_EQ(embedding.F.sizes(), (c10::IntArrayRef{1, m.generator->channels(32), 32, 32}));
  }
}

// Images the generator itself made from codes near the mean.
at::Tensor generated_images(int64_t count, uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  const Models& m = models();
  const at::Tensor codes = m.latent_avg.view({1, 1, -1}) + 0.5 * at::randn({count, m.n_latent(), 512});
  return m.generator->synthesize(codes).clamp(-1, 1);
}

// Adam turns the rounding differences of a batched convolution into whole
// steps of +-lr wherever a gradient is near zero, so a few elements differ by
// up to steps * lr; the mean difference stays near 1e-5 (measured: at most
// 9e-6), while a batch-averaged loss moves F by ~2e-4 on average.
void expect_same_embedding(const Embedding& batched, const Embedding& alone, const std::string& what) {
  auto mean_difference = [](const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().mean().item<double>(); };
  EXPECT_LT(mean_difference(batched.w_plus, alone.w_plus), 5e-5) << what << ": W+";
  EXPECT_LT(mean_difference(batched.latent, alone.latent), 5e-5) << what << ": S";
  EXPECT_LT(mean_difference(batched.F, alone.F), 5e-5) << what << ": F";
}

// The batch loss is the sum of the images' own losses and Adam acts element
// by element, so embedding images together must give each the result it gets
// alone (a batch-averaged loss would reweigh its terms and fail this).
TEST(Embedding, ImagesEmbeddedTogetherGetTheResultsTheyGetAlone) {
  const at::Tensor images = generated_images(2, 11);
  TransferSettings settings = tiny_settings();
  settings.steps.w = 3;
  settings.steps.fs = 3;
  settings.learning_rate = 0.001;
  int reported_w_steps = 0;
  const Progress progress([&](const std::string& stage, int, int) { reported_w_steps += stage == "embedding W+"; },
                          nullptr);
  const StageContext context{models(), settings, progress, stylegan2::Noise::stored()};
  const std::vector<Embedding> together = embed(context, images);
  EXPECT_EQ(reported_w_steps, settings.steps.w) << "one batch reports each step once";
  ASSERT_EQ(together.size(), 2u);
  for (int64_t i = 0; i < 2; ++i) {
    const Embedding alone = embed(context, images.narrow(0, i, 1))[0];
    EXPECT_FALSE(alone.w_plus.allclose(models().latent_avg.view({1, 1, -1}).expand_as(alone.w_plus)));
    expect_same_embedding(together[i], alone, "image " + std::to_string(i));
  }
}

TEST(Transfer, RunsWholeMethodKeepsUInRangeAndCachesEmbeddings) {
  const std::string cache = scratch_dir("cache");
  TransferSettings settings = tiny_settings(1);
  // With one step every stage hands on its starting point, so S would be
  // latent_avg for every image and u would have nothing to move towards.
  settings.steps.fs = 2;
  settings.steps.blend = 2;
  settings.cache_dir = cache;
  settings.embedding_batch = 3;  // the three images as one batch, stored in the cache one by one
  const TransferTensors images{face("16.png"), face("15.png"), face("117.png")};

  StageLog first;
  const TransferOutput result = transfer(models(), images, settings, first.progress());
  const int64_t size = models().size();
  EXPECT_EQ(result.image.sizes(), (c10::IntArrayRef{3, size, size}));
  EXPECT_TRUE(result.image.isfinite().all().item<bool>());
  const at::Tensor u = result.intermediates.at("blend_u");
  EXPECT_EQ(u.sizes(), (c10::IntArrayRef{models().n_latent(), 512}));
  EXPECT_GE(u.min().item<float>(), 0.0f);
  EXPECT_LE(u.max().item<float>(), 1.0f);
  EXPECT_GT(u.max().item<float>(), 0.0f) << "blending never moved u";
  for (const char* stage : {"embedding W+", "embedding FS", "target mask", "alignment", "blending"})
    EXPECT_TRUE(first.saw(stage)) << stage;
  for (const char* name : {"wplus_identity", "wplus_structure", "wplus_appearance", "F_identity", "S_appearance",
                           "target_labels", "fmix", "blend_u", "result"})
    EXPECT_TRUE(result.intermediates.count(name)) << name;
  EXPECT_EQ(result.intermediates.at("target_labels").sizes(), (c10::IntArrayRef{512, 512}));

  StageLog second;
  const TransferOutput again = transfer(models(), images, settings, second.progress());
  EXPECT_FALSE(second.saw("embedding")) << "the cached embeddings were not used";
  EXPECT_TRUE(again.image.equal(result.image));
}

TEST(Transfer, CorruptCacheEntryIsIgnoredAndRewritten) {
  const std::string cache = scratch_dir("corrupt");
  TransferSettings settings = tiny_settings(1);
  settings.cache_dir = cache;
  const at::Tensor image = face("15.png");
  const TransferTensors images{image, image, image};
  StageLog first;
  const TransferOutput result = transfer(models(), images, settings, first.progress());
  for (const auto& entry : std::filesystem::directory_iterator(cache))
    if (entry.path().extension() == ".npy") std::filesystem::resize_file(entry.path(), 100);
  StageLog second;
  const TransferOutput again = transfer(models(), images, settings, second.progress());
  EXPECT_TRUE(second.saw("embedding")) << "a corrupt entry was trusted";
  EXPECT_TRUE(again.image.equal(result.image));
}

// A hair blob painted by hand, in the encoding users paint masks.
at::Tensor painted_hair(int64_t size) {
  auto y = at::arange(size).view({size, 1}).to(at::kFloat) / size;
  auto x = at::arange(size).view({1, size}).to(at::kFloat) / size;
  return ((y - 0.3).pow(2) + (x - 0.5).pow(2)).lt(0.08).to(at::kFloat);
}

TEST(Transfer, SameImageInEveryRoleKeepsTheParsersHair) {
  const at::Tensor image = face("15.png");
  const at::Tensor hair = painted_hair(image.size(1));
  const TransferTensors images{image, image, image, hair, hair, hair};
  StageLog log;
  const TransferOutput result = transfer(models(), images, tiny_settings(1), log.progress());
  const at::Tensor target_hair = result.intermediates.at("target_labels").eq(FaceParser::kHair);
  const at::Tensor expected = resize_nearest(hair, 512)[0][0].ge(0.5);
  EXPECT_GT(expected.sum().item<int64_t>(), 1000);
  EXPECT_TRUE(target_hair.equal(expected));
  // One distinct image: embedded once, aligned once.
  EXPECT_EQ(std::count(log.stages.begin(), log.stages.end(), "embedding W+"), 1);
}

// Colour only: the identity gives the hair shape. Shape only: the identity
// gives the hair colour. Both are ordinary transfers with one repeated role.
TEST(Transfer, ColourOnlyAndShapeOnlyBothWork) {
  const at::Tensor identity = face("16.png"), other = face("117.png");
  TransferSettings settings = tiny_settings(1);
  settings.steps.fs = 2;
  for (const TransferTensors& images : {TransferTensors{identity, identity, other},
                                       TransferTensors{identity, other, identity}}) {
    StageLog log;
    const TransferOutput result = transfer(models(), images, settings, log.progress());
    EXPECT_TRUE(result.image.isfinite().all().item<bool>());
    EXPECT_EQ(result.image.size(1), models().size());
    EXPECT_EQ(std::count(log.stages.begin(), log.stages.end(), "embedding W+"), 2) << "two distinct images";
  }
}

// Random noise (fresh maps at every generator call) is reproducible from its
// seed; it also runs the fidelity target mode.
TEST(Transfer, RandomNoiseIsReproducibleFromItsSeed) {
  TransferSettings settings = tiny_settings(1);
  settings.steps.fs = 2;
  settings.noise = NoiseMode::Random;
  settings.mode = TargetMode::Fidelity;
  settings.seed = 5;
  const at::Tensor image = face("15.png");
  const TransferTensors images{image, face("16.png"), face("16.png")};
  const TransferOutput first = transfer(models(), images, settings, Progress());
  const TransferOutput second = transfer(models(), images, settings, Progress());
  EXPECT_TRUE(first.image.equal(second.image));
  // The embedding cache changes nothing: filled, then used, the same image.
  settings.cache_dir = scratch_dir("seeded-cache");
  const TransferOutput filling = transfer(models(), images, settings, Progress());
  EXPECT_TRUE(filling.image.equal(first.image)) << "embedding with a cache beside changed the result";
  StageLog cached;
  const TransferOutput from_cache = transfer(models(), images, settings, cached.progress());
  EXPECT_FALSE(cached.saw("embedding")) << "the cached embeddings were not used";
  EXPECT_TRUE(from_cache.image.equal(first.image)) << "the same seed gave another image with cached embeddings";
  settings.cache_dir.clear();
  settings.seed = 6;
  const TransferOutput other_seed = transfer(models(), images, settings, Progress());
  EXPECT_FALSE(other_seed.image.equal(first.image));
}

TEST(Transfer, CancelStopsAtTheNextStep) {
  std::atomic<bool> cancel{false};
  int steps_seen = 0;
  const Progress progress([&](const std::string&, int, int) { cancel = ++steps_seen == 3; }, &cancel);
  const TransferTensors images{face("16.png"), face("15.png"), face("117.png")};
  EXPECT_THROW(transfer(models(), images, tiny_settings(5), progress), Cancelled);
  EXPECT_EQ(steps_seen, 3);
}

TEST(Transfer, RejectsNonSquareAndTinyImages) {
  const at::Tensor good = face("15.png");
  const at::Tensor wide = at::zeros({3, 100, 150});
  const at::Tensor tiny = at::zeros({3, 16, 16});
  try {
    transfer(models(), {good, wide, good}, tiny_settings(), Progress());
    FAIL() << "a non-square image was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("150x100"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("structure"), std::string::npos) << error.what();
  }
  EXPECT_THROW(transfer(models(), {tiny, good, good}, tiny_settings(), Progress()), Error);
}

// ---- The first target mask, on label maps painted here.

struct Block {
  int64_t row0, row1, col0, col1, value;  // rows [row0, row1), columns [col0, col1)
};

// Labels [1,n,n] int64, all `fill`, with the blocks painted in order.
at::Tensor painted(int64_t n, int64_t fill, std::initializer_list<Block> blocks) {
  at::Tensor labels = at::full({1, n, n}, fill, at::kLong);
  for (const Block& b : blocks) labels.slice(1, b.row0, b.row1).slice(2, b.col0, b.col1).fill_(b.value);
  return labels;
}

// The new hair is a ring, 4 pixels wide, around a hole that is face (skin)
// in the structure image. The identity's hair covers the hole's left 4x4
// part; the rest of the hole is background in the identity. The reference
// clears the identity's hair before it builds the uncovered (OB) region, so
// the whole hole is uncovered and inpainted from the ring: all hair (1.0
// exactly, within the inpainting radius of 3). Built from the identity's
// labels as they were, the old hair would stay background, and its zeros
// would pull the fill of the rest of the hole below 1: background too.
// (Checked once against the reference's order with OpenCV's Python
// inpainting: the same labels, pixel for pixel.)
TEST(TargetMask, OldHairUnderTheNewFaceIsUncoveredAndTheHoleInpaintedAsHair) {
  constexpr int64_t kBackground = FaceParser::kBackground, kHair = FaceParser::kHair, kSkin = 1;
  const at::Tensor identity = painted(24, kBackground, {{10, 14, 10, 14, kHair}});
  const at::Tensor structure = painted(24, kBackground, {{6, 18, 6, 20, kHair}, {10, 14, 10, 16, kSkin}});
  const InitialTarget initial = initial_target(identity, structure);

  const at::Tensor expected_uncovered = painted(24, 0, {{10, 14, 10, 16, 1}}).to(at::kBool);
  const at::Tensor expected_labels = painted(24, kBackground, {{6, 18, 6, 20, kHair}});
  EXPECT_TRUE(at::equal(initial.uncovered, expected_uncovered))
      << initial.uncovered.ne(expected_uncovered).sum().item<int64_t>() << " pixels of OB differ";
  EXPECT_TRUE(at::equal(initial.labels, expected_labels))
      << initial.labels.ne(expected_labels).sum().item<int64_t>() << " labels differ";
  // The realistic mode's background target: the identity's face or hair, or the new hair.
  const at::Tensor expected_not_background = painted(24, 0, {{6, 18, 6, 20, 1}, {10, 14, 14, 16, 0}});
  EXPECT_TRUE(at::equal(initial.not_background, expected_not_background))
      << initial.not_background.ne(expected_not_background).sum().item<int64_t>() << " pixels differ";
}

// ---- F mixing of the alignment (docs/method.md, "Alignment"), with masks painted here.

// [256,256] float 0/1: the pixels whose centre lies in the disc.
at::Tensor disc_256(double cy, double cx, double radius) {
  const at::Tensor y = at::arange(256).view({256, 1}).to(at::kFloat);
  const at::Tensor x = at::arange(256).view({1, 256}).to(at::kFloat);
  return ((y - cy).pow(2) + (x - cx).pow(2)).le(radius * radius).to(at::kFloat);
}

// A 256 mask as the parser-resolution mask [1,1,512,512] it came from: each
// pixel a 2x2 block, so any nearest-neighbour resize to 256 gives it back.
at::Tensor at_512(const at::Tensor& mask_256) {
  return mask_256.repeat_interleave(2, 0).repeat_interleave(2, 1).view({1, 1, 512, 512});
}

// n dilations (or erosions) by a 3x3 cross, as a set: the pixels within
// Manhattan distance n of the mask (or whose whole Manhattan ball of radius
// n is in it), outside the image counting as not in the mask.
at::Tensor manhattan_reach(const at::Tensor& mask, int64_t n, bool erode) {
  const at::Tensor padded = at::constant_pad_nd(mask, {n, n, n, n}, 0.0);
  at::Tensor out = at::full_like(mask, erode ? 1.0 : 0.0);
  for (int64_t dy = -n; dy <= n; ++dy)
    for (int64_t dx = std::abs(dy) - n; dx <= n - std::abs(dy); ++dx) {
      const at::Tensor shifted = padded.narrow(0, n + dy, 256).narrow(1, n + dx, 256);
      out = erode ? out * shifted : at::maximum(out, shifted);
    }
  return out;
}

// PyTorch's (and the reference's) bicubic resize from 256 to 32 written out:
// output i samples at 8i + 3.5, i.e. pixels 8i+2 .. 8i+5 with the cubic
// convolution weights (a = -0.75) at distances 1.5, 0.5, 0.5, 1.5.
at::Tensor bicubic_to_32(const at::Tensor& mask_256) {
  const at::Tensor taps = at::tensor({-3.f, 19.f, 19.f, -3.f}) / 32;
  const at::Tensor kernel = at::outer(taps, taps).view({1, 1, 4, 4});
  return at::conv2d(mask_256.narrow(0, 2, 254).narrow(1, 2, 254).view({1, 1, 254, 254}), kernel, {}, {8, 8})[0][0];
}

struct MixWeights {
  at::Tensor of_identity_F;   // [32,32]: weight of F1 (the identity's FS feature map) in F_mix
  at::Tensor of_reference_F;  // [32,32]: weight of F2 (the reference's)
};

// F_mix = F_a1 + o1 (F1 - F_a1); F_mix = F_a2 + o2 (F_mix - F_a2);
// F_mix = F2 + o3 (F_mix - F2), with o1 = 1 - B(D(H1 or Ht)),
// o2 = 1 - B(E(Ht)), o3 = 1 - B(E(H2 and Ht)): F1 weighs o1 o2 o3, F2 1 - o3.
MixWeights expected_mix_weights(const at::Tensor& H1, const at::Tensor& H2, const at::Tensor& Ht, int64_t smooth) {
  const at::Tensor o1 = 1 - bicubic_to_32(manhattan_reach(at::maximum(H1, Ht), smooth, false));
  const at::Tensor o2 = 1 - bicubic_to_32(manhattan_reach(Ht, smooth, true));
  const at::Tensor o3 = 1 - bicubic_to_32(manhattan_reach(H2 * Ht, smooth, true));
  return {o1 * o2 * o3, 1 - o3};
}

Embedding random_embedding(uint64_t seed) {
  const Models& m = models();
  torch::manual_seed(seed);
  const at::Tensor w = m.latent_avg.view({1, 1, -1}) + 0.3 * at::randn({1, m.n_latent(), 512});
  return {w, w.clone(), at::randn({1, m.generator->channels(32), 32, 32})};
}

TEST(Alignment, FMixFollowsSmoothDilationsAndErosions) {
  const at::Tensor H1 = disc_256(80, 100, 40), Ht = disc_256(100, 128, 56);
  const at::Tensor H2 = at::zeros({256, 256});
  H2.narrow(0, 60, 120).narrow(1, 90, 130).fill_(1);
  const TargetMask target{(at_512(Ht)[0] * FaceParser::kHair).to(at::kLong), at_512(Ht)};
  const Embedding identity = random_embedding(1), reference = random_embedding(2);
  // F_mix is affine in F1 and F2, and the aligned maps F_a1, F_a2 do not
  // depend on them: raising F1 by one in channel 0 and F2 by one in channel
  // 1 reads their weights off the difference of two runs.
  Embedding identity_raised = identity, reference_raised = reference;
  identity_raised.F = identity.F.clone();
  identity_raised.F[0][0] += 1;
  reference_raised.F = reference.F.clone();
  reference_raised.F[0][1] += 1;

  TransferSettings settings = tiny_settings(1);
  settings.smooth = 1;
  const Progress progress;
  const StageContext context{models(), settings, progress, stylegan2::Noise::stored()};
  const at::Tensor base = align(context, {identity, at_512(H1)}, {reference, at_512(H2)}, target);
  const at::Tensor raised = align(context, {identity_raised, at_512(H1)}, {reference_raised, at_512(H2)}, target);
  const at::Tensor difference = (raised - base)[0];
  const MixWeights expected = expected_mix_weights(H1, H2, Ht, settings.smooth);
  EXPECT_TRUE(difference[0].allclose(expected.of_identity_F, 0, 1e-3));
  EXPECT_TRUE(difference[1].allclose(expected.of_reference_F, 0, 1e-3));
  // The default (5) gives a visibly different mix, so an ignored setting
  // would fail above.
  const MixWeights by_default = expected_mix_weights(H1, H2, Ht, TransferSettings().smooth);
  EXPECT_GT((by_default.of_identity_F - expected.of_identity_F).abs().max().item<float>(), 0.5);
  EXPECT_GT((by_default.of_reference_F - expected.of_reference_F).abs().max().item<float>(), 0.5);
}

TEST(Weights, MissingFilesAreNamedWithTheFolder) {
  const std::string empty = scratch_dir("no-weights");
  try {
    find_weight_files(empty);
    FAIL();
  } catch (const Error& error) {
    const std::string message = error.what();
    for (const char* name : {"ffhq.pt", "seg.pth", "vgg16-397923af.pth", "vgg.pth", empty.c_str()})
      EXPECT_NE(message.find(name), std::string::npos) << name << " not in: " << message;
  }
}

}  // namespace
}  // namespace barbershop
