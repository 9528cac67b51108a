#include "engine/pipeline/alignment.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "engine/ops/morphology.h"

namespace barbershop {
namespace {

constexpr double kStyleWeight = 4e4;
constexpr int64_t kMaskWorkingSize = 256;  // masks are dilated / eroded here
constexpr int64_t kFSize = 32;

// The codes of `embedding` with the first six taken from `coarse`.
at::Tensor with_coarse_codes(const at::Tensor& coarse, const Embedding& embedding) {
  return splice_codes(coarse, embedding.latent, kCoarseCodes);
}

// Step 1: the identity's W+ moved so that its parse matches the target.
at::Tensor align_identity(const StageContext& context, const Embedding& identity, const TargetMask& target) {
  const Models& models = context.models;
  at::Tensor coarse = identity.w_plus.clone().requires_grad_(true);
  at::Tensor last_latent;
  optimise(context, "alignment (1/2)", context.settings.steps.align1, {coarse}, [&] {
    last_latent = with_coarse_codes(coarse, identity);
    const at::Tensor logits = models.parser.logits(models.generator->synthesize(last_latent, context.noise));
    return cross_entropy(logits, target.labels);
  });
  torch::NoGradGuard no_grad;
  return models.generator->synthesize_features(last_latent, kFBlock, context.noise);
}

// Step 2: the reference's W+ moved to the target mask while its hair keeps
// the style (Gram matrices) of its own first render.
at::Tensor align_reference(const StageContext& context, const Embedding& reference, const TargetMask& target) {
  const Models& models = context.models;
  at::Tensor coarse = reference.w_plus.clone().requires_grad_(true);
  std::vector<at::Tensor> style_target;
  {
    torch::NoGradGuard no_grad;
    const at::Tensor first_render = models.generator->synthesize(with_coarse_codes(coarse, reference), context.noise);
    const at::Tensor first_hair = resize_nearest(hair_of(models.parser.labels(first_render)), kLossSize);
    style_target = models.style.grams(resize_to_loss_size(first_render) * first_hair, first_hair);
  }
  at::Tensor last_latent;
  optimise(context, "alignment (2/2)", context.settings.steps.align2, {coarse}, [&] {
    last_latent = with_coarse_codes(coarse, reference);
    const at::Tensor render = models.generator->synthesize(last_latent, context.noise);
    const at::Tensor logits = models.parser.logits(render);
    const at::Tensor hair = resize_nearest(hair_of(logits.argmax(1)), kLossSize);
    const at::Tensor style = models.style(style_target, resize_to_loss_size(render) * hair, hair);
    return cross_entropy(logits, target.labels) + kStyleWeight * style;
  });
  torch::NoGradGuard no_grad;
  return models.generator->synthesize_features(last_latent, kFBlock, context.noise);
}

// 1 - (mask at 256, dilated or eroded, bicubic to 32): 0 inside the region.
at::Tensor outside_of(const at::Tensor& mask_512, bool dilated, int64_t smooth) {
  const at::Tensor at_256 = resize_nearest(mask_512, kMaskWorkingSize);
  const at::Tensor shaped = dilated ? dilate(at_256, smooth) : erode(at_256, smooth);
  return 1 - at::upsample_bicubic2d(shaped, {kFSize, kFSize}, /*align_corners=*/false);
}

// `inside` where `outside_weight` is 0, `outside` where it is 1.
at::Tensor mix(const at::Tensor& inside, const at::Tensor& outside_weight, const at::Tensor& outside) {
  return inside + outside_weight * (outside - inside);
}

}  // namespace

at::Tensor align(const StageContext& context, const AlignmentInput& identity,
                 const AlignmentInput& reference, const TargetMask& target) {
  const at::Tensor F_identity_aligned = align_identity(context, identity.embedding, target);
  const at::Tensor F_reference_aligned = align_reference(context, reference.embedding, target);
  const int64_t smooth = context.settings.smooth;
  torch::NoGradGuard no_grad;
  // Outside the (dilated) old and new hair: the identity's own F.
  const at::Tensor identity_or_target_hair = 1 - (1 - identity.hair) * (1 - target.hair);
  at::Tensor F_mix = mix(F_identity_aligned, outside_of(identity_or_target_hair, true, smooth),
                         identity.embedding.F);
  // Inside the (eroded) target hair: the aligned reference.
  F_mix = mix(F_reference_aligned, outside_of(target.hair, false, smooth), F_mix);
  // Where the reference's own hair lies inside the target hair: its own F.
  return mix(reference.embedding.F, outside_of(reference.hair * target.hair, false, smooth), F_mix);
}

}  // namespace barbershop
