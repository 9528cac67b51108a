#include "engine/pipeline/stage.h"

#include <torch/optim/adam.h>
#include <torch/torch.h>

#include "engine/ops/bicubic.h"

namespace barbershop {

void optimise(const StageContext& context, const std::string& stage, int steps,
              const std::vector<at::Tensor>& parameters, const std::function<at::Tensor()>& loss,
              const std::function<void()>& after_step) {
  torch::optim::Adam adam(parameters, torch::optim::AdamOptions(context.settings.learning_rate));
  for (int step = 1; step <= steps; ++step) {
    adam.zero_grad();
    loss().backward();
    adam.step();
    if (after_step) {
      torch::NoGradGuard no_grad;
      after_step();
    }
    context.progress.step(stage, step, steps);
  }
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
