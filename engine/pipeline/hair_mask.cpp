#include "engine/pipeline/hair_mask.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "engine/ops/lanczos.h"
#include "engine/pipeline/transfer.h"
#include "engine/pipeline/stage.h"

namespace barbershop {

at::Tensor hair_mask(const FaceParser& parser, const at::Tensor& image) {
  check_face_crop(image, "face");
  torch::NoGradGuard no_grad;
  const int64_t size = image.size(1);
  const c10::Device device = parser.network()->parameters().front().device();
  at::Tensor batched = image.to(device, at::kFloat).unsqueeze(0);
  if (size != FaceParser::kSize) batched = lanczos_resize(batched, FaceParser::kSize, FaceParser::kSize);
  const at::Tensor labels = parser.labels(batched, FaceParser::Source::Photo);
  return resize_nearest(hair_of(labels), size)[0][0].to(at::kCPU);
}

}  // namespace barbershop
