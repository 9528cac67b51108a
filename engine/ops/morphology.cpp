#include "engine/ops/morphology.h"

#include <ATen/ATen.h>

namespace barbershop {
namespace {

// The five values under a 3x3 cross centred on each pixel, with 0 outside.
std::array<at::Tensor, 5> cross_neighbourhood(const at::Tensor& mask) {
  const int64_t h = mask.size(-2), w = mask.size(-1);
  const at::Tensor padded = at::constant_pad_nd(mask, {1, 1, 1, 1}, 0.0);
  auto window = [&](int64_t dy, int64_t dx) {
    return padded.narrow(-2, 1 + dy, h).narrow(-1, 1 + dx, w);
  };
  return {window(0, 0), window(-1, 0), window(1, 0), window(0, -1), window(0, 1)};
}

}  // namespace

at::Tensor dilate(const at::Tensor& masks, int64_t iterations) {
  at::Tensor out = (masks > 0.5).to(at::kFloat);
  for (int64_t i = 0; i < iterations; ++i) {
    auto n = cross_neighbourhood(out);
    out = at::maximum(at::maximum(at::maximum(n[0], n[1]), at::maximum(n[2], n[3])), n[4]);
  }
  return out;
}

at::Tensor erode(const at::Tensor& masks, int64_t iterations) {
  at::Tensor out = (masks > 0.5).to(at::kFloat);
  for (int64_t i = 0; i < iterations; ++i) {
    auto n = cross_neighbourhood(out);
    out = at::minimum(at::minimum(at::minimum(n[0], n[1]), at::minimum(n[2], n[3])), n[4]);
  }
  return out;
}

}  // namespace barbershop
