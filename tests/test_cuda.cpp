// The engine on CUDA against the same computation on the CPU: the 1024
// generator, the parser's logits, each loss, a whole 2-steps-per-stage
// transfer, and a CUDA out-of-memory that ends in the engine's advice.
// Every test is skipped (GTEST_SKIP, reported by CTest as skipped) where no
// CUDA device is present; CTest label `cuda`.
//
// Tolerances: float32 on two devices differs by rounding, and how far
// rounding moves an output depends on the computation. Each comparison first
// measures that on the CPU — the output's change when the input is nudged by
// a few float32 ulps (relative 1e-6) — and allows the CUDA result a fixed
// multiple of it (kUlpSlack). TF32 is switched off: it rounds the mantissa to
// 10 bits on purpose, which is a speed variant of bench/, not the baseline.
#include <ATen/ATen.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/error.h"
#include "engine/pipeline/models.h"
#include "engine/pipeline/stage.h"
#include "engine/pipeline/transfer.h"
#include "engine/weight_files.h"

namespace barbershop {
namespace {

namespace sg2 = stylegan2;

constexpr double kNudge = 1e-6;     // relative input change: about 8 float32 ulps
constexpr double kUlpSlack = 50;    // CUDA may differ from the CPU by 50x a nudge's effect
constexpr double kFloor = 1e-6;     // ... and by this much where a nudge changes nothing

#define SKIP_WITHOUT_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: this test compares CUDA with the CPU"

struct NoTf32 {
  NoTf32() {
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
  }
};

double largest_difference(const at::Tensor& a, const at::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.detach().cpu().to(at::kDouble) - b.detach().cpu().to(at::kDouble)).abs().max().item<double>();
}

at::Tensor nudged(const at::Tensor& x) { return x * (1 + kNudge); }

// `compute` on the CPU and on CUDA (each given its inputs on that device):
// CUDA must stay within kUlpSlack times what a kNudge of the inputs moves
// the CPU result.
void expect_cuda_matches_cpu(const std::vector<at::Tensor>& inputs,
                             const std::function<at::Tensor(const std::vector<at::Tensor>&, c10::Device)>& compute,
                             const std::string& what) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> cuda_inputs, nudged_inputs;
  for (const at::Tensor& x : inputs) {
    cuda_inputs.push_back(x.to(torch::kCUDA));
    nudged_inputs.push_back(x.is_floating_point() ? nudged(x) : x);
  }
  const at::Tensor cpu = compute(inputs, torch::kCPU);
  const double rounding = largest_difference(compute(nudged_inputs, torch::kCPU), cpu);
  const double apart = largest_difference(compute(cuda_inputs, torch::kCUDA), cpu);
  EXPECT_LE(apart, kUlpSlack * rounding + kFloor * cpu.abs().max().item<double>())
      << what << ": CUDA differs from the CPU by " << apart << "; a " << kNudge << " nudge moves the CPU by "
      << rounding;
}

// The `cuda` fixture's random 64 px weights (tests/cuda.cmake), loaded once
// per device. No image files: GPU machines may build without OpenCV.
const std::string kWeights = std::string(BARBERSHOP_FIXTURE_DIR) + "/cuda/weights";

const Models& loaded_on(c10::Device device) {
  setenv("BARBERSHOP_PCA_SAMPLES", "2000", 1);
  static const Models cpu = load_models(find_weight_files(kWeights), c10::kCPU, "");
  if (!device.is_cuda()) return cpu;
  static const Models cuda = load_models(find_weight_files(kWeights), c10::Device(c10::kCUDA, 0), "");
  return cuda;
}
const Models& cpu_models() { return loaded_on(c10::kCPU); }
const Models& cuda_models() { return loaded_on(c10::kCUDA); }
const Models& models_on(c10::Device device) { return loaded_on(device); }

// A face-like input: the generator's render of a random latent, [3,R,R].
at::Tensor rendered(int seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  const Models& models = cpu_models();
  const at::Tensor w = models.generator->mapping(at::randn({1, 512})).unsqueeze(1).repeat({1, models.n_latent(), 1});
  return models.generator->synthesize(w).clamp(-1, 1)[0];
}

TEST(Cuda, Generator1024MatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  NoTf32 exact;
  torch::manual_seed(0);
  sg2::Generator cpu_generator(sg2::GeneratorConfig{1024, 2});
  sg2::Generator cuda_generator(sg2::GeneratorConfig{1024, 2});
  {
    torch::NoGradGuard no_grad;
    const auto from = cpu_generator->named_parameters(), to = cuda_generator->named_parameters();
    for (const auto& item : from) to[item.key()].copy_(item.value());
    const auto from_buffers = cpu_generator->named_buffers(), to_buffers = cuda_generator->named_buffers();
    for (const auto& item : from_buffers) to_buffers[item.key()].copy_(item.value());
  }
  cuda_generator->to(torch::kCUDA);
  const at::Tensor z = at::randn({1, 512});
  expect_cuda_matches_cpu(
      {z},
      [&](const std::vector<at::Tensor>& in, c10::Device device) {
        const sg2::Generator& g = device.is_cuda() ? cuda_generator : cpu_generator;
        const at::Tensor w = g->mapping(in[0]).unsqueeze(1).repeat({1, g->n_latent(), 1});
        return g->synthesize(w);
      },
      "1024x1024 generator image");
}

TEST(Cuda, ParserLogitsMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  NoTf32 exact;
  const at::Tensor image = rendered(1).unsqueeze(0);
  expect_cuda_matches_cpu(
      {image},
      [&](const std::vector<at::Tensor>& in, c10::Device device) {
        return models_on(device).parser.logits(in[0], FaceParser::Source::Photo);
      },
      "parser logits");
}

TEST(Cuda, EveryLossMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  NoTf32 exact;
  torch::manual_seed(1);
  const int64_t size = cpu_models().size();
  const at::Tensor a = at::rand({1, 3, size, size}) * 2 - 1, b = at::rand({1, 3, size, size}) * 2 - 1;
  const at::Tensor mask = (at::rand({size, size}) > 0.5).to(at::kFloat);
  using Inputs = std::vector<at::Tensor>;
  expect_cuda_matches_cpu({a, b}, [&](const Inputs& in, c10::Device d) { return models_on(d).lpips(in[0], in[1]); },
                          "LPIPS");
  expect_cuda_matches_cpu(
      {a, b, mask}, [&](const Inputs& in, c10::Device d) { return models_on(d).lpips(in[0], in[1], in[2]); },
      "masked LPIPS");
  expect_cuda_matches_cpu(
      {a, b, mask}, [&](const Inputs& in, c10::Device d) { return models_on(d).style(in[0], in[2], in[1], in[2]); },
      "style loss");
  expect_cuda_matches_cpu({a, b}, [&](const Inputs& in, c10::Device) { return at::mse_loss(in[0], in[1]); }, "L2");
  const at::Tensor w = at::randn({1, cpu_models().n_latent(), 512});
  expect_cuda_matches_cpu({w}, [&](const Inputs& in, c10::Device d) { return models_on(d).prior.p_norm(in[0]); },
                          "P-norm");
}

TransferSettings two_steps() {
  TransferSettings settings;
  settings.steps = StepCounts{2, 2, 2, 2, 2, 2};
  settings.embedding_batch = 1;  // the CPU's order of work, so only the device differs
  return settings;
}

// A whole transfer: two steps of Adam in each stage amplify rounding, and the
// target mask is an argmax, so this bound is the nudged-input measure taken
// over the whole pipeline on the CPU.
TEST(Cuda, TwoStepsPerStageTransferMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  NoTf32 exact;
  const TransferTensors images{rendered(1), rendered(2), rendered(3)};
  auto run = [&](const TransferTensors& in, c10::Device device) {
    return transfer(models_on(device), in, two_steps(), Progress()).image;
  };
  const at::Tensor cpu = run(images, torch::kCPU);
  const at::Tensor rounding_moved =
      run({nudged(images.identity), nudged(images.structure), nudged(images.appearance)}, torch::kCPU);
  const at::Tensor cuda = run(images, torch::kCUDA);
  // The mean, not the maximum: a label that flips in the target mask moves a
  // few pixels far on either device, and does so in the nudged run too.
  const double rounding = (rounding_moved - cpu).abs().mean().item<double>();
  const double apart = (cuda - cpu).abs().mean().item<double>();
  EXPECT_LE(apart, kUlpSlack * rounding + 1e-5) << "mean |CUDA - CPU| " << apart << ", nudge " << rounding;
  EXPECT_TRUE(cuda.isfinite().all().item<bool>());
}

// The CUDA-graph variant records each stage's step once and replays it: the
// same arithmetic as the fused eager steps (fused Adam, float32), so its image
// stays within the nudged-input measure of them, and it is finite. A stage
// whose recording fails runs eagerly and says so in a progress warning
// (engine/pipeline/stage.cpp), which would give the same image: so the test
// collects the warnings and fails on any such fallback.
TEST(Cuda, CudaGraphsMatchTheEagerSteps) {
  SKIP_WITHOUT_CUDA();
  NoTf32 exact;
  const TransferTensors images{rendered(1), rendered(2), rendered(3)};
  TransferSettings eager = two_steps();
  eager.steps = StepCounts{6, 6, 6, 6, 6, 6};  // past the 3 warm-up steps, so replays run
  TransferSettings graphs = eager;
  graphs.speed.cuda_graphs = true;
  std::vector<std::string> warnings;
  const Progress collecting(nullptr, nullptr, [&](const std::string& message) { warnings.push_back(message); });
  ASSERT_TRUE(records_cuda_graphs(StageContext{cuda_models(), graphs, collecting, sg2::Noise::stored()}))
      << "the CUDA-graph loop is not taken with these settings";
  const at::Tensor fused = transfer(cuda_models(), images, eager, Progress()).image;
  const at::Tensor nudged_run = transfer(
      cuda_models(), {nudged(images.identity), nudged(images.structure), nudged(images.appearance)}, eager,
      Progress()).image;
  const at::Tensor replayed = transfer(cuda_models(), images, graphs, collecting).image;
  int fallbacks = 0;
  for (const std::string& warning : warnings) {
    const bool fell_back = warning.find("CUDA graph") != std::string::npos;
    fallbacks += fell_back;
    EXPECT_FALSE(fell_back) << warning;
  }
  EXPECT_EQ(fallbacks, 0) << "stages that ran eagerly instead of replaying a recorded graph";
  const double rounding = (nudged_run - fused).abs().mean().item<double>();
  const double apart = (replayed - fused).abs().mean().item<double>();
  EXPECT_LE(apart, kUlpSlack * rounding + 1e-5) << "mean |graphs - eager| " << apart << ", nudge " << rounding;
  EXPECT_TRUE(replayed.isfinite().all().item<bool>());
}

// bf16 autocast on CUDA: a whole transfer stays finite and near float32
// (the 2-level question for defaults is the bench's, at 1024).
TEST(Cuda, Bf16TransferRunsAndStaysNear) {
  SKIP_WITHOUT_CUDA();
  const TransferTensors images{rendered(1), rendered(2), rendered(3)};
  TransferSettings bf16 = two_steps();
  bf16.speed.bf16 = true;
  const at::Tensor float32 = transfer(cuda_models(), images, two_steps(), Progress()).image;
  const at::Tensor reduced = transfer(cuda_models(), images, bf16, Progress()).image;
  ASSERT_TRUE(reduced.isfinite().all().item<bool>());
  EXPECT_LE((reduced - float32).abs().mean().item<double>() * 127.5, 8);
}

// A real CUDA out-of-memory: the caching allocator capped just above what the
// loaded networks hold, then a whole transfer. It must end in the engine's
// advice (an Error naming the GPU), as on the CPU, not in LibTorch's text.
TEST(Cuda, OutOfMemoryEndsInTheSameAdvice) {
  SKIP_WITHOUT_CUDA();
  const Models& models = cuda_models();
  const c10::DeviceIndex index = 0;
  torch::cuda::synchronize();
  c10::cuda::CUDACachingAllocator::emptyCache();
  const double held = cuda_current(c10::Device(c10::kCUDA, index))->reserved_mb * 1024.0 * 1024.0;
  size_t free_bytes = 0, total_bytes = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_bytes, &total_bytes), cudaSuccess);
  c10::cuda::CUDACachingAllocator::setMemoryFraction((held + (16 << 20)) / static_cast<double>(total_bytes), index);
  std::string message = "finished without running out of memory";
  try {
    transfer(models, {rendered(1), rendered(2), rendered(3)}, two_steps(), Progress());
  } catch (const Error& error) {
    message = error.what();
  } catch (const std::exception& error) {
    message = std::string("not translated: ") + error.what();
  }
  c10::cuda::CUDACachingAllocator::setMemoryFraction(1.0, index);
  // The advice the engine gives for any CUDA out-of-memory error, up to where
  // it quotes LibTorch's own words.
  std::string advice;
  try {
    try {
      C10_THROW_ERROR(OutOfMemoryError, "CUDA out of memory.");
    } catch (...) {
      rethrow_with_memory_advice();
    }
  } catch (const Error& error) {
    advice = error.what();
  }
  const std::string opening = advice.substr(0, advice.find('('));
  ASSERT_FALSE(opening.empty());
  EXPECT_EQ(message.rfind(opening, 0), 0u) << message;
  EXPECT_NE(message.find("CUDA out of memory"), std::string::npos) << message;
}

}  // namespace
}  // namespace barbershop
