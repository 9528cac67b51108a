#include "engine/pipeline/blending.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "engine/ops/lanczos.h"
#include "engine/ops/morphology.h"

namespace barbershop {
namespace {

// The reference dilates and erodes the blending masks 5 times whatever
// --smooth says.
constexpr int64_t kBlendMaskIterations = 5;
const std::vector<int64_t> kBlendBlocks = {1, 2, 3};

struct BlendMasks {
  at::Tensor face;  // keep the identity's look: outside every (dilated) hair region
  at::Tensor hair;  // take the appearance's look: inside its eroded hair
};

BlendMasks blend_masks(const StageContext& context, const BlendingInput& input) {
  const Models& models = context.models;
  torch::NoGradGuard no_grad;
  auto at_256 = [](const at::Tensor& mask) { return resize_nearest(mask, kLossSize); };
  const at::Tensor first_render =
      models.generator->synthesize_from(input.F_mix_appearance, kFBlock + 1, input.identity.latent, context.noise);
  const at::Tensor render_hair = hair_of(models.parser.labels(first_render));
  const at::Tensor face = (1 - dilate(at_256(input.identity_hair), kBlendMaskIterations)) *
                          (1 - dilate(at_256(input.appearance_hair), kBlendMaskIterations)) *
                          (1 - dilate(at_256(render_hair), kBlendMaskIterations));
  return {face, erode(at_256(input.appearance_hair), kBlendMaskIterations)};
}

}  // namespace

BlendingResult blend(const StageContext& context, const BlendingInput& input) {
  const Models& models = context.models;
  const BlendMasks masks = blend_masks(context, input);
  const auto identity_features = models.lpips.features(lanczos_resize(input.identity_image, kLossSize, kLossSize));
  const auto appearance_features =
      models.lpips.features(lanczos_resize(input.appearance_image, kLossSize, kLossSize));
  const at::Tensor S_identity = input.identity.latent;
  const at::Tensor S_appearance = input.appearance.latent;

  at::Tensor u = at::zeros({models.n_latent(), S_identity.size(2)}, S_identity.options()).requires_grad_(true);
  at::Tensor last_latent;
  optimise(
      context, "blending", context.settings.steps.blend, {u},
      [&] {
        last_latent = S_identity + u.unsqueeze(0) * (S_appearance - S_identity);
        const at::Tensor render =
            models.generator->synthesize_from(input.F_mix_appearance, kFBlock + 1, last_latent, context.noise);
        const auto features = models.lpips.features(resize_to_loss_size(render));
        return models.lpips.distance(features, identity_features, masks.face, kBlendBlocks).sum() +
               models.lpips.distance(features, appearance_features, masks.hair, kBlendBlocks).sum();
      },
      [&] { u.clamp_(0, 1); });

  torch::NoGradGuard no_grad;
  last_latent = last_latent.detach();
  // The result is rendered from the (identity, structure) F mix.
  const at::Tensor image =
      models.generator->synthesize_from(input.F_mix_structure, kFBlock + 1, last_latent, context.noise);
  return {u.detach().clone(), last_latent, image};
}

}  // namespace barbershop
