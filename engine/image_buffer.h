#pragma once
// Images as the engine's door hands them over: plain floats, no LibTorch,
// so hosts compile without LibTorch's headers. The engine converts at the
// door to its own [3,H,W] tensors in [-1,1] (engine/io/image_tensor.h).
#include <cstdint>
#include <string>
#include <vector>

namespace barbershop {

// Row-major, channels interleaved (pixel (x, y), channel c at
// (y * width + x) * channels + c), values in [0, 1]. 3 channels: RGB; 1: a
// mask (1 = hair). An empty buffer means "none" where an image is optional.
struct ImageBuffer {
  int64_t width = 0, height = 0, channels = 0;
  std::vector<float> values;
  bool empty() const { return values.empty(); }
};

// An image file as RGB: what read_image (engine/io/image.h) reads (.npy,
// PNG, JPEG), 8-bit files as exact levels k/255.
ImageBuffer read_image_buffer(const std::string& path);
// A user's hair mask file as one channel of 0 and 1: hair is an 8-bit
// value >= 128 (first channel), or >= 0.5 in a .npy [H,W].
ImageBuffer read_mask_buffer(const std::string& path);
// An RGB buffer to .png (8-bit, rounded) or .npy ([3,H,W] in [-1,1]). Atomic.
void write_image_buffer(const std::string& path, const ImageBuffer& image);
// What writing `path` needs that can be checked before any work: a format
// this build writes and an existing, writable folder. Throws
// barbershop::Error (setting "output") naming the problem and the fix.
void check_image_output(const std::string& path);

// Packed 8-bit RGB rows (GIMP hands pixels over this way) <-> RGB buffers:
// level k is k/255, and back each value is clamped to [0, 1], times 255,
// rounded, so 8-bit pixels come back exactly.
ImageBuffer buffer_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width);
std::vector<uint8_t> rgb8_from_buffer(const ImageBuffer& image);
// A hair mask from packed 8-bit RGB: 1 where the first channel is >= 128.
ImageBuffer mask_buffer_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width);

}  // namespace barbershop
