// Bicubic downsampling as the reference does it: a separable Keys kernel
// sampled at the centres of the 4f input pixels each output pixel covers,
// applied first along H, then along W, each with reflect padding.
#include "engine/ops/bicubic.h"

#include <ATen/ATen.h>

#include <cmath>
#include <vector>

#include "engine/error.h"

namespace barbershop {
namespace {

// Keys' cubic convolution kernel with a = -0.5 (Catmull-Rom).
double keys_cubic(double x) {
  const double a = -0.5;
  const double t = std::abs(x);
  if (t <= 1.0) return (a + 2.0) * t * t * t - (a + 3.0) * t * t + 1.0;
  if (t < 2.0) return a * t * t * t - 5.0 * a * t * t + 8.0 * a * t - 4.0 * a;
  return 0.0;
}

// 4f taps at ((i - 2f) + 0.5) / f, normalised so a constant stays constant.
std::vector<double> downsample_taps(int64_t factor) {
  const int64_t size = 4 * factor;
  std::vector<double> taps(size);
  double sum = 0.0;
  for (int64_t i = 0; i < size; ++i) {
    taps[i] = keys_cubic((static_cast<double>(i - 2 * factor) + 0.5) / factor);
    sum += taps[i];
  }
  for (double& t : taps) t /= sum;
  return taps;
}

}  // namespace

at::Tensor bicubic_downsample(const at::Tensor& images, int64_t factor) {
  if (images.dim() != 4)
    throw Error("bicubic_downsample: expected [B,C,H,W] images, got " +
                shape_string(images.sizes().vec()));
  if (factor < 1) throw Error("bicubic_downsample: factor must be >= 1");
  const int64_t size = 4 * factor;
  // Total padding 4f - f keeps the output at H/f; the smaller half goes first.
  const int64_t pad = size - factor;
  const int64_t before = pad / 2, after = pad - before;
  const int64_t B = images.size(0), C = images.size(1), H = images.size(2), W = images.size(3);
  if (H <= after || W <= after)
    throw Error("bicubic_downsample: image " + shape_string(images.sizes().vec()) +
                " is too small for factor " + std::to_string(factor));

  const std::vector<double> taps = downsample_taps(factor);
  const at::Tensor kernel =
      at::tensor(taps, at::TensorOptions().dtype(at::kDouble))
          .to(images.device(), images.scalar_type());

  // Every channel is filtered alike: fold channels into the batch.
  at::Tensor x = images.reshape({B * C, 1, H, W});
  x = at::reflection_pad2d(x, {0, 0, before, after});
  x = at::conv2d(x, kernel.view({1, 1, size, 1}), {}, {factor, 1});
  x = at::reflection_pad2d(x, {before, after, 0, 0});
  x = at::conv2d(x, kernel.view({1, 1, 1, size}), {}, {1, factor});
  return x.reshape({B, C, x.size(2), x.size(3)});
}

}  // namespace barbershop
