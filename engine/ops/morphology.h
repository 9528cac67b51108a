#pragma once
// Binary dilation and erosion with a 3x3 cross, repeated `iterations` times,
// as scipy.ndimage.binary_dilation / binary_erosion do them in the reference
// (outside the image counts as 0, so erosion eats in from the border).
#include <ATen/core/Tensor.h>

namespace barbershop {

// masks: [..., H, W] float, values 0 or 1. Returns float 0/1 of the same shape.
at::Tensor dilate(const at::Tensor& masks, int64_t iterations);
at::Tensor erode(const at::Tensor& masks, int64_t iterations);

}  // namespace barbershop
