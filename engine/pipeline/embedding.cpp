#include "engine/pipeline/embedding.h"

#include <ATen/ATen.h>

#include "engine/ops/lanczos.h"

namespace barbershop {
namespace {

constexpr double kPNormWeight = 0.001;

// L2 at full resolution + LPIPS at 256 + the P-norm prior (docs/method.md, "Embedding"),
// summed over the images of the batch. The L2 and P-norm terms are means per
// image; every image has as many pixels and codes as the others, so their sum
// is the batch mean times the batch size.
class ReconstructionLoss {
 public:
  ReconstructionLoss(const Models& models, const at::Tensor& images)
      : models_(models),
        images_(images),
        target_features_(models.lpips.features(lanczos_resize(images, kLossSize, kLossSize))) {}

  at::Tensor operator()(const at::Tensor& renders, const at::Tensor& latents) const {
    const double batch = static_cast<double>(images_.size(0));
    const at::Tensor perceptual =
        models_.lpips.distance(models_.lpips.features(resize_to_loss_size(renders)), target_features_).sum();
    return batch * (at::mse_loss(renders, images_) + kPNormWeight * models_.prior.p_norm(latents)) + perceptual;
  }

  int64_t batch() const { return images_.size(0); }

 private:
  const Models& models_;
  at::Tensor images_;
  std::vector<at::Tensor> target_features_;
};

// II2S: every code starts at the mean w and all are optimised.
at::Tensor embed_w_plus(const StageContext& context, const ReconstructionLoss& loss) {
  const Models& models = context.models;
  at::Tensor codes =
      models.latent_avg.view({1, 1, -1}).repeat({loss.batch(), models.n_latent(), 1}).clone().requires_grad_(true);
  at::Tensor last_forward;
  optimise(context, "embedding W+", context.settings.steps.w, {codes}, [&] {
    last_forward = codes.detach().clone();
    return loss(models.generator->synthesize(codes, context.noise), codes);
  });
  return last_forward;
}

// FS: F starts at the block-3 output of the W+ result, S at its codes from
// kSIndex on; the earlier codes stay fixed.
std::vector<Embedding> embed_fs(const StageContext& context, const ReconstructionLoss& loss,
                                const at::Tensor& w_plus) {
  const auto& generator = context.models.generator;
  at::Tensor F = generator->synthesize_features(w_plus, kFBlock, context.noise).detach().clone().requires_grad_(true);
  at::Tensor S = w_plus.narrow(1, kSIndex, w_plus.size(1) - kSIndex).clone().requires_grad_(true);
  const at::Tensor fixed = w_plus.narrow(1, 0, kSIndex);
  at::Tensor last_forward;
  // The paper adds 0.1 * |F - F_init|^2; the reference computes it but never
  // adds it, and so neither do we.
  optimise(context, "embedding FS", context.settings.steps.fs, {S, F}, [&] {
    const at::Tensor latent = at::cat({fixed, S}, 1);
    last_forward = latent.detach().clone();
    return loss(generator->synthesize_from(F, kFBlock + 1, latent, context.noise), latent);
  });
  // Reference behaviour: S from the last forward, F after the last update.
  std::vector<Embedding> embeddings;
  for (int64_t i = 0; i < loss.batch(); ++i)
    embeddings.push_back({w_plus.narrow(0, i, 1).clone(), last_forward.narrow(0, i, 1).clone(),
                          F.detach().narrow(0, i, 1).clone()});
  return embeddings;
}

}  // namespace

std::vector<Embedding> embed(const StageContext& context, const at::Tensor& images) {
  const ReconstructionLoss loss(context.models, images);
  return embed_fs(context, loss, embed_w_plus(context, loss));
}

}  // namespace barbershop
