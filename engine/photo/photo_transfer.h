#pragma once
// The whole method on ordinary photos, as the front door (engine/barbershop.h)
// runs it: faces are found and FFHQ-aligned first, the transfer runs on the
// aligned crops, and the result is pasted back into the identity photo, so
// only its hair changes.
#include <ATen/core/Tensor.h>

#include <string>

#include "engine/photo/ffhq_align.h"
#include "engine/pipeline/transfer.h"

namespace barbershop {

struct PhotoOptions {
  AlignMode align = AlignMode::Auto;
  FaceChoice identity_face;  // the structure and appearance images use their largest face
  std::string landmark_model = default_landmark_model();
};

// What transfer_photos() needs of each image before it looks for faces:
// check_face_image(), and without dlib an aligned (square) crop. Throws
// barbershop::Error naming `role`; check_inputs() calls it before anything loads.
void check_photo(const at::Tensor& image, const std::string& role);

// transfer() for photos of any size. The images' hair masks are in their
// photos' coordinates and are aligned with them; the target mask is in the
// generator's square. When the identity image was aligned, result.image is
// the identity photo's size with the result pasted in, and intermediates
// gain "aligned_identity", "aligned_result" and "paste_mask" ([H,W]).
// Square images where no face is found are used as they are (with a
// warning); other images without a face throw barbershop::Error.
TransferOutput transfer_photos(const Models& models, TransferTensors images, const TransferSettings& settings,
                               const TransferProgress& progress, const PhotoOptions& options = {});

}  // namespace barbershop
