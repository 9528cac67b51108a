#pragma once
// Images as the engine sees them: float32 RGB tensors [3,H,W] in [-1, 1].
#include <ATen/core/Tensor.h>

#include <string>

namespace barbershop {

// .npy ([3,H,W] or [1,3,H,W] in [-1,1]) always; PNG/JPEG/anything OpenCV
// reads when built with OpenCV (grey and RGBA become RGB).
at::Tensor read_image(const std::string& path);

// .npy keeps the float values; .png is 8-bit RGB (needs OpenCV). Atomic.
void write_image(const std::string& path, const at::Tensor& image);

// A user's hair mask: a grey/RGB image where hair is an 8-bit value >= 128
// (first channel), or a .npy [H,W] where hair is >= 0.5. Returns [H,W]
// float 0/1.
at::Tensor read_mask(const std::string& path);

// Label maps [H,W] of small integers as 8-bit grey PNG (or .npy).
void write_labels(const std::string& path, const at::Tensor& labels);

}  // namespace barbershop
