#include "plugin/common/engine_bridge.h"

#include <ATen/ATen.h>

#include "engine/barbershop.h"
#include "engine/io/image.h"

namespace barbershop::plugin {
namespace {

at::Tensor image_of(const Pixels& pixels) { return image_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width); }

at::Tensor mask_of(const Pixels& pixels) {
  return pixels.empty() ? at::Tensor() : mask_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width);
}

Pixels pixels_of(const at::Tensor& image) {
  return {static_cast<int>(image.size(2)), static_cast<int>(image.size(1)), rgb8_from_image(image)};
}

}  // namespace

Pixels run_transfer(const TransferJob& job, const StageProgress& progress, const Warning& warn) {
  const TransferImages images{image_of(job.identity),      image_of(job.structure),     image_of(job.appearance),
                              mask_of(job.identity_mask),  mask_of(job.structure_mask), mask_of(job.appearance_mask),
                              mask_of(job.target_mask)};
  check_inputs(job.options, images);
  const Engine engine(job.options);
  const Progress engine_progress(
      [&](const std::string& stage, int step, int total) { progress(stage, static_cast<double>(step) / total); },
      nullptr, warn);
  return pixels_of(engine.transfer(images, engine_progress).image);
}

Pixels run_hair_mask(const Pixels& face, const TransferOptions& options, const Warning& warn) {
  const Engine engine(options);
  const at::Tensor hair = engine.hair_mask(image_of(face), Progress(nullptr, nullptr, warn));
  return pixels_of(hair.mul(2).sub(1).unsqueeze(0).expand({3, -1, -1}));
}

}  // namespace barbershop::plugin
