#pragma once
// The bicubic downsampler of the method (docs/method.md, "Helper operations"):
// separable Keys kernel (a = -0.5) of length 4f, reflect padding, stride f.
#include <ATen/core/Tensor.h>

namespace barbershop {

// images: [B,C,H,W] float, H and W multiples of `factor` (>= 1). Differentiable.
// With factor 1 it is still a 4-tap filter, not the identity (reference behaviour).
at::Tensor bicubic_downsample(const at::Tensor& images, int64_t factor);

}  // namespace barbershop
