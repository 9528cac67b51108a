#include "engine/pipeline/transfer.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include <algorithm>
#include <optional>

#include "engine/error.h"
#include "engine/ops/lanczos.h"
#include "engine/pipeline/alignment.h"
#include "engine/pipeline/blending.h"
#include "engine/pipeline/embedding.h"
#include "engine/pipeline/embedding_cache.h"
#include "engine/pipeline/speed.h"
#include "engine/pipeline/stage.h"
#include "engine/pipeline/target_mask.h"

namespace barbershop {
namespace {

constexpr int64_t kParserSize = FaceParser::kSize;

// One of the three roles, with what the stages need of it.
struct Role {
  std::string name;
  at::Tensor image;         // [1,3,R,R] on the device
  at::Tensor user_hair;     // optional [H,W]
  size_t distinct = 0;      // index of its image among the distinct ones, in order of first appearance
  at::Tensor labels;        // [1,512,512], hair replaced by user_hair
};

at::Tensor prepare_image(const at::Tensor& image, const std::string& role, const Models& models) {
  check_face_crop(image, role);
  const int64_t h = image.size(1);
  at::Tensor batched = image.to(models.device, at::kFloat).unsqueeze(0);
  const int64_t size = models.size();
  return h == size ? batched : lanczos_resize(batched, size, size);
}

// `labels` with its hair region replaced by the user's mask: hair where the
// mask is, and where the parser saw hair outside it, `elsewhere` (or background).
at::Tensor with_user_hair(const at::Tensor& labels, const at::Tensor& mask, const at::Tensor& elsewhere = {}) {
  if (!mask.defined()) return labels;
  const at::Tensor hair = resize_nearest(mask.to(labels.device()), kParserSize)[0].ge(0.5);
  const at::Tensor no_longer_hair = labels.eq(FaceParser::kHair) & hair.logical_not();
  const at::Tensor replacement =
      elsewhere.defined() ? elsewhere.masked_fill(elsewhere.eq(FaceParser::kHair), FaceParser::kBackground)
                          : at::zeros_like(labels);
  return at::where(no_longer_hair, replacement, labels).masked_fill(hair, FaceParser::kHair);
}

std::vector<Role> prepare_roles(const Models& models, const TransferTensors& images) {
  auto role = [&](const std::string& name, const at::Tensor& image, const at::Tensor& user_hair) {
    Role prepared;
    prepared.name = name;
    prepared.image = prepare_image(image, name, models);
    prepared.user_hair = user_hair;
    return prepared;
  };
  std::vector<Role> roles = {role("identity", images.identity, images.identity_hair),
                             role("structure", images.structure, images.structure_hair),
                             role("appearance", images.appearance, images.appearance_hair)};
  // Number the distinct images 0, 1, ... in order of first appearance.
  size_t distinct_images = 0;
  for (size_t i = 0; i < roles.size(); ++i) {
    auto same = std::find_if(roles.begin(), roles.begin() + i,
                             [&](const Role& earlier) { return earlier.image.equal(roles[i].image); });
    roles[i].distinct = same != roles.begin() + i ? same->distinct : distinct_images++;
  }
  return roles;
}

// Random noise comes in streams of its own, each seeded from the seed and
// the stream's name: one per embedded image (named by its cache key) and
// one for the stages after the embeddings. So a result is the same whether
// an embedding came from the cache or was made now, and whichever images
// were embedded before it. FNV-1a: the same numbers on every platform.
stylegan2::Noise noise_source(const TransferSettings& settings, const std::string& stream) {
  if (settings.noise == NoiseMode::Stored) return stylegan2::Noise::stored();
  uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : stream) hash = (hash ^ c) * 1099511628211ull;
  return stylegan2::Noise::random(stylegan2::seeded_generator(settings.seed ^ hash));
}

// The settings' batch (0: all on a GPU, one on the CPU), in micro-batches
// under the memory cap when one is set.
size_t embedding_batch_size(const StageContext& context, size_t images) {
  // Random noise: one image at a time, each drawing from its own stream.
  if (context.settings.noise == NoiseMode::Random) return 1;
  const size_t wanted = context.settings.embedding_batch > 0 ? static_cast<size_t>(context.settings.embedding_batch)
                        : context.models.device.is_cuda() ? std::max<size_t>(images, 1)
                                                          : 1;
  return images_per_batch_under_cap(context.models, context.settings.speed, wanted);
}

// Each distinct image embedded once, from the cache when it has it; the
// others in batches (embedding.h).
std::vector<Embedding> embed_distinct(const StageContext& context, const std::vector<Role>& roles) {
  const EmbeddingCache cache(context.settings.cache_dir);
  std::vector<const Role*> firsts;  // the first role of each distinct image
  for (const Role& role : roles)
    if (role.distinct == firsts.size()) firsts.push_back(&role);
  std::vector<Embedding> embeddings(firsts.size());
  std::vector<std::string> keys;
  std::vector<size_t> missing;
  for (size_t i = 0; i < firsts.size(); ++i) {
    keys.push_back(EmbeddingCache::key(firsts[i]->image, context.models.generator_sha256, context.settings));
    if (auto cached = cache.find(keys[i], context.models.device))
      embeddings[i] = *cached;
    else
      missing.push_back(i);
  }
  const size_t batch = embedding_batch_size(context, missing.size());
  for (size_t start = 0; start < missing.size(); start += batch) {
    const std::vector<size_t> group(missing.begin() + start, missing.begin() + std::min(start + batch, missing.size()));
    std::vector<at::Tensor> images;
    for (size_t i : group) images.push_back(firsts[i]->image);
    const StageContext own_noise{context.models, context.settings, context.progress,
                                 noise_source(context.settings, keys[group.front()])};
    const std::vector<Embedding> embedded = embed(own_noise, at::cat(images));
    for (size_t k = 0; k < group.size(); ++k) {
      embeddings[group[k]] = embedded[k];
      cache.store(keys[group[k]], embedded[k], context.progress);
    }
  }
  return embeddings;
}

void parse_roles(const Models& models, std::vector<Role>& roles) {
  torch::NoGradGuard no_grad;
  for (Role& role : roles)
    role.labels = with_user_hair(models.parser.labels(role.image, FaceParser::Source::Photo), role.user_hair);
}

void warn_when_hairless(const Role& role, const TransferProgress& progress) {
  if (role.labels.eq(FaceParser::kHair).any().item<bool>()) return;
  progress.warn("no hair found in the " + role.name + " image; give a hair mask for it (the " + role.name +
                " mask) or pick another image: its hair cannot be transferred");
}

at::Tensor hair_mask(const Role& role) { return hair_of(role.labels).unsqueeze(1); }

TargetMask target_for(const StageContext& context, const Role& identity, const Role& reference,
                      const at::Tensor& user_target_hair) {
  TargetMask target = make_target_mask(context, identity.labels, reference.labels);
  if (!user_target_hair.defined()) return target;
  target.labels = with_user_hair(target.labels, user_target_hair, identity.labels);
  target.hair = hair_of(target.labels).unsqueeze(1);
  return target;
}

at::Tensor single(const at::Tensor& batched) { return batched.detach().squeeze(0).to(at::kCPU); }

}  // namespace

void check_face_image(const at::Tensor& image, const std::string& role) {
  if (!image.defined()) throw Error("no " + role + " image given");
  if (image.dim() != 3 || image.size(0) != 3)
    throw Error("the " + role + " image must be RGB [3, H, W], got " + shape_string(image.sizes().vec()));
  const int64_t h = image.size(1), w = image.size(2);
  if (std::min(h, w) < kSmallestFaceCrop)
    throw Error("the " + role + " image is only " + std::to_string(w) + "x" + std::to_string(h) +
                " pixels; a face image needs at least " + std::to_string(kSmallestFaceCrop) + "x" +
                std::to_string(kSmallestFaceCrop));
}

void check_face_crop(const at::Tensor& image, const std::string& role) {
  check_face_image(image, role);
  const int64_t h = image.size(1), w = image.size(2);
  if (h != w)
    throw Error("the " + role + " image is " + std::to_string(w) + "x" + std::to_string(h) +
                "; Barbershop needs a square, aligned face crop (FFHQ-style); crop it to a square around the face");
}

namespace {

// The layout preview: the identity image with the target's hair region
// tinted, so the user sees the new hair shape before anything is generated.
constexpr float kTint[3] = {0.9f, -0.6f, 0.8f};  // magenta, in [-1,1]
constexpr double kTintStrength = 0.5;

void show_layout(const StageContext& context, const Role& identity, const TargetMask& target) {
  const TransferProgress& progress = context.progress;
  if (!progress.wants_preview(PreviewMoment::Layout)) return;
  torch::NoGradGuard no_grad;
  const at::Tensor image = identity.image[0].to(at::kCPU);
  const at::Tensor hair = resize_nearest(target.hair, image.size(-1))[0][0].to(at::kCPU);
  const at::Tensor tint = at::tensor(at::ArrayRef<float>(kTint, 3)).view({3, 1, 1});
  progress.preview(PreviewMoment::Layout, image + kTintStrength * hair * (tint - image), progress.last_step(), hair);
}

// The result of a run that reached `image` ([1,3,R,R]); `blended` when blending ran.
TransferOutput result_of(const at::Tensor& image, const std::optional<StepPoint>& stopped, const Models& models,
                         const std::vector<Role>& roles, const std::vector<Embedding>& embeddings,
                         const TargetMask& target, const at::Tensor& F_mix_structure, const at::Tensor& blend_u) {
  TransferOutput result{single(image), {}, stopped};
  for (const Role& role : roles) {
    const Embedding& embedding = embeddings[role.distinct];
    result.intermediates["wplus_" + role.name] = single(embedding.w_plus);
    result.intermediates["F_" + role.name] = single(embedding.F);
    result.intermediates["S_" + role.name] = single(embedding.latent.narrow(1, kSIndex, models.n_latent() - kSIndex));
    result.intermediates["labels_" + role.name] = single(role.labels).to(at::kFloat);
  }
  result.intermediates["initial_target"] = single(target.initial_labels).to(at::kFloat);
  result.intermediates["target_round1"] = single(target.round1_labels).to(at::kFloat);
  result.intermediates["target_labels"] = single(target.labels).to(at::kFloat);
  result.intermediates["fmix"] = single(F_mix_structure);
  if (blend_u.defined()) result.intermediates["blend_u"] = blend_u.to(at::kCPU);
  result.intermediates["result"] = result.image;
  return result;
}

TransferOutput transfer_unguarded(const Models& models, const TransferTensors& images,
                                  const TransferSettings& settings, const TransferProgress& progress) {
  std::vector<Role> roles = prepare_roles(models, images);
  const StageContext context{models, settings, progress, noise_source(settings, "after the embeddings")};
  // The parser needs only the images, so the labels and the target mask
  // come before the embeddings and the layout preview within seconds (the
  // embeddings draw no noise from this context's stream).
  parse_roles(models, roles);
  const Role &identity = roles[0], &structure = roles[1], &appearance = roles[2];
  warn_when_hairless(structure, progress);
  warn_when_hairless(appearance, progress);
  const TargetMask target = target_for(context, identity, structure, images.target_hair);
  show_layout(context, identity, target);
  const std::vector<Embedding> embeddings = embed_distinct(context, roles);
  auto embedding_of = [&](const Role& role) -> const Embedding& { return embeddings[role.distinct]; };

  const at::Tensor F_mix_structure = align(context, {embedding_of(identity), hair_mask(identity)},
                                           {embedding_of(structure), hair_mask(structure)}, target);
  // The reference aligns (identity, appearance) again, with its own target
  // mask, unless the appearance image is the structure image.
  const at::Tensor F_mix_appearance =
      appearance.distinct == structure.distinct
          ? F_mix_structure
          : align(context, {embedding_of(identity), hair_mask(identity)},
                  {embedding_of(appearance), hair_mask(appearance)}, target_for(context, identity, appearance, {}));

  // The first generated composite: from here on a stop keeps one.
  progress.composite_made();
  const bool show_shape = progress.wants_preview(PreviewMoment::Shape);
  if (show_shape || progress.stop_requested()) {
    const at::Tensor shape = shape_composite(context, F_mix_structure, embedding_of(identity));
    const StepPoint at = progress.last_step();
    if (show_shape) progress.preview(PreviewMoment::Shape, single(shape), at);
    if (progress.stop_requested())
      return result_of(shape, at, models, roles, embeddings, target, F_mix_structure, {});
  }

  const BlendingResult blended =
      blend(context, {embedding_of(identity), embedding_of(appearance), identity.image, appearance.image,
                      hair_mask(identity), hair_mask(appearance), F_mix_appearance, F_mix_structure});
  return result_of(blended.image, blended.stopped, models, roles, embeddings, target, F_mix_structure, blended.u);
}

}  // namespace

// Running out of (GPU) memory ends in advice rather than the allocator's
// text; nothing has been written by then (hosts write the result last).
TransferOutput transfer(const Models& models, const TransferTensors& images, const TransferSettings& settings,
                        const TransferProgress& progress) {
  try {
    return transfer_unguarded(models, images, settings, progress);
  } catch (...) {
    rethrow_with_memory_advice();
  }
}

}  // namespace barbershop
