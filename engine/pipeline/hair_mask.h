#pragma once
// The parser's hair region of one face crop, at the crop's own size: what
// users start from when they paint their own hair mask (Engine::hair_mask in
// engine/barbershop.h, which also maps photos). Same encoding the mask
// inputs read back: 1 = hair.
#include <ATen/core/Tensor.h>

#include "engine/networks/bisenet.h"

namespace barbershop {

// image: [3,H,W] in [-1,1], a square face crop (check_face_crop). Returns
// [H,W] float 0/1 on the CPU. The crop is Lanczos-resized to the parser's
// 512x512 and parsed as a photo; the hair labels come back by nearest
// neighbour, as the pipeline resizes user masks the other way.
at::Tensor hair_mask(const FaceParser& parser, const at::Tensor& image);

}  // namespace barbershop
