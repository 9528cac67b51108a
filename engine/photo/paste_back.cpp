#include "engine/photo/paste_back.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "engine/error.h"
#include "engine/ops/morphology.h"
#include "engine/pipeline/hair_mask.h"
#include "engine/pipeline/stage.h"

namespace barbershop {
namespace {

// The feather reaches this share of the square's side beyond the region.
constexpr int64_t kReachDivisor = 32;

at::Tensor at_size(const at::Tensor& mask, int64_t size) {
  return mask.size(-1) == size ? mask.to(at::kFloat) : resize_nearest(mask.to(at::kFloat), size)[0][0];
}

// 1 inside, rising linearly from the square's outer pixels over `reach` pixels. [n,n]
at::Tensor border_fade(int64_t n, int64_t reach) {
  const at::Tensor k = at::arange(n, at::kFloat);
  const at::Tensor ramp = ((at::minimum(k, n - 1 - k) + 0.5) / double(reach)).clamp(0, 1);
  return ramp.view({-1, 1}) * ramp.view({1, -1});
}

void check_paste_inputs(const at::Tensor& photo, const at::Tensor& result, const AlignTransform& t) {
  if (photo.dim() != 3 || photo.size(0) != 3 || photo.size(1) != t.photo_height || photo.size(2) != t.photo_width)
    throw Error("paste-back needs the photo the face was aligned from (" + std::to_string(t.photo_width) + "x" +
                std::to_string(t.photo_height) + "), got " + shape_string(photo.sizes().vec()));
  if (result.dim() != 3 || result.size(0) != 3 || result.size(1) != result.size(2))
    throw Error("paste-back needs a square RGB result [3, n, n], got " + shape_string(result.sizes().vec()));
}

}  // namespace

at::Tensor changed_region(const FaceParser& parser, const at::Tensor& aligned_identity, const at::Tensor& result,
                          const at::Tensor& also) {
  const int64_t n = result.size(-1);
  at::Tensor region = at::maximum(hair_mask(parser, result), at_size(hair_mask(parser, aligned_identity), n));
  if (also.defined()) region = at::maximum(region, at_size(also.to(at::kCPU).ge(0.5), n));
  return region;
}

at::Tensor feathered_mask(const at::Tensor& region) {
  const int64_t n = region.size(-1);
  const int64_t reach = std::max<int64_t>(2, n / kReachDivisor);
  // A box of half-width reach/2 fits inside the dilation (a diamond of
  // radius reach), so the region itself keeps weight exactly 1.
  const int64_t half = reach / 2;
  const at::Tensor grown = dilate(region.to(at::kCPU, at::kFloat).view({1, 1, n, n}), reach);
  const at::Tensor soft = at::avg_pool2d(grown, {2 * half + 1, 2 * half + 1}, {1, 1}, {half, half})[0][0];
  return soft * border_fade(n, reach);
}

PastedPhoto paste_back(const at::Tensor& photo, const at::Tensor& result, const AlignTransform& t,
                       const at::Tensor& region) {
  check_paste_inputs(photo, result, t);
  const at::Tensor original = photo.detach().to(at::kCPU, at::kFloat);
  const at::Tensor weight = unalign(feathered_mask(at_size(region.to(at::kCPU), result.size(-1))), t, false).clamp(0, 1);
  const at::Tensor warped = unalign(result.to(at::kCPU), t, true);
  // `where` rather than the blend everywhere: untouched pixels keep their exact bits.
  const at::Tensor blended = at::where(weight.gt(0), original + (warped - original) * weight, original);
  return {blended, weight};
}

}  // namespace barbershop
