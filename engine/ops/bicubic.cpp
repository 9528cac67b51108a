// Bicubic downsampling as the reference does it: a separable Keys kernel
// sampled at the centres of the 4f input pixels each output pixel covers,
// applied first along H, then along W, each with reflect padding.
#include "engine/ops/bicubic.h"

#include <ATen/ATen.h>

#include <c10/core/InferenceMode.h>

#include <cmath>
#include <map>
#include <mutex>
#include <tuple>
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

// The taps on `device` in `dtype`, made once per (factor, device, dtype) and
// kept. Built on the host and copied over at every call they would put a
// host-to-device copy into each optimisation step, which a recorded CUDA
// graph cannot hold (engine/pipeline/stage.cpp): the warm-up steps before a
// recording make them, the recorded steps only read them.
at::Tensor taps_on(int64_t factor, c10::Device device, at::ScalarType dtype) {
  using Key = std::tuple<int64_t, c10::DeviceType, c10::DeviceIndex, at::ScalarType>;
  static std::mutex mutex;
  // Never destroyed: a CUDA tensor freed after the CUDA runtime has shut
  // down at exit would fail.
  static auto* made = new std::map<Key, at::Tensor>();
  const std::lock_guard<std::mutex> lock(mutex);
  auto [entry, fresh] = made->try_emplace(Key{factor, device.type(), device.index(), dtype});
  if (fresh) {
    // A constant made in inference mode could not be saved for a backward.
    const c10::InferenceMode not_inference(false);
    entry->second = at::tensor(downsample_taps(factor), at::TensorOptions().dtype(at::kDouble)).to(device, dtype);
  }
  return entry->second;
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

  const at::Tensor kernel = taps_on(factor, images.device(), images.scalar_type());

  // Every channel is filtered alike: fold channels into the batch.
  at::Tensor x = images.reshape({B * C, 1, H, W});
  x = at::reflection_pad2d(x, {0, 0, before, after});
  x = at::conv2d(x, kernel.view({1, 1, size, 1}), {}, {factor, 1});
  x = at::reflection_pad2d(x, {before, after, 0, 0});
  x = at::conv2d(x, kernel.view({1, 1, 1, size}), {}, {1, factor});
  return x.reshape({B, C, x.size(2), x.size(3)});
}

}  // namespace barbershop
