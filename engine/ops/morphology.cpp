#include "engine/ops/morphology.h"

#include <ATen/ATen.h>

namespace barbershop {
namespace {

using Reduce = at::Tensor (*)(const at::Tensor&, const at::Tensor&);

// `iterations` times: each pixel becomes `reduce` (max: dilation, min:
// erosion) of the five values under a 3x3 cross centred on it, with 0
// outside the image.
at::Tensor reduce_cross_neighbourhood(const at::Tensor& masks, int64_t iterations, Reduce reduce) {
  at::Tensor out = (masks > 0.5).to(at::kFloat);
  const int64_t h = out.size(-2), w = out.size(-1);
  for (int64_t i = 0; i < iterations; ++i) {
    const at::Tensor padded = at::constant_pad_nd(out, {1, 1, 1, 1}, 0.0);
    auto window = [&](int64_t dy, int64_t dx) { return padded.narrow(-2, 1 + dy, h).narrow(-1, 1 + dx, w); };
    out = reduce(reduce(reduce(window(0, 0), window(-1, 0)), reduce(window(1, 0), window(0, -1))), window(0, 1));
  }
  return out;
}

}  // namespace

at::Tensor dilate(const at::Tensor& masks, int64_t iterations) {
  return reduce_cross_neighbourhood(masks, iterations, &at::maximum);
}

at::Tensor erode(const at::Tensor& masks, int64_t iterations) {
  return reduce_cross_neighbourhood(masks, iterations, &at::minimum);
}

}  // namespace barbershop
