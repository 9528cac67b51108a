#include "engine/io/image_tensor.h"

#include <ATen/ATen.h>

#include "engine/error.h"

namespace barbershop {
namespace {

// The buffer's floats as a tensor [H,W,C] (a copy: the buffer may go away).
at::Tensor hwc_of(const ImageBuffer& buffer, int64_t channels, const char* what) {
  if (buffer.channels != channels || buffer.width < 1 || buffer.height < 1 ||
      static_cast<int64_t>(buffer.values.size()) != buffer.width * buffer.height * channels)
    throw Error(std::string("expected ") + what + " of " + std::to_string(channels) + " channel(s), got " +
                std::to_string(buffer.width) + "x" + std::to_string(buffer.height) + "x" +
                std::to_string(buffer.channels) + " with " + std::to_string(buffer.values.size()) + " values");
  return at::from_blob(const_cast<float*>(buffer.values.data()), {buffer.height, buffer.width, channels}, at::kFloat)
      .clone();
}

ImageBuffer buffer_of_hwc(const at::Tensor& hwc) {
  const at::Tensor values = hwc.to(at::kCPU, at::kFloat).contiguous();
  ImageBuffer buffer;
  buffer.height = values.size(0);
  buffer.width = values.size(1);
  buffer.channels = values.size(2);
  buffer.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  return buffer;
}

}  // namespace

at::Tensor tensor_of_image(const ImageBuffer& image) {
  if (image.empty()) return {};
  return hwc_of(image, 3, "an RGB image").permute({2, 0, 1}).mul(255.0).mul(2.0 / 255.0).sub(1.0).contiguous();
}

ImageBuffer image_of_tensor(const at::Tensor& image) {
  if (!image.defined()) return {};
  if (image.dim() != 3 || image.size(0) != 3)
    throw Error("expected an image [3, H, W], got " + shape_string(image.sizes().vec()));
  return buffer_of_hwc(((image.detach().to(at::kCPU, at::kFloat) + 1) / 2).permute({1, 2, 0}));
}

at::Tensor tensor_of_mask(const ImageBuffer& mask) {
  if (mask.empty()) return {};
  return hwc_of(mask, 1, "a mask").select(2, 0).contiguous();
}

ImageBuffer mask_of_tensor(const at::Tensor& mask) {
  if (!mask.defined()) return {};
  if (mask.dim() != 2) throw Error("expected a mask [H, W], got " + shape_string(mask.sizes().vec()));
  return buffer_of_hwc(mask.unsqueeze(2));
}

}  // namespace barbershop
