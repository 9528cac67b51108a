#pragma once
// What a transfer takes and gives inside the engine, as tensors: three face
// images, optional hair masks, the composite and the intermediate values.
// The door's own (engine/barbershop.h: TransferImages, TransferResult) hold
// ImageBuffers; engine/barbershop.cpp converts between the two.
#include <ATen/core/Tensor.h>

#include <map>
#include <optional>
#include <string>

#include "engine/progress.h"

namespace barbershop {

struct TransferTensors {
  // [3,H,W] in [-1,1], square; resized to the generator's size when needed.
  at::Tensor identity, structure, appearance;
  // Optional hair masks [H,W] float (hair >= 0.5), replacing the parser's
  // hair region of that image, or (target_hair) of the target mask.
  at::Tensor identity_hair, structure_hair, appearance_hair, target_hair;
};

struct TransferOutput {
  at::Tensor image;  // [3,H,W] in [-1,1], on the CPU
  // Intermediate values, by the names hosts dump them under:
  // wplus_<role>, F_<role>, S_<role>, labels_<role> (the parser's labels
  // after any user mask), initial_target (inpainted, before the GAN rounds),
  // target_round1 (after the first round), target_labels, fmix, blend_u,
  // result. The target-mask values are those of (identity, structure).
  std::map<std::string, at::Tensor> intermediates;
  // Set when the host stopped the transfer (Progress::stop_and_keep,
  // engine/progress.h) or its time limit ran out: where it stopped. `image`
  // is then the latest generated composite (shape or colour) and the
  // intermediates are those made by then.
  std::optional<StepPoint> stopped;
};

// The door's opaque intermediates (engine/barbershop.h): a transfer's
// TransferOutput::intermediates, for write_intermediates and the tests.
struct Intermediates {
  std::map<std::string, at::Tensor> tensors;
};

// Smallest face crop a transfer accepts, in pixels per side.
constexpr int64_t kSmallestFaceCrop = 64;

// Throws barbershop::Error naming `role` ("identity", ...) unless `image` is
// RGB [3,H,W] with both sides at least kSmallestFaceCrop: what any image of
// a face needs, photo or crop.
void check_face_image(const at::Tensor& image, const std::string& role);

// check_face_image, and square: an aligned face crop, what transfer() takes.
// check_inputs() (engine/barbershop.h) calls it before anything loads, so a
// wrong image fails at once.
void check_face_crop(const at::Tensor& image, const std::string& role);

}  // namespace barbershop
