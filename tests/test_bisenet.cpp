// The face parser against an independent PyTorch implementation
// (fixtures/bisenet_reference.py) with random weights in seg.pth's layout,
// its parts against their formulas, and `barbershop segment`.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/checkpoint/checkpoint.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/networks/bisenet.h"

#ifdef BARBERSHOP_WITH_OPENCV
#include <opencv2/imgcodecs.hpp>
#endif

namespace barbershop {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return std::string(BARBERSHOP_FIXTURE_DIR) + "/bisenet/" + name;
}

// Shapes equal and the largest difference within `tolerance` times the
// reference's largest magnitude.
void expect_close(const at::Tensor& got, const at::Tensor& want, double tolerance) {
  ASSERT_EQ(got.sizes(), want.sizes());
  const double error = (got.to(at::kDouble) - want.to(at::kDouble)).abs().max().item<double>();
  const double scale = want.abs().max().item<double>();
  EXPECT_LE(error, tolerance * scale) << "largest difference " << error << ", scale " << scale;
}

// Logits here are O(1-4); float32 C++ and Python differ only in summation order.
constexpr double kLogitTolerance = 2e-5;

const FaceParser& fixture_parser() {
  static const FaceParser parser = FaceParser::load(fixture("seg.pth"));
  return parser;
}

// Random weights and running statistics in a range that keeps activations sane.
void randomise(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    at::Tensor& t = item.value();
    if (t.dim() == 4)
      t.normal_(0, 1.0 / std::sqrt(static_cast<double>(t[0].numel())));
    else
      t.uniform_(0.5, 1.5);
  }
  for (auto& item : module.named_buffers()) {
    if (item.key().find("running_mean") != std::string::npos) item.value().normal_(0, 0.2);
    if (item.key().find("running_var") != std::string::npos) item.value().uniform_(0.5, 2.0);
  }
}

// BatchNorm in eval mode, written out: (x - mean) / sqrt(var + eps) * gamma + beta.
at::Tensor batch_norm_formula(const at::Tensor& x, const torch::nn::BatchNorm2dImpl& bn) {
  auto per_channel = [](const at::Tensor& v) { return v.view({1, -1, 1, 1}); };
  return (x - per_channel(bn.running_mean)) / torch::sqrt(per_channel(bn.running_var) + 1e-5) *
             per_channel(bn.weight) +
         per_channel(bn.bias);
}

// Bias-free convolution with "same" padding.
at::Tensor conv_formula(const at::Tensor& x, const torch::nn::Conv2dImpl& conv, int64_t stride = 1) {
  const int64_t pad = conv.weight.size(2) / 2;
  return at::conv2d(x, conv.weight, {}, {stride, stride}, {pad, pad});
}

at::Tensor conv_bn_relu_formula(const at::Tensor& x, const ConvBNReLUImpl& unit) {
  return torch::relu(batch_norm_formula(conv_formula(x, *unit.conv), *unit.bn));
}

// ---- Layout -----------------------------------------------------------------

TEST(BiSeNet, ParameterAndBufferNamesEqualSegPthKeys) {
  std::map<std::string, std::pair<std::string, std::string>> expected;  // key -> dtype, shape
  std::ifstream keys(fixture("keys.txt"));
  ASSERT_TRUE(keys) << fixture("keys.txt");
  for (std::string line; std::getline(keys, line);) {
    std::istringstream words(line);
    std::string name, dtype, shape;
    words >> name >> dtype >> shape;
    expected[name] = {dtype, shape};
  }
  ASSERT_EQ(expected.size(), 191u);

  auto describe = [](const at::Tensor& t) {
    std::string shape;
    for (int64_t d : t.sizes()) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    return std::make_pair(std::string(t.scalar_type() == at::kLong ? "int64" : "float32"), shape);
  };
  std::map<std::string, std::pair<std::string, std::string>> actual;
  BiSeNet network(16);
  for (const auto& item : network->named_parameters()) actual[item.key()] = describe(item.value());
  for (const auto& item : network->named_buffers()) actual[item.key()] = describe(item.value());
  EXPECT_EQ(actual, expected);
}

// ---- Parts against their formulas ------------------------------------------

TEST(BiSeNet, ConvBNReLUInEvalModeUsesRunningStatistics) {
  torch::manual_seed(1);
  ConvBNReLU unit(5, 7, 3);
  randomise(*unit);
  unit->eval();
  const at::Tensor x = torch::randn({2, 5, 9, 11});
  expect_close(unit(x), conv_bn_relu_formula(x, *unit), 1e-6);
}

TEST(BiSeNet, BasicBlockWithProjectionShortcutMatchesFormula) {
  torch::manual_seed(2);
  BasicBlock block(4, 8, 2);
  randomise(*block);
  block->eval();
  ASSERT_TRUE(block->downsample);
  const at::Tensor x = torch::randn({1, 4, 10, 12});
  const auto* shortcut_conv = block->downsample[0]->as<torch::nn::Conv2dImpl>();
  const auto* shortcut_bn = block->downsample[1]->as<torch::nn::BatchNorm2dImpl>();
  ASSERT_NE(shortcut_conv, nullptr);
  ASSERT_NE(shortcut_bn, nullptr);
  const at::Tensor shortcut = batch_norm_formula(conv_formula(x, *shortcut_conv, 2), *shortcut_bn);
  const at::Tensor hidden = torch::relu(batch_norm_formula(conv_formula(x, *block->conv1, 2), *block->bn1));
  const at::Tensor residual = batch_norm_formula(conv_formula(hidden, *block->conv2), *block->bn2);
  expect_close(block(x), torch::relu(shortcut + residual), 1e-6);
}

TEST(BiSeNet, BasicBlockKeepingTheShapeHasIdentityShortcut) {
  BasicBlock block(8, 8, 1);
  EXPECT_FALSE(block->downsample);
}

TEST(BiSeNet, AttentionRefinementMatchesFormula) {
  torch::manual_seed(3);
  AttentionRefinement arm(6, 4);
  randomise(*arm);
  arm->eval();
  const at::Tensor x = torch::randn({2, 6, 8, 5});
  const at::Tensor feat = conv_bn_relu_formula(x, *arm->conv);
  const at::Tensor pooled = feat.mean({2, 3}, true);
  const at::Tensor gate =
      torch::sigmoid(batch_norm_formula(conv_formula(pooled, *arm->conv_atten), *arm->bn_atten));
  expect_close(arm(x), feat * gate, 1e-6);
}

TEST(BiSeNet, FeatureFusionMatchesFormula) {
  torch::manual_seed(4);
  FeatureFusion ffm(12, 8);
  randomise(*ffm);
  ffm->eval();
  const at::Tensor spatial = torch::randn({2, 5, 6, 7}), context = torch::randn({2, 7, 6, 7});
  const at::Tensor feat = conv_bn_relu_formula(torch::cat({spatial, context}, 1), *ffm->convblk);
  const at::Tensor pooled = feat.mean({2, 3}, true);
  const at::Tensor gate =
      torch::sigmoid(conv_formula(torch::relu(conv_formula(pooled, *ffm->conv1)), *ffm->conv2));
  expect_close(ffm(spatial, context), feat * (1 + gate), 1e-6);
}

TEST(BiSeNet, OutputsAreAtTheInputSizeAndMainEqualsForward) {
  torch::manual_seed(5);
  BiSeNet network(16);
  randomise(*network);
  network->eval();
  torch::NoGradGuard no_grad;
  const at::Tensor x = torch::randn({1, 3, 96, 64});
  const auto outputs = network->forward_all(x);
  for (const auto& out : outputs) EXPECT_EQ(out.sizes(), (at::IntArrayRef{1, 16, 96, 64}));
  EXPECT_TRUE(network(x).equal(outputs[0]));
}

TEST(FaceParser, WrappingPutsTheNetworkInEvalModeAndFreezesIt) {
  BiSeNet network(16);
  const FaceParser parser(network);
  EXPECT_FALSE(network->is_training());
  for (const auto& parameter : network->parameters()) EXPECT_FALSE(parameter.requires_grad());
}

// ---- Against the reference implementation -----------------------------------

TEST(FaceParser, LoadsSegPthIncludingItsInt64BatchCounters) {
  const StateDict state = Checkpoint::load(fixture("seg.pth")).state_dict();
  const BiSeNet network = fixture_parser().network();
  for (const auto& item : network->named_buffers()) {
    SCOPED_TRACE(item.key());
    EXPECT_TRUE(item.value().equal(state.at(item.key()).to(item.value().scalar_type())));
  }
  const at::Tensor counter = network->named_buffers()["cp.resnet.bn1.num_batches_tracked"];
  EXPECT_EQ(counter.scalar_type(), at::kLong);
  EXPECT_GT(counter.item<int64_t>(), 0);  // the fixture stores a random count, not 0
}

TEST(FaceParser, NetworkMatchesReferenceOnAllThreeHeads) {
  torch::NoGradGuard no_grad;
  const auto outputs = fixture_parser().network()->forward_all(read_npy(fixture("net_in.npy")));
  expect_close(outputs[0], read_npy(fixture("net_out.npy")), kLogitTolerance);
  expect_close(outputs[1], read_npy(fixture("net_out16.npy")), kLogitTolerance);
  expect_close(outputs[2], read_npy(fixture("net_out32.npy")), kLogitTolerance);
}

TEST(FaceParser, LogitsMatchReferenceForEveryInputSize) {
  torch::NoGradGuard no_grad;
  for (const char* size : {"1024", "512", "256"}) {
    SCOPED_TRACE(size);
    const at::Tensor image = read_npy(fixture(std::string("synth") + size + ".npy")).unsqueeze(0);
    const at::Tensor logits = fixture_parser().logits(image);
    EXPECT_EQ(logits.sizes(), (at::IntArrayRef{1, 16, 512, 512}));
    expect_close(logits[0], read_npy(fixture(std::string("logits_synth") + size + "_render.npy")),
                 kLogitTolerance);
  }
}

TEST(FaceParser, PhotoSourceClampsTheResizedImage) {
  torch::NoGradGuard no_grad;
  const at::Tensor image = read_npy(fixture("synth1024.npy")).unsqueeze(0);
  const at::Tensor photo = fixture_parser().logits(image, FaceParser::Source::Photo)[0];
  expect_close(photo, read_npy(fixture("logits_synth1024_photo.npy")), kLogitTolerance);
  // The fixture image overshoots [0,1] after resizing, so the two modes differ.
  EXPECT_FALSE(photo.equal(fixture_parser().logits(image)[0]));
}

TEST(FaceParser, RealFaceMatchesReference) {
  const std::string face = std::string(BARBERSHOP_TEST_DATA) + "/faces/15.png";
  if (!fs::exists(fixture("logits_face15_photo.npy")) || !fs::exists(face))
    GTEST_SKIP() << "no face image or no PIL for the reference";
#ifndef BARBERSHOP_WITH_OPENCV
  GTEST_SKIP() << "built without OpenCV: cannot read PNG";
#endif
  torch::NoGradGuard no_grad;
  const at::Tensor logits = fixture_parser().logits(read_image(face).unsqueeze(0), FaceParser::Source::Photo);
  expect_close(logits[0], read_npy(fixture("logits_face15_photo.npy")), kLogitTolerance);
}

TEST(FaceParser, CrossEntropyGradientReachesTheImageAsInReference) {
  const at::Tensor image = read_npy(fixture("synth512.npy")).unsqueeze(0).requires_grad_(true);
  const at::Tensor yy = torch::arange(512).view({512, 1}), xx = torch::arange(512).view({1, 512});
  const at::Tensor target = ((yy.div(64, "floor") * 3 + xx.div(32, "floor")) % 16).unsqueeze(0);
  const at::Tensor loss = torch::nn::functional::cross_entropy(fixture_parser().logits(image), target);
  loss.backward();
  EXPECT_NEAR(loss.item<double>(), read_npy(fixture("grad_loss.npy")).item<double>(), 1e-5);
  expect_close(image.grad()[0], read_npy(fixture("grad_synth512.npy")), 1e-4);
}

TEST(FaceParser, BatchEqualsImagesOneByOne) {
  torch::NoGradGuard no_grad;
  const at::Tensor first = read_npy(fixture("synth256.npy"));
  const at::Tensor second = first.flip({2});
  const at::Tensor batch = fixture_parser().logits(torch::stack({first, second}));
  expect_close(batch[0], fixture_parser().logits(first.unsqueeze(0))[0], 1e-5);
  expect_close(batch[1], fixture_parser().logits(second.unsqueeze(0))[0], 1e-5);
}

TEST(FaceParser, LabelsAreTheArgmaxOfTheLogits) {
  const at::Tensor image = read_npy(fixture("synth256.npy")).unsqueeze(0);
  const at::Tensor labels = fixture_parser().labels(image);
  EXPECT_EQ(labels.sizes(), (at::IntArrayRef{1, 512, 512}));
  EXPECT_EQ(labels.scalar_type(), at::kLong);
  EXPECT_FALSE(labels.requires_grad());
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(labels.equal(fixture_parser().logits(image).argmax(1)));
  EXPECT_GE(labels.min().item<int64_t>(), 0);
  EXPECT_LT(labels.max().item<int64_t>(), 16);
}

TEST(FaceParser, RejectsImagesItCannotResizeTo512) {
  const std::vector<std::vector<int64_t>> bad = {
      {1, 3, 768, 768}, {1, 3, 300, 300}, {1, 3, 512, 1024}, {3, 512, 512}, {1, 4, 512, 512}};
  for (const auto& shape : bad) {
    SCOPED_TRACE(shape_string(shape));
    try {
      fixture_parser().logits(torch::zeros(shape));
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("face parser"), std::string::npos) << error.what();
    }
  }
}

TEST(FaceParser, NineteenClassParserIsRefusedByName) {
  const std::string path = fixture("seg19.pth");
  try {
    FaceParser::load(path);
    FAIL() << "a 19-class parser was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path + ": conv_out.conv_out.weight has 19 classes (shape [19, 256, 1, 1]), expected 16 "
                     "(shape [16, 256, 1, 1]); use Barbershop's seg.pth");
  }
}

// ---- barbershop segment --------------------------------------------------------

struct CliResult {
  int status = -1;
  std::string err;
};

// Each test runs in its own process (gtest_discover_tests), so a directory
// named by the process id is private even under `ctest -j`.
class SegmentCommand : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  CliResult run_cli(const std::string& arguments) const {
    const std::string err_path = path("stderr.txt");
    const std::string command =
        std::string("'") + BARBERSHOP_CLI + "' " + arguments + " >/dev/null 2>'" + err_path + "'";
    const int raw = std::system(command.c_str());
    CliResult result;
    if (raw != -1 && WIFEXITED(raw)) result.status = WEXITSTATUS(raw);
    std::ifstream err(err_path);
    result.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    return result;
  }

 private:
  fs::path dir_ = fs::temp_directory_path() / ("barbershop-test-bisenet-" + std::to_string(getpid()));
};

TEST_F(SegmentCommand, HelpDescribesTheOptions) {
  EXPECT_EQ(run_cli("segment --help").status, 0);
}

TEST_F(SegmentCommand, WritesLabelsAndLogitsMatchingReference) {
  const std::string labels_path = path("labels.png"), logits_path = path("logits.npy");
  const CliResult result = run_cli("segment --parser '" + fixture("seg.pth") + "' --image '" +
                                   fixture("synth1024.npy") + "' --labels '" + labels_path +
                                   "' --logits '" + logits_path + "' --device cpu");
  ASSERT_EQ(result.status, 0) << result.err;

  // A .npy is a generator's output: the reference's preprocessing for those,
  // without the clamp it applies to photos read from disk.
  const at::Tensor want = read_npy(fixture("logits_synth1024_render.npy"));
  const at::Tensor logits = read_npy(logits_path);
  EXPECT_EQ(logits.scalar_type(), at::kFloat);
  expect_close(logits, want, kLogitTolerance);
  const at::Tensor photo = read_npy(fixture("logits_synth1024_photo.npy"));
  EXPECT_GT((logits - photo).abs().max().item<double>(), 10 * kLogitTolerance)
      << "test set-up: the clamp makes no difference on this image";

#ifdef BARBERSHOP_WITH_OPENCV
  const cv::Mat png = cv::imread(labels_path, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(png.type(), CV_8UC1);
  ASSERT_EQ(png.rows, 512);
  ASSERT_EQ(png.cols, 512);
  const at::Tensor labels = torch::from_blob(png.data, {512, 512}, torch::kUInt8).to(torch::kLong);
  EXPECT_LT(labels.max().item<int64_t>(), 16);
  // Where the labels differ from the reference's argmax, the reference must be
  // all but tied between the two classes.
  EXPECT_LE(labels.ne(want.argmax(0)).sum().item<int64_t>(), 512 * 512 / 1000);
  const at::Tensor gap = want.amax(0) - want.gather(0, labels.unsqueeze(0))[0];
  EXPECT_LE(gap.max().item<double>(), 1e-4);
#endif
}

#ifdef BARBERSHOP_WITH_OPENCV
// A PNG is a photo read from disk: the photo preprocessing, with the clamp.
TEST_F(SegmentCommand, PhotoFileUsesThePhotoPreprocessing) {
  const std::string image_path = path("synth1024.png"), labels_path = path("photo_labels.png"),
                    logits_path = path("photo_logits.npy");
  write_image(image_path, read_npy(fixture("synth1024.npy")));
  const CliResult result = run_cli("segment --parser '" + fixture("seg.pth") + "' --image '" + image_path +
                                   "' --labels '" + labels_path + "' --logits '" + logits_path + "' --device cpu");
  ASSERT_EQ(result.status, 0) << result.err;
  const FaceParser parser = FaceParser::load(fixture("seg.pth"));
  const at::Tensor image = read_image(image_path).unsqueeze(0);
  torch::NoGradGuard no_grad;
  const at::Tensor logits = read_npy(logits_path);
  expect_close(logits, parser.logits(image, FaceParser::Source::Photo)[0], kLogitTolerance);
  // 8-bit pixels overshoot [-1,1] less when resized than the float pattern
  // does, so the clamp moves these logits less than the .npy's.
  EXPECT_GT((logits - parser.logits(image, FaceParser::Source::Render)[0]).abs().max().item<double>(),
            10 * kLogitTolerance)
      << "test set-up: the clamp makes no difference on this image";
}
#endif

TEST_F(SegmentCommand, NineteenClassParserExitsTwoWithOneLineAndNoOutput) {
  const std::string labels_path = path("labels19.png");
  const CliResult result = run_cli("segment --parser '" + fixture("seg19.pth") + "' --image '" +
                                   fixture("synth512.npy") + "' --labels '" + labels_path + "'");
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("seg19.pth: conv_out.conv_out.weight has 19 classes"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("use Barbershop's seg.pth"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(labels_path));
}

TEST_F(SegmentCommand, ImageOfUnusableSizeIsNamed) {
  const std::string image_path = path("odd.npy"), labels_path = path("odd_labels.png");
  write_npy(image_path, torch::zeros({3, 300, 200}));
  const CliResult result = run_cli("segment --parser '" + fixture("seg.pth") + "' --image '" +
                                   image_path + "' --labels '" + labels_path + "'");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find(image_path + ": the face parser takes square images"), std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(labels_path));
}

}  // namespace
}  // namespace barbershop
