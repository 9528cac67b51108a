#pragma once
// The whole method, from three face images to the composite: the one engine
// entry point that every host (the CLI, the GIMP plug-in, the benchmark)
// calls. Inputs are tensors; progress and cancellation go through Progress.
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

#include "engine/pipeline/models.h"
#include "engine/pipeline/progress.h"
#include "engine/pipeline/settings.h"

namespace barbershop {

struct TransferImages {
  // [3,H,W] in [-1,1], square; resized to the generator's size when needed.
  at::Tensor identity, structure, appearance;
  // Optional hair masks [H,W] float (hair >= 0.5), replacing the parser's
  // hair region of that image, or (target_hair) of the target mask.
  at::Tensor identity_hair, structure_hair, appearance_hair, target_hair;
};

struct TransferResult {
  at::Tensor image;  // [3,R,R] in [-1,1], on the CPU
  // Intermediate values by the names `barbershop transfer --dump` writes:
  // wplus_<role>, F_<role>, S_<role>, labels_<role> (the parser's labels
  // after any user mask), initial_target (inpainted, before the GAN rounds),
  // target_round1 (after the first round), target_labels, fmix, blend_u,
  // result. The target-mask values are those of (identity, structure).
  std::map<std::string, at::Tensor> intermediates;
};

// Smallest face crop a transfer accepts, in pixels per side.
constexpr int64_t kSmallestFaceCrop = 64;

// Throws barbershop::Error naming `role` ("identity", ...) unless `image` is
// RGB [3,H,W] with both sides at least kSmallestFaceCrop: what any image of
// a face needs, photo or crop.
void check_face_image(const at::Tensor& image, const std::string& role);

// check_face_image, and square: an aligned face crop, what transfer() takes.
// Hosts call it before loading the networks, so a wrong layer fails at once.
void check_face_crop(const at::Tensor& image, const std::string& role);

// Throws barbershop::Error on unusable input, Cancelled when cancelled.
TransferResult transfer(const Models& models, const TransferImages& images, const TransferSettings& settings,
                        const Progress& progress);

}  // namespace barbershop
