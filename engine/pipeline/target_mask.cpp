#include "engine/pipeline/target_mask.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#ifdef BARBERSHOP_WITH_OPENCV
#include <opencv2/photo.hpp>
#endif

namespace barbershop {
namespace {

constexpr int64_t kBackground = FaceParser::kBackground;
constexpr int64_t kHair = FaceParser::kHair;
constexpr int64_t kUnreliable = 15;  // a class the reference leaves out of the uncovered region

at::Tensor one_hot_weight(int64_t hot, bool invert, c10::Device device) {
  at::Tensor weights = at::zeros({FaceParser::kClasses}, at::TensorOptions().device(device));
  weights[hot] = 1;
  return invert ? 1 - weights : weights;
}

}  // namespace

InitialTarget initial_target(const at::Tensor& identity, const at::Tensor& structure) {
  // As in the reference, the identity's hair is cleared first and the OB
  // region is built from what is left: pixels of the old hair that the new
  // hair leaves uncovered count as uncovered too (docs/method.md, "Order of
  // operations").
  const at::Tensor identity_without_hair = identity.masked_fill(identity.eq(kHair), kBackground);
  const at::Tensor structure_hair = structure.eq(kHair);
  const at::Tensor uncovered = structure.ne(kHair) & structure.ne(kBackground) &
                               structure.ne(kUnreliable) & identity_without_hair.eq(kBackground);
  const at::Tensor target = at::where(structure_hair, at::full_like(identity, kHair), identity_without_hair);
  // Everything that is neither background nor hair is cleared and refilled
  // from the hair/background around it; only the OB region keeps the fill.
  const at::Tensor region = (target.ne(kBackground) & target.ne(kHair)) | uncovered;
  const at::Tensor hair_fraction = target.masked_fill(region, 0).to(at::kFloat) / kHair;
  // The reference inpaints a float image, then casts to uint8: only a fill
  // of exactly 1 stays hair.
  const at::Tensor filled = inpaint(hair_fraction[0].cpu(), region[0].cpu()).clamp_min(0).to(at::kByte).to(at::kLong) * kHair;
  const at::Tensor labels = at::where(uncovered, filled.to(target.device()).unsqueeze(0), target);
  // The realistic mode's background target keeps the identity's own hair.
  const at::Tensor not_background = (identity.ne(kBackground) | structure_hair).to(at::kLong);
  return {labels, uncovered, not_background};
}

namespace {

// One round of GAN-based completion: a W+ code from the mean w, its first
// six codes optimised so that the parser's view of the render matches
// `target`; returns the labels of the last render.
at::Tensor complete_with_gan(const StageContext& context, const std::string& stage,
                             const at::Tensor& target, const at::Tensor& not_background) {
  const Models& models = context.models;
  const at::Tensor start = models.latent_avg.view({1, 1, -1}).repeat({1, models.n_latent(), 1});
  at::Tensor codes = start.clone().requires_grad_(true);
  const bool realistic = context.settings.mode == TargetMode::Realistic;
  const at::Tensor without_background = class_weights_without_background(models.device);
  const at::Tensor only_background = one_hot_weight(kBackground, false, models.device);
  at::Tensor last_logits;
  optimise(context, stage, context.settings.steps.mask, {codes}, [&] {
    const at::Tensor latent = splice_codes(codes, start, kCoarseCodes);
    last_logits = models.parser.logits(models.generator->synthesize(latent, context.noise));
    if (!realistic) return cross_entropy(last_logits, target);
    return cross_entropy(last_logits, target, without_background) +
           cross_entropy(last_logits, not_background, only_background);
  });
  return last_logits.argmax(1);
}

#ifndef BARBERSHOP_WITH_OPENCV
at::Tensor harmonic_fill(const at::Tensor& values, const at::Tensor& region) {
  at::Tensor filled = values.masked_fill(region, 0).unsqueeze(0).unsqueeze(0);
  const at::Tensor kernel = at::tensor({0.f, .25f, 0.f, .25f, 0.f, .25f, 0.f, .25f, 0.f}).view({1, 1, 3, 3});
  const at::Tensor inside = region.unsqueeze(0).unsqueeze(0);
  for (int i = 0; i < 500; ++i) {
    const at::Tensor averaged = at::conv2d(at::replication_pad2d(filled, {1, 1, 1, 1}), kernel);
    filled = at::where(inside, averaged, filled);
  }
  return filled[0][0];
}
#endif

}  // namespace

at::Tensor class_weights_without_background(c10::Device device) {
  return one_hot_weight(kBackground, true, device);
}

at::Tensor inpaint(const at::Tensor& values, const at::Tensor& region) {
#ifdef BARBERSHOP_WITH_OPENCV
  at::Tensor source = values.to(at::kFloat).contiguous();
  at::Tensor mask = region.to(at::kByte).mul(255).contiguous();
  const int h = static_cast<int>(source.size(0)), w = static_cast<int>(source.size(1));
  cv::Mat source_mat(h, w, CV_32F, source.data_ptr<float>());
  cv::Mat mask_mat(h, w, CV_8U, mask.data_ptr<uint8_t>());
  cv::Mat result;
  cv::inpaint(source_mat, mask_mat, result, 3, cv::INPAINT_NS);
  return at::from_blob(result.data, {h, w}, at::kFloat).clone();
#else
  return harmonic_fill(values.to(at::kFloat), region.to(at::kBool));
#endif
}

TargetMask make_target_mask(const StageContext& context, const at::Tensor& identity_labels,
                            const at::Tensor& structure_labels) {
  const InitialTarget initial = initial_target(identity_labels, structure_labels);

  // Round 1: where the identity had hair that the new hair does not cover,
  // take the generator's idea of what lies there.
  const at::Tensor round1 = complete_with_gan(context, "target mask (1/2)", initial.labels, initial.not_background);
  const at::Tensor freed = identity_labels.eq(kHair) & structure_labels.ne(kHair);
  const at::Tensor after_round1 = at::where(freed, round1, initial.labels);

  // Round 2: the OB region as background in the target; wherever the
  // generator still puts something there, keep it.
  const at::Tensor round2_target = after_round1.masked_fill(initial.uncovered, kBackground);
  const at::Tensor round2 = complete_with_gan(context, "target mask (2/2)", round2_target, initial.not_background);
  const at::Tensor labels = at::where(initial.uncovered & round2.ne(kBackground), round2, after_round1);
  return {labels, hair_of(labels).unsqueeze(1), initial.labels, after_round1};
}

}  // namespace barbershop
