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
#include "engine/pipeline/barbershop.h"
#include "engine/pipeline/embedding.h"
#include "engine/pipeline/stage.h"

namespace barbershop {
namespace {

const std::string kWeights = std::string(BARBERSHOP_FIXTURE_DIR) + "/pipeline/weights";
const std::string kFaces = std::string(BARBERSHOP_SHARED_DIR) + "/data/faces/";

// Loaded once for the whole binary: loading and the PCA prior cost seconds.
const Models& models() {
  static const Models loaded = [] {
    setenv("BARBERSHOP_PCA_SAMPLES", "2000", 1);
    return load_models(find_weight_files(kWeights), c10::kCPU, "");
  }();
  return loaded;
}

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
    const Embedding embedding = embed(context, image);
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

TEST(Transfer, RunsWholeMethodKeepsUInRangeAndCachesEmbeddings) {
  const std::string cache = scratch_dir("cache");
  TransferSettings settings = tiny_settings(1);
  // With one step every stage hands on its starting point, so S would be
  // latent_avg for every image and u would have nothing to move towards.
  settings.steps.fs = 2;
  settings.steps.blend = 2;
  settings.cache_dir = cache;
  const TransferImages images{face("16.png"), face("15.png"), face("117.png")};

  StageLog first;
  const TransferResult result = transfer(models(), images, settings, first.progress());
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
  const TransferResult again = transfer(models(), images, settings, second.progress());
  EXPECT_FALSE(second.saw("embedding")) << "the cached embeddings were not used";
  EXPECT_TRUE(again.image.equal(result.image));
}

TEST(Transfer, CorruptCacheEntryIsIgnoredAndRewritten) {
  const std::string cache = scratch_dir("corrupt");
  TransferSettings settings = tiny_settings(1);
  settings.cache_dir = cache;
  const at::Tensor image = face("15.png");
  const TransferImages images{image, image, image};
  StageLog first;
  const TransferResult result = transfer(models(), images, settings, first.progress());
  for (const auto& entry : std::filesystem::directory_iterator(cache))
    if (entry.path().extension() == ".npy") std::filesystem::resize_file(entry.path(), 100);
  StageLog second;
  const TransferResult again = transfer(models(), images, settings, second.progress());
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
  const TransferImages images{image, image, image, hair, hair, hair};
  StageLog log;
  const TransferResult result = transfer(models(), images, tiny_settings(1), log.progress());
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
  for (const TransferImages& images : {TransferImages{identity, identity, other},
                                       TransferImages{identity, other, identity}}) {
    StageLog log;
    const TransferResult result = transfer(models(), images, settings, log.progress());
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
  const TransferImages images{image, face("16.png"), face("16.png")};
  const TransferResult first = transfer(models(), images, settings, Progress());
  const TransferResult second = transfer(models(), images, settings, Progress());
  EXPECT_TRUE(first.image.equal(second.image));
  settings.seed = 6;
  const TransferResult other_seed = transfer(models(), images, settings, Progress());
  EXPECT_FALSE(other_seed.image.equal(first.image));
}

TEST(Transfer, CancelStopsAtTheNextStep) {
  std::atomic<bool> cancel{false};
  int steps_seen = 0;
  const Progress progress([&](const std::string&, int, int) { cancel = ++steps_seen == 3; }, &cancel);
  const TransferImages images{face("16.png"), face("15.png"), face("117.png")};
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
