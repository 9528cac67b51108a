// Previews, "stop and keep" and the time limit through the front door
// (engine/barbershop.h), on the pipeline fixture's random 64-px weights with
// tiny step counts: the moments and their order, the sizes, the last preview
// equal to the result, a stop returning the latest preview, a stop before
// anything is generated refused, and results unchanged by previews.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/barbershop.h"
#include "engine/io/image.h"
#include "engine/io/image_tensor.h"
#include "engine/ops/lanczos.h"
#include "engine/photo/face_landmarks.h"
#include "engine/pipeline/images.h"

namespace barbershop {
namespace {

const std::string kWeights = std::string(BARBERSHOP_FIXTURE_DIR) + "/pipeline/weights";
const std::string kFaces = std::string(BARBERSHOP_TEST_DATA) + "/faces/";
constexpr int64_t kCropSize = 96;  // not the generator's 64, so previews are resized as the result is

// Tiny step counts, as the other whole-method tests run, set before any
// Engine resolves them: two FS steps, so the identity's and the
// appearance's S codes differ and blending has somewhere to go.
class TinyRuns : public ::testing::Environment {
 public:
  void SetUp() override {
    setenv("BARBERSHOP_STEPS", "w=1,fs=2,mask=1,align1=1,align2=1,blend=4", 1);
    setenv("BARBERSHOP_PCA_SAMPLES", "2000", 1);
  }
};
const auto* const kTinyRuns = ::testing::AddGlobalTestEnvironment(new TinyRuns);

TransferOptions crop_options() {
  TransferOptions options;
  options.weights_dir = kWeights;
  options.device = "cpu";
  options.use_cache = false;
  options.align = AlignMode::Off;
  return options;
}

// One intra-op thread: CTest runs two tests at once on two cores (the
// Engine takes all cores when it opens).
Engine open(const TransferOptions& options) {
  Engine engine(options);
  at::set_num_threads(1);
  return engine;
}

// Loaded once per process: the networks and the PCA prior cost seconds.
const Engine& crop_engine() {
  static const Engine engine = [] {
    Engine opened = open(crop_options());
    opened.load();
    return opened;
  }();
  return engine;
}

at::Tensor crop(const char* name) {
  return lanczos_resize(read_image(kFaces + name).unsqueeze(0), kCropSize, kCropSize)[0];
}

// The door's images: [C,H,W] as sizes, and equal bit for bit.
std::vector<int64_t> shape(const ImageBuffer& image) { return {image.channels, image.height, image.width}; }
bool same(const ImageBuffer& a, const ImageBuffer& b) { return shape(a) == shape(b) && a.values == b.values; }

// The fraction of pixels where any channel of `a` differs from `b`'s.
double changed_fraction(const ImageBuffer& a, const ImageBuffer& b) {
  const size_t pixels = a.values.size() / a.channels;
  size_t changed = 0;
  for (size_t p = 0; p < pixels; ++p)
    for (int64_t c = 0; c < a.channels; ++c)
      if (a.values[p * a.channels + c] != b.values[p * a.channels + c]) {
        ++changed;
        break;
      }
  return static_cast<double>(changed) / pixels;
}

const std::map<std::string, at::Tensor>& intermediates_of(const TransferResult& result) {
  return result.intermediates->tensors;
}

// The target's hair given as a mask (a band over the head), so the layout's
// tinted region is known.
at::Tensor target_hair() {
  at::Tensor mask = at::zeros({kCropSize, kCropSize});
  mask.slice(0, 6, 30).slice(1, 18, 78).fill_(1);
  return mask;
}

TransferImages crops() {
  TransferImages images{image_of_tensor(crop("16.png")), image_of_tensor(crop("15.png")),
                        image_of_tensor(crop("117.png"))};
  images.target_hair = mask_of_tensor(target_hair());
  return images;
}

// Keeps every preview; `on_preview` may set flags.
struct Recorder {
  std::vector<Preview> previews;
  std::function<void(const Preview&)> on_preview;
  std::function<void(const std::string&)> on_step;

  Progress progress(double interval = 0, const std::atomic<bool>* stop = nullptr) {
    Progress progress([this](const std::string& stage, int, int) { if (on_step) on_step(stage); }, nullptr);
    progress.show_previews(
        [this](const Preview& preview) {
          previews.push_back(preview);
          if (on_preview) on_preview(preview);
        },
        interval);
    progress.stop_and_keep(stop);
    return progress;
  }
  std::vector<std::string> moments() const {
    std::vector<std::string> names;
    for (const Preview& preview : previews) names.push_back(moment_name(preview.moment));
    return names;
  }
};

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

TEST(Previews, ComeAtTheNamedMomentsInOrderAtTheResultsSizeTheLastEqualToTheResult) {
  Recorder recorder;
  const TransferImages images = crops();
  const TransferResult result = crop_engine().transfer(images, recorder.progress());
  EXPECT_FALSE(result.stopped);
  // Colour after each update but the last two: the state after update 3
  // is the result, and update 4 changes nothing the result shows.
  EXPECT_EQ(recorder.moments(), (std::vector<std::string>{"layout", "shape", "colour", "colour", "final"}));
  ASSERT_EQ(recorder.previews.size(), 5u);
  for (const Preview& preview : recorder.previews)
    EXPECT_EQ(shape(preview.image), shape(result.image)) << moment_name(preview.moment);
  EXPECT_EQ(shape(result.image), (std::vector<int64_t>{3, kCropSize, kCropSize}));
  EXPECT_TRUE(same(recorder.previews.back().image, result.image));

  EXPECT_TRUE(starts_with(recorder.previews[0].at.stage, "target mask")) << recorder.previews[0].at.text();
  EXPECT_EQ(recorder.previews[1].at.text(), "alignment (2/2), step 1 of 1");
  EXPECT_EQ(recorder.previews[2].at.text(), "blending, step 1 of 4");
  EXPECT_EQ(recorder.previews[3].at.text(), "blending, step 2 of 4");
  EXPECT_EQ(recorder.previews[4].at.text(), "blending, step 4 of 4");

  // The layout is the identity image (as the engine takes it, at the
  // generator's size and back, as the result) with the target hair (here
  // the user's) tinted half-way to magenta.
  const at::Tensor identity = lanczos_resize(tensor_of_image(images.identity).unsqueeze(0), 64, 64)[0];
  const at::Tensor tint = at::tensor({0.9f, -0.6f, 0.8f}).view({3, 1, 1});
  // Nearest neighbour 96 -> 512 -> 64 takes row and column floor(1.5 k).
  const at::Tensor nearest = (at::arange(64, at::kLong) * 3).div(2, "floor");
  const at::Tensor hair = tensor_of_mask(images.target_hair).index_select(0, nearest).index_select(1, nearest);
  const at::Tensor expected =
      lanczos_resize((identity + 0.5 * hair * (tint - identity)).unsqueeze(0), kCropSize, kCropSize)[0];
  EXPECT_LT((tensor_of_image(recorder.previews[0].image) - expected).abs().max().item<float>(), 1e-4f);
  // Each generated composite is new.
  EXPECT_FALSE(same(recorder.previews[1].image, recorder.previews[2].image));
  EXPECT_FALSE(same(recorder.previews[2].image, recorder.previews[3].image));
}

TEST(Previews, LeaveTheResultBitForBitAsWithout) {
  const TransferImages images = crops();
  // Timed, for the cost of previews (printed, not judged: the machine is shared).
  auto timed = [&](const Progress& progress, double& seconds) {
    const auto start = std::chrono::steady_clock::now();
    TransferResult result = crop_engine().transfer(images, progress);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  };
  double seconds_without = 0, seconds_every = 0, seconds_seldom = 0;
  const TransferResult without = timed(Progress(), seconds_without);
  Recorder every, seldom;
  const TransferResult with = timed(every.progress(0), seconds_every);
  const TransferResult with_seldom = timed(seldom.progress(1e9), seconds_seldom);
  std::cout << "transfer without previews " << seconds_without << " s, with every preview " << seconds_every
            << " s, with an interval of 1e9 s " << seconds_seldom << " s\n";
  EXPECT_EQ(every.previews.size(), 5u);
  // A long interval: the first preview, then none until the final one.
  EXPECT_EQ(seldom.moments(), (std::vector<std::string>{"layout", "final"}));
  for (const TransferResult* result : {&with, &with_seldom}) {
    EXPECT_TRUE(same(result->image, without.image));
    ASSERT_EQ(intermediates_of(*result).size(), intermediates_of(without).size());
    for (const auto& [name, value] : intermediates_of(without))
      EXPECT_TRUE(intermediates_of(*result).at(name).equal(value)) << name;
  }
}

TEST(StopAndKeep, DuringBlendingReturnsTheLatestColourPreview) {
  std::atomic<bool> stop{false};
  Recorder recorder;
  recorder.on_preview = [&](const Preview& preview) { stop = preview.moment == PreviewMoment::Colour; };
  const TransferResult result = crop_engine().transfer(crops(), recorder.progress(0, &stop));
  ASSERT_TRUE(result.stopped);
  EXPECT_EQ(result.stopped->text(), "blending, step 1 of 4");
  EXPECT_EQ(recorder.moments(), (std::vector<std::string>{"layout", "shape", "colour", "final"}));
  EXPECT_TRUE(same(result.image, recorder.previews[2].image)) << "not the latest colour preview";
  EXPECT_TRUE(same(result.image, recorder.previews[3].image));
  EXPECT_TRUE(intermediates_of(result).count("blend_u"));
}

TEST(StopAndKeep, AfterAlignmentReturnsTheShapePreview) {
  std::atomic<bool> stop{false};
  Recorder recorder;
  recorder.on_preview = [&](const Preview& preview) { stop = preview.moment == PreviewMoment::Shape; };
  const TransferResult result = crop_engine().transfer(crops(), recorder.progress(0, &stop));
  ASSERT_TRUE(result.stopped);
  EXPECT_EQ(result.stopped->text(), "alignment (2/2), step 1 of 1");
  EXPECT_EQ(recorder.moments(), (std::vector<std::string>{"layout", "shape", "final"}));
  EXPECT_TRUE(same(result.image, recorder.previews[1].image));
  EXPECT_FALSE(intermediates_of(result).count("blend_u")) << "blending never ran";
}

TEST(StopAndKeep, BeforeAnythingIsGeneratedIsRefusedInOneLine) {
  std::atomic<bool> stop{false};
  Recorder recorder;
  recorder.on_step = [&](const std::string& stage) { stop = stop || starts_with(stage, "embedding"); };
  try {
    crop_engine().transfer(crops(), recorder.progress(0, &stop));
    FAIL() << "a stop during the embeddings returned a result";
  } catch (const Cancelled&) {
    FAIL() << "a stop is not a cancel";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find("nothing to keep"), std::string::npos) << message;
    EXPECT_NE(message.find("embedding"), std::string::npos) << "does not say where: " << message;
  }
  // The layout (made before the embeddings) came; nothing generated did.
  EXPECT_EQ(recorder.moments(), (std::vector<std::string>{"layout"}));
}

TEST(TimeLimit, AlreadyUpStopsAtTheFirstGeneratedComposite) {
  TransferOptions options = crop_options();
  options.time_limit = 1e-9;
  const Engine engine = open(options);
  Recorder recorder;
  const TransferResult result = engine.transfer(crops(), recorder.progress());
  ASSERT_TRUE(result.stopped);
  EXPECT_EQ(result.stopped->text(), "alignment (2/2), step 1 of 1");
  EXPECT_EQ(recorder.moments(), (std::vector<std::string>{"layout", "shape", "final"}));
  EXPECT_TRUE(same(result.image, recorder.previews[1].image));
}

TEST(TimeLimit, NegativeIsRefusedNamingTheSetting) {
  TransferOptions options = crop_options();
  options.time_limit = -1;
  try {
    check_options(options);
    FAIL() << "a negative time limit was taken";
  } catch (const Error& error) {
    EXPECT_EQ(error.setting(), "time_limit");
  }
}

// An ordinary photo: previews are the whole photo, pasted back as the result is.
TEST(Previews, OfAPhotoArePastedBackIntoTheWholePhoto) {
  if (!face_detection_available()) GTEST_SKIP() << "built without dlib (BARBERSHOP_WITH_DLIB=OFF)";
  if (!std::filesystem::exists(default_landmark_model()))
    GTEST_SKIP() << "no landmark model at " << default_landmark_model();
  TransferOptions options = crop_options();
  options.align = AlignMode::Auto;
  const Engine engine = open(options);
  const ImageBuffer photo = read_image_buffer(kFaces + "unaligned-90.jpg");
  std::atomic<bool> stop{false};
  Recorder recorder;
  recorder.on_preview = [&](const Preview& preview) { stop = preview.moment == PreviewMoment::Colour; };
  // The random parser sees no hair: a painted identity mask gives the
  // paste-back a region, as a user's would.
  at::Tensor painted = at::zeros({photo.height, photo.width});
  painted.slice(0, 150, 600).slice(1, 1100, 2000).fill_(1);
  TransferImages images{photo, image_of_tensor(crop("15.png")), image_of_tensor(crop("117.png")),
                        mask_of_tensor(painted)};
  // The photo as previews hand back its untouched pixels: the engine's
  // tensor of it, back to a buffer.
  const ImageBuffer photo_back = image_of_tensor(tensor_of_image(photo));
  const TransferResult result = engine.transfer(images, recorder.progress(0, &stop));
  EXPECT_EQ(recorder.moments(), (std::vector<std::string>{"layout", "shape", "colour", "final"}));
  for (const Preview& preview : recorder.previews) {
    ASSERT_EQ(shape(preview.image), shape(photo)) << moment_name(preview.moment);
    // Pasted in: the face's part of the photo changes, the rest keeps its bits.
    const double changed = changed_fraction(preview.image, photo_back);
    EXPECT_GT(changed, 0.0) << moment_name(preview.moment);
    EXPECT_LT(changed, 0.5) << moment_name(preview.moment);
  }
  ASSERT_TRUE(result.stopped);
  EXPECT_TRUE(same(result.image, recorder.previews[2].image));
  EXPECT_TRUE(same(result.image, recorder.previews[3].image));
}

}  // namespace
}  // namespace barbershop
