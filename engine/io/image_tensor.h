#pragma once
// The engine's side of the door's images (engine/image_buffer.h): buffers
// to and from the [3,H,W] tensors in [-1,1] (and [H,W] masks) the engine
// computes with.
#include <ATen/core/Tensor.h>

#include "engine/image_buffer.h"

namespace barbershop {

// RGB buffer -> [3,H,W] in [-1,1]: each value v becomes (v * 255) * (2/255)
// - 1 in float, the very tensor image_from_rgb8 makes from the same 8-bit
// pixels (v * 255 gives back the level k exactly for v = k/255), so a host
// handing over 8-bit pixels gets the results it got before the door took
// buffers. An empty buffer gives an undefined tensor.
at::Tensor tensor_of_image(const ImageBuffer& image);
// [3,H,W] in [-1,1] -> RGB buffer, (x + 1) / 2, not clamped (as the
// engine's own bytes_of computes before clamping and rounding).
ImageBuffer image_of_tensor(const at::Tensor& image);
// 1-channel buffer -> [H,W] float, and back; empty <-> undefined.
at::Tensor tensor_of_mask(const ImageBuffer& mask);
ImageBuffer mask_of_tensor(const at::Tensor& mask);

}  // namespace barbershop
