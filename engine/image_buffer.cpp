#include "engine/image_buffer.h"

#include <cctype>
#include <cmath>

#include <ATen/core/Tensor.h>

#include "engine/io/image.h"
#include "engine/io/image_tensor.h"

namespace barbershop {
namespace {

bool is_npy(const std::string& path) {
  std::string tail = path.size() >= 4 ? path.substr(path.size() - 4) : "";
  for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".npy";
}

}  // namespace

// An 8-bit file's pixels as exact levels k/255 (the engine's reader's
// tensor holds them exactly: rgb8_from_image gives the bytes back), so the
// door's tensor_of_image makes the very tensor read_image makes.
ImageBuffer read_image_buffer(const std::string& path) {
  const at::Tensor image = read_image(path);
  if (is_npy(path)) return image_of_tensor(image);
  const std::vector<uint8_t> rgb = rgb8_from_image(image);
  return buffer_from_rgb8(rgb.data(), image.size(1), image.size(2));
}

ImageBuffer read_mask_buffer(const std::string& path) { return mask_of_tensor(read_mask(path)); }

// An 8-bit file gets its bytes from the buffer's values as the engine
// rounds its own results (rgb8_from_buffer), so writing a result handed out
// as a buffer writes the bytes the engine wrote before it handed out
// buffers; a .npy gets the values themselves.
void write_image_buffer(const std::string& path, const ImageBuffer& image) {
  if (is_npy(path)) return write_image(path, tensor_of_image(image));
  tensor_of_image(image);  // checks the buffer's shape
  const std::vector<uint8_t> rgb = rgb8_from_buffer(image);
  write_image(path, image_from_rgb8(rgb.data(), image.height, image.width));
}

ImageBuffer buffer_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width) {
  ImageBuffer image{width, height, 3, std::vector<float>(static_cast<size_t>(width * height * 3))};
  for (size_t i = 0; i < image.values.size(); ++i) image.values[i] = static_cast<float>(rgb[i]) / 255.0f;
  return image;
}

std::vector<uint8_t> rgb8_from_buffer(const ImageBuffer& image) {
  std::vector<uint8_t> rgb(image.values.size());
  for (size_t i = 0; i < rgb.size(); ++i)
    // nearbyint: ties to even, as LibTorch's round() in the engine's own writer.
    rgb[i] = static_cast<uint8_t>(std::nearbyint(std::fmin(std::fmax(image.values[i], 0.0f), 1.0f) * 255.0f));
  return rgb;
}

ImageBuffer mask_buffer_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width) {
  ImageBuffer mask{width, height, 1, std::vector<float>(static_cast<size_t>(width * height))};
  for (size_t i = 0; i < mask.values.size(); ++i) mask.values[i] = rgb[3 * i] >= 128 ? 1.0f : 0.0f;
  return mask;
}

}  // namespace barbershop
