#include "engine/pipeline/blending.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include <algorithm>

#include "engine/ops/lanczos.h"
#include "engine/ops/morphology.h"

namespace barbershop {
namespace {

// The reference dilates and erodes the blending masks 5 times whatever
// --smooth says.
constexpr int64_t kBlendMaskIterations = 5;
const std::vector<int64_t> kBlendBlocks = {1, 2, 3};
// Blending offers a colour preview this many times over its steps at most.
constexpr int kColourPreviews = 20;

// The noise a preview renders with: the same maps, without advancing a
// random source, so the steps after it draw what they would without it.
stylegan2::Noise side_noise(const stylegan2::Noise& noise) {
  stylegan2::Noise side = noise;
  if (side.kind == stylegan2::Noise::Kind::Random) side.generator = noise.generator.clone();
  return side;
}

at::Tensor render_with_structure(const StageContext& context, const at::Tensor& F_mix_structure,
                                 const at::Tensor& latent, const stylegan2::Noise& noise) {
  return context.models.generator->synthesize_from(F_mix_structure, kFBlock + 1, latent, noise);
}

// Thrown from a blending step to end the loop when the host stops and keeps.
struct StopBlending {
  at::Tensor image;   // [1,3,R,R]
  at::Tensor latent;  // its codes
  int step;
};

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
  const int total = context.settings.steps.blend;
  const int preview_every = std::max(1, total / kColourPreviews);
  int step = 0;
  // After each update: a colour preview every few steps when the host wants
  // one, and the end when it stops. Both render the codes after this update
  // (those of the next step's forward). Their last state, after update
  // total - 1, is what the result shows, so no preview repeats it.
  auto after_step = [&] {
    u.clamp_(0, 1);
    ++step;
    const TransferProgress& progress = context.progress;
    const bool show = step < total - 1 && step % preview_every == 0 && progress.wants_preview(PreviewMoment::Colour);
    const bool stop = step < total && progress.stop_requested();
    if (!show && !stop) return;
    const at::Tensor latent = S_identity + u.unsqueeze(0) * (S_appearance - S_identity);
    const at::Tensor image = render_with_structure(context, input.F_mix_structure, latent, side_noise(context.noise));
    if (show) progress.preview(PreviewMoment::Colour, image[0].to(at::kCPU), StepPoint{"blending", step, total});
    if (stop || progress.stop_requested()) throw StopBlending{image, latent, step};
  };
  try {
    optimise(
        context, "blending", total, {u},
        [&] {
          last_latent = S_identity + u.unsqueeze(0) * (S_appearance - S_identity);
          const at::Tensor render =
              models.generator->synthesize_from(input.F_mix_appearance, kFBlock + 1, last_latent, context.noise);
          const auto features = models.lpips.features(resize_to_loss_size(render));
          return models.lpips.distance(features, identity_features, masks.face, kBlendBlocks).sum() +
                 models.lpips.distance(features, appearance_features, masks.hair, kBlendBlocks).sum();
        },
        after_step);
  } catch (const StopBlending& stopped) {
    return {u.detach().clone(), stopped.latent, stopped.image, StepPoint{"blending", stopped.step, total}};
  }

  torch::NoGradGuard no_grad;
  last_latent = last_latent.detach();
  // The result is rendered from the (identity, structure) F mix.
  const at::Tensor image = render_with_structure(context, input.F_mix_structure, last_latent, context.noise);
  return {u.detach().clone(), last_latent, image, std::nullopt};
}

at::Tensor shape_composite(const StageContext& context, const at::Tensor& F_mix_structure, const Embedding& identity) {
  torch::NoGradGuard no_grad;
  return render_with_structure(context, F_mix_structure, identity.latent, side_noise(context.noise));
}

}  // namespace barbershop
