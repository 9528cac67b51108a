#pragma once
// Images as the engine sees them: float32 RGB tensors [3,H,W] in [-1, 1].
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace barbershop {

// .npy ([3,H,W] or [1,3,H,W] in [-1,1]) always; PNG or JPEG (recognised by
// their first bytes; grey, indexed and RGBA become RGB) of up to 2^27 pixels,
// checked in the header before decoding, when built with OpenCV.
at::Tensor read_image(const std::string& path);

// .npy keeps the float values; .png is 8-bit RGB (needs OpenCV). Atomic.
void write_image(const std::string& path, const at::Tensor& image);

// What write_image(path, ...) needs that can be checked before any work: a
// format it writes and an existing, writable folder. Throws
// barbershop::Error (setting "output") naming the problem and the fix.
void check_image_output(const std::string& path);

// A user's hair mask: a grey/RGB image where hair is an 8-bit value >= 128
// (first channel), or a .npy [H,W] where hair is >= 0.5. Returns [H,W]
// float 0/1.
at::Tensor read_mask(const std::string& path);

// Packed 8-bit RGB rows (hosts such as GIMP hand pixels over this way) <->
// [3,H,W] in [-1,1]. read_image and write_image use the same conversions, so
// a host and the CLI see identical tensors for identical pixels.
at::Tensor image_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width);
// ((x + 1) / 2) clamped to [0, 1], times 255, rounded: 8-bit pixels survive
// image_from_rgb8 -> rgb8_from_image exactly.
std::vector<uint8_t> rgb8_from_image(const at::Tensor& image);
// A hair mask from packed 8-bit RGB: hair where the first channel is >= 128.
at::Tensor mask_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width);

// Label maps [H,W] of small integers as 8-bit grey PNG (or .npy).
void write_labels(const std::string& path, const at::Tensor& labels);

}  // namespace barbershop
