#pragma once
// Lanczos resizing as PIL's Image.resize(size, LANCZOS) computes it on 8-bit
// RGB images: the reference resizes every input to 256 this way for the
// perceptual losses. Separable, horizontal pass first, each pass rounded
// and clipped to 8-bit levels like PIL's fixed-point code.
#include <ATen/core/Tensor.h>

namespace barbershop {

// images: [B,C,H,W] in [-1, 1] on any device -> [B,C,out_h,out_w] in [-1, 1],
// values on the 8-bit grid.
at::Tensor lanczos_resize(const at::Tensor& images, int64_t out_h, int64_t out_w);

}  // namespace barbershop
