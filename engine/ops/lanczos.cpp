#include "engine/ops/lanczos.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace barbershop {
namespace {

constexpr double kSupport = 3.0;  // Lanczos-3

double sinc(double x) {
  if (x == 0.0) return 1.0;
  const double px = M_PI * x;
  return std::sin(px) / px;
}

double lanczos(double x) { return (x > -kSupport && x < kSupport) ? sinc(x) * sinc(x / kSupport) : 0.0; }

// Row o holds the normalised weights PIL gives input pixels for output o:
// centre (o + 0.5) * scale, support widened by the scale when shrinking.
at::Tensor resample_matrix(int64_t in_size, int64_t out_size) {
  const double scale = double(in_size) / double(out_size);
  const double filter_scale = std::max(scale, 1.0);
  const double support = kSupport * filter_scale;
  at::Tensor matrix = at::zeros({out_size, in_size}, at::kDouble);
  auto m = matrix.accessor<double, 2>();
  for (int64_t o = 0; o < out_size; ++o) {
    const double center = (o + 0.5) * scale;
    const int64_t first = std::max<int64_t>(0, int64_t(center - support + 0.5));
    const int64_t last = std::min<int64_t>(in_size, int64_t(center + support + 0.5));
    double total = 0.0;
    for (int64_t i = first; i < last; ++i) total += m[o][i] = lanczos((i - center + 0.5) / filter_scale);
    if (total != 0.0)
      for (int64_t i = first; i < last; ++i) m[o][i] /= total;
  }
  return matrix.to(at::kFloat);
}

at::Tensor to_8bit_grid(const at::Tensor& levels) { return levels.round().clamp(0, 255); }

}  // namespace

at::Tensor lanczos_resize(const at::Tensor& images, int64_t out_h, int64_t out_w) {
  const auto options = images.options().dtype(at::kFloat);
  at::Tensor levels = to_8bit_grid((images.to(at::kFloat) + 1) * 127.5);
  if (out_w != images.size(-1))
    levels = to_8bit_grid(at::matmul(levels, resample_matrix(images.size(-1), out_w).to(options.device()).t()));
  if (out_h != images.size(-2))
    levels = to_8bit_grid(at::matmul(resample_matrix(images.size(-2), out_h).to(options.device()), levels));
  return levels / 127.5 - 1;
}

}  // namespace barbershop
