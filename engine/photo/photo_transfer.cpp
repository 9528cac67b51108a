#include "engine/photo/photo_transfer.h"

#include <ATen/ATen.h>

#include <memory>
#include <optional>

#include "engine/error.h"
#include "engine/photo/paste_back.h"

namespace barbershop {
namespace {

constexpr char kStage[] = "finding faces";
constexpr int kRoles = 3;

// The 100 MB landmark model is read only when an image needs it, once.
class LazyFinder {
 public:
  explicit LazyFinder(std::string model) : model_(std::move(model)) {}
  const FaceFinder& get() {
    if (!finder_) finder_ = std::make_unique<FaceFinder>(model_);
    return *finder_;
  }

 private:
  std::string model_;
  std::unique_ptr<FaceFinder> finder_;
};

bool is_square(const at::Tensor& image) { return image.dim() == 3 && image.size(1) == image.size(2); }

// The alignment `image` needs, or nothing when it already is an aligned crop.
std::optional<AlignedFace> alignment_for(const at::Tensor& image, const std::string& role, const FaceChoice& choice,
                                         int64_t size, LazyFinder& finder, const TransferProgress& progress) {
  check_photo(image, role);
  if (!face_detection_available()) return std::nullopt;
  const std::string what = "the " + role + " image";
  const std::vector<FaceLandmarks> faces = finder.get().find(image);
  if (faces.empty() && is_square(image)) {
    progress.warn("no face found in " + what + "; using it as it is, as an aligned face crop");
    return std::nullopt;
  }
  const FaceLandmarks& face = choose_face(faces, choice, what);
  if (is_aligned_crop(face, image.size(2), image.size(1))) return std::nullopt;
  return align_face(face, image, size);
}

// Replaces `image` (and its hair mask) by the aligned crop when it needs one.
std::optional<AlignedFace> align_role(at::Tensor& image, at::Tensor& hair, const std::string& role,
                                      const FaceChoice& choice, int64_t size, LazyFinder& finder,
                                      const TransferProgress& progress) {
  std::optional<AlignedFace> aligned = alignment_for(image, role, choice, size, finder, progress);
  if (!aligned) return aligned;
  if (hair.defined()) hair = align_mask(hair, aligned->transform).ge(0.5).to(at::kFloat);
  image = aligned->image;
  return aligned;
}

}  // namespace

void check_photo(const at::Tensor& image, const std::string& role) {
  check_face_image(image, role);
  if (!face_detection_available() && !is_square(image))
    throw Error("the " + role + " image is not a square face crop, and this build has no dlib to find the face in "
                "it; crop it to a square around the face, align it with a build that has dlib, or rebuild with "
                "-DBARBERSHOP_WITH_DLIB=ON");
}

TransferOutput transfer_photos(const Models& models, TransferTensors images, const TransferSettings& settings,
                               const TransferProgress& progress, const PhotoOptions& options) {
  if (options.align == AlignMode::Off) return transfer(models, images, settings, progress);
  LazyFinder finder(options.landmark_model);
  const at::Tensor photo = images.identity;
  const std::optional<AlignedFace> identity =
      align_role(images.identity, images.identity_hair, "identity", options.identity_face, models.size(), finder, progress);
  progress.step(kStage, 1, kRoles);
  align_role(images.structure, images.structure_hair, "structure", {}, models.size(), finder, progress);
  progress.step(kStage, 2, kRoles);
  align_role(images.appearance, images.appearance_hair, "appearance", {}, models.size(), finder, progress);
  progress.step(kStage, 3, kRoles);

  if (!identity) return transfer(models, images, settings, progress);
  // Previews are pasted back into the photo as the result is (a layout's
  // tinted region pasted whole).
  const TransferProgress pasting = progress.with_composer([&](const at::Tensor& image, const at::Tensor& tinted) {
    at::Tensor region = changed_region(models.parser, identity->image, image, images.identity_hair);
    if (tinted.defined()) region = at::maximum(region, tinted.to(at::kCPU, at::kFloat));
    return paste_back(photo, image, identity->transform, region).image;
  });
  TransferOutput result = transfer(models, images, settings, pasting);
  const at::Tensor region = changed_region(models.parser, identity->image, result.image, images.identity_hair);
  PastedPhoto pasted = paste_back(photo, result.image, identity->transform, region);
  result.intermediates["aligned_identity"] = identity->image;
  result.intermediates["aligned_result"] = result.image;
  result.intermediates["paste_mask"] = pasted.mask;
  result.image = pasted.image;
  return result;
}

}  // namespace barbershop
