#include "engine/pipeline/stage.h"

#include <torch/optim/adam.h>
#include <torch/torch.h>

#include <algorithm>

#include "engine/device.h"
#include "engine/ops/bicubic.h"
#include "engine/pipeline/speed.h"

namespace barbershop {

namespace {

// What every variant of the loop does after an update.
void finish_step(const StageContext& context, const std::string& stage, int step, int steps,
                 const std::function<void()>& after_step) {
  if (after_step) {
    torch::NoGradGuard no_grad;
    after_step();
  }
  context.progress.step(stage, step, steps);
}

// The forward, in bf16 autocast when asked; the backward runs outside it
// (autograd replays each op in the precision its forward used).
at::Tensor forward(const StageContext& context, const std::function<at::Tensor()>& loss, bool for_graph = false) {
  const Bf16Forward precision(context.settings.speed.bf16, context.models.device, for_graph);
  return loss().to(at::kFloat);
}

// The float32 eager baseline: torch::optim::Adam, one parameter at a time.
void optimise_eagerly(const StageContext& context, const std::string& stage, int steps,
                      const std::vector<at::Tensor>& parameters, const std::function<at::Tensor()>& loss,
                      const std::function<void()>& after_step) {
  torch::optim::Adam adam(parameters, torch::optim::AdamOptions(context.settings.learning_rate));
  for (int step = 1; step <= steps; ++step) {
    adam.zero_grad();
    forward(context, loss).backward();
    adam.step();
    finish_step(context, stage, step, steps, after_step);
  }
}

void optimise_fused(const StageContext& context, const std::string& stage, int steps,
                    const std::vector<at::Tensor>& parameters, const std::function<at::Tensor()>& loss,
                    const std::function<void()>& after_step) {
  FusedAdam adam(parameters, context.settings.learning_rate);
  for (int step = 1; step <= steps; ++step) {
    adam.zero_grad();
    forward(context, loss).backward();
    adam.step();
    finish_step(context, stage, step, steps, after_step);
  }
}

// Steps run eagerly on the graph's side stream before recording: they
// allocate the gradients and Adam's state and let the libraries pick their
// kernels (PyTorch's advice: a few iterations).
constexpr int kWarmUpSteps = 3;

// Forward, backward and the fused Adam update recorded once as a CUDA graph
// and replayed for the remaining steps. Every step has the same shapes and
// reads the parameters in place; what `loss` hands on (the last forward's
// codes or logits) is rewritten in place by each replay.
void optimise_in_graph(const StageContext& context, const std::string& stage, int steps,
                       const std::vector<at::Tensor>& parameters, const std::function<at::Tensor()>& loss,
                       const std::function<void()>& after_step) {
  FusedAdam adam(parameters, context.settings.learning_rate);
  CudaGraph graph(context.models.device);
  auto update = [&] {
    forward(context, loss, /*for_graph=*/true).backward();
    adam.step();
  };
  int step = 1;
  for (; step <= std::min(steps, kWarmUpSteps); ++step) {
    adam.zero_grad();
    graph.warm_up(update);
    finish_step(context, stage, step, steps, after_step);
  }
  if (step > steps) return;
  adam.zero_grad();  // the recorded backward allocates the gradients in the graph's memory
  try {
    graph.record(update);
  } catch (const std::exception& error) {
    // Nothing ran while recording: the stage goes on, eagerly, from this step.
    const std::string why = error.what();
    context.progress.warn("CUDA graphs could not record the " + stage + " step, which runs without them: " +
                          why.substr(0, why.find('\n')));
    for (; step <= steps; ++step) {
      adam.zero_grad();
      forward(context, loss).backward();
      adam.step();
      finish_step(context, stage, step, steps, after_step);
    }
    return;
  }
  for (; step <= steps; ++step) {
    graph.replay();
    finish_step(context, stage, step, steps, after_step);
  }
}

}  // namespace

bool records_cuda_graphs(const StageContext& context) {
  return context.settings.speed.cuda_graphs && context.settings.noise == NoiseMode::Stored &&
         CudaGraph::available(context.models.device);
}

void optimise(const StageContext& context, const std::string& stage, int steps,
              const std::vector<at::Tensor>& parameters, const std::function<at::Tensor()>& loss,
              const std::function<void()>& after_step) {
  if (records_cuda_graphs(context)) return optimise_in_graph(context, stage, steps, parameters, loss, after_step);
  if (context.settings.speed.fused_adam) return optimise_fused(context, stage, steps, parameters, loss, after_step);
  optimise_eagerly(context, stage, steps, parameters, loss, after_step);
}

at::Tensor resize_to_loss_size(const at::Tensor& images) {
  const int64_t size = images.size(-1);
  if (size >= kLossSize) return bicubic_downsample(images, size / kLossSize);
  return at::upsample_bilinear2d(images, {kLossSize, kLossSize}, /*align_corners=*/false);
}

at::Tensor hair_of(const at::Tensor& labels) { return labels.eq(FaceParser::kHair).to(at::kFloat); }

at::Tensor resize_nearest(const at::Tensor& masks, int64_t size) {
  at::Tensor batched = masks.to(at::kFloat);
  while (batched.dim() < 4) batched = batched.unsqueeze(0);
  return at::upsample_nearest2d(batched, {size, size});
}

at::Tensor cross_entropy(const at::Tensor& logits, const at::Tensor& target, const at::Tensor& class_weights) {
  const at::Tensor picked = -at::log_softmax(logits, 1).gather(1, target.unsqueeze(1)).squeeze(1);
  if (!class_weights.defined()) return picked.mean();
  const at::Tensor weights = class_weights.index({target});
  // No host sync: an all-zero weight sum gives 0 / tiny = 0.
  return (picked * weights).sum() / weights.sum().clamp_min(1e-12);
}

at::Tensor splice_codes(const at::Tensor& head, const at::Tensor& tail, int64_t split) {
  return at::cat({head.narrow(1, 0, split), tail.narrow(1, split, tail.size(1) - split)}, 1);
}

}  // namespace barbershop
