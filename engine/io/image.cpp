#include "engine/io/image.h"

#include <ATen/ATen.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/error.h"
#include "engine/files.h"
#include "engine/io/npy.h"

#ifdef BARBERSHOP_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace barbershop {
namespace {

std::string lowercase_extension(const std::string& path) {
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

at::Tensor image_from_npy(const std::string& path) {
  at::Tensor image = read_npy(path);
  if (image.dim() == 4 && image.size(0) == 1) image = image.squeeze(0);
  if (image.dim() != 3 || image.size(0) != 3)
    throw Error(path + ": expected an image of shape [3, H, W] (or [1, 3, H, W]) in [-1, 1], found " +
                shape_string(image.sizes().vec()));
  return image.to(at::kFloat).contiguous();
}

// [3,H,W] in [-1,1] -> [3,H,W] bytes: (x + 1) / 2 clamped to [0, 1], times
// 255, rounded. The reference truncates instead, which turns 47 of the 256
// levels of an 8-bit input one lower on the way through floats; rounding
// gives every untouched pixel back exactly (photos pasted back, layers).
at::Tensor bytes_of(const at::Tensor& image) {
  return ((image.detach().to(at::kCPU, at::kFloat) + 1) / 2).clamp(0, 1).mul(255).round().to(at::kByte);
}

at::Tensor rgb8_tensor(const uint8_t* rgb, int64_t height, int64_t width) {
  if (height < 1 || width < 1) throw Error("an image needs at least one pixel, got " + std::to_string(width) + "x" + std::to_string(height));
  // from_blob borrows the caller's pixels; every use below copies them.
  return at::from_blob(const_cast<uint8_t*>(rgb), {height, width, 3}, at::kByte);
}

#ifdef BARBERSHOP_WITH_OPENCV

// --- what an image file declares, read before anything is decoded
// cv::imdecode allocates the whole image before it reads a pixel (a 68-byte
// PNG declaring 30000x30000 costs 2.7 GB), and it tries every decoder OpenCV
// has (GDAL, JPEG 2000, ...; GDAL copies the bytes to /tmp first). So only
// PNG and JPEG get through, and only up to this size: 2^27 pixels covers
// every camera up to 100-megapixel medium format, for photos to align, and
// costs about 2.5 GB while decoding (8-bit rows, RGB copy, float tensor).
// Everything the method itself does happens at 1024x1024 or less.
constexpr uint64_t kMaxImagePixels = uint64_t{1} << 27;

struct PixelSize {
  uint64_t width = 0, height = 0;
};

uint64_t big_endian(const std::string& bytes, size_t at, int n) {
  uint64_t value = 0;
  for (int i = 0; i < n; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

bool starts_with(const std::string& bytes, std::string_view magic) {
  return bytes.size() >= magic.size() && bytes.compare(0, magic.size(), magic) == 0;
}

// PNG: the signature, then the IHDR chunk (length, "IHDR", width, height).
std::optional<PixelSize> png_size(const std::string& bytes) {
  if (bytes.size() < 24 || bytes.compare(12, 4, "IHDR") != 0) return std::nullopt;
  return PixelSize{big_endian(bytes, 16, 4), big_endian(bytes, 20, 4)};
}

// JPEG start-of-frame markers (SOF0-SOF15 but DHT, JPG and DAC) carry the size.
bool is_start_of_frame(uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// JPEG: marker segments after SOI (FF D8), each FF, a marker and a big-endian
// length that counts itself, until the start of frame: precision, height, width.
std::optional<PixelSize> jpeg_size(const std::string& bytes) {
  size_t at = 2;
  while (at < bytes.size() && static_cast<uint8_t>(bytes[at]) == 0xFF) {
    while (at < bytes.size() && static_cast<uint8_t>(bytes[at]) == 0xFF) ++at;  // fill bytes
    if (at >= bytes.size()) break;
    const uint8_t marker = static_cast<uint8_t>(bytes[at++]);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // markers without a length
    if (marker == 0xD9 || marker == 0xDA || at + 2 > bytes.size()) break;  // end, or a scan before any frame
    const uint64_t length = big_endian(bytes, at, 2);
    if (is_start_of_frame(marker) && length >= 7 && at + 7 <= bytes.size())
      return PixelSize{big_endian(bytes, at + 5, 2), big_endian(bytes, at + 3, 2)};
    if (length < 2) break;
    at += length;
  }
  return std::nullopt;
}

PixelSize declared_size(const std::string& path, const std::string& bytes) {
  std::optional<PixelSize> size;
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) {
    size = png_size(bytes);
  } else if (starts_with(bytes, "\xff\xd8\xff")) {
    size = jpeg_size(bytes);
  } else {
    throw Error(path + ": not a PNG or JPEG image (the formats this program reads); save it as PNG or JPEG");
  }
  if (!size) throw Error(path + ": a damaged image file (its header is cut short); save it again as PNG or JPEG");
  return *size;
}

// --- decoding

// Any depth and channel count OpenCV decodes -> 8-bit or 16-bit RGB.
cv::Mat to_rgb(const cv::Mat& decoded) {
  cv::Mat rgb;
  switch (decoded.channels()) {
    case 1: cv::cvtColor(decoded, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(decoded, rgb, cv::COLOR_BGRA2RGB); break;
    default: throw Error("unsupported channel count " + std::to_string(decoded.channels()));
  }
  return rgb;
}

at::Tensor to_tensor(const std::string& path, const cv::Mat& decoded) {
  if (decoded.empty()) throw Error(path + ": a damaged image file; save it again as PNG or JPEG");
  if (decoded.depth() != CV_8U && decoded.depth() != CV_16U)
    throw Error(path + ": unsupported pixel depth; save it as 8- or 16-bit PNG");
  const cv::Mat rgb = to_rgb(decoded);
  if (rgb.depth() == CV_8U) return image_from_rgb8(rgb.ptr<uint8_t>(), rgb.rows, rgb.cols);
  cv::Mat scaled;
  rgb.convertTo(scaled, CV_32F, 2.0 / 65535.0, -1.0);
  at::Tensor hwc = at::from_blob(scaled.data, {scaled.rows, scaled.cols, 3}, at::kFloat);
  return hwc.permute({2, 0, 1}).contiguous();  // from_blob borrows; contiguous() copies
}

at::Tensor decode(const std::string& path, const std::string& bytes) {
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
  try {
    return to_tensor(path, cv::imdecode(encoded, cv::IMREAD_UNCHANGED));
  } catch (const cv::Exception&) {
    // OpenCV refuses some damaged files by throwing its own assertion text;
    // the user needs the file's name and what to do.
    throw Error(path + ": a damaged image file; save it again as PNG or JPEG");
  }
}

at::Tensor image_from_file(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.empty()) throw Error(path + ": the file is empty; save the image again as PNG or JPEG");
  const PixelSize size = declared_size(path, bytes);
  if (size.width * size.height > kMaxImagePixels)
    throw Error(path + ": the image is " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                " pixels, more than this program reads (limit 134 megapixels, e.g. 16384x8192); scale it down first");
  return decode(path, bytes);
}

// [C,H,W] bytes -> encoded PNG/JPEG, written atomically.
void encode_and_write(const std::string& path, const at::Tensor& chw_bytes) {
  const at::Tensor hwc = chw_bytes.permute({1, 2, 0}).contiguous();
  const int channels = static_cast<int>(hwc.size(2));
  cv::Mat mat(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_8UC(channels),
              hwc.data_ptr<uint8_t>());
  if (channels == 3) cv::cvtColor(mat, mat, cv::COLOR_RGB2BGR);
  std::vector<uchar> encoded;
  const std::string ext = "." + lowercase_extension(path);
  bool ok = false;
  try {
    ok = cv::imencode(ext, mat, encoded);
  } catch (const cv::Exception&) {
  }
  if (!ok) throw Error("cannot encode " + path + " as '" + ext + "'; use .png or .npy");
  write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()));
}

#else

at::Tensor image_from_file(const std::string& path) {
  throw Error(path + ": this build has no OpenCV, so it reads images only as .npy "
              "(float32 [3, H, W] in [-1, 1]); rebuild with -DBARBERSHOP_WITH_OPENCV=ON");
}

void encode_and_write(const std::string& path, const at::Tensor&) {
  throw Error(path + ": this build has no OpenCV, so it writes images only as .npy; "
              "rebuild with -DBARBERSHOP_WITH_OPENCV=ON");
}

#endif

}  // namespace

at::Tensor image_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width) {
  return rgb8_tensor(rgb, height, width).permute({2, 0, 1}).to(at::kFloat).mul(2.0 / 255.0).sub(1.0).contiguous();
}

std::vector<uint8_t> rgb8_from_image(const at::Tensor& image) {
  if (image.dim() != 3 || image.size(0) != 3)
    throw Error("expected an image [3, H, W], got " + shape_string(image.sizes().vec()));
  const at::Tensor hwc = bytes_of(image).permute({1, 2, 0}).contiguous();
  const uint8_t* data = hwc.data_ptr<uint8_t>();
  return std::vector<uint8_t>(data, data + hwc.numel());
}

at::Tensor mask_from_rgb8(const uint8_t* rgb, int64_t height, int64_t width) {
  return rgb8_tensor(rgb, height, width).select(2, 0).ge(128).to(at::kFloat);
}

at::Tensor read_image(const std::string& path) {
  return lowercase_extension(path) == "npy" ? image_from_npy(path) : image_from_file(path);
}

void write_image(const std::string& path, const at::Tensor& image) {
  at::Tensor chw = image.detach().to(at::kCPU, at::kFloat);
  if (chw.dim() == 4 && chw.size(0) == 1) chw = chw.squeeze(0);
  if (chw.dim() != 3 || chw.size(0) != 3)
    throw Error("cannot write " + path + ": expected an image [3, H, W], got " + shape_string(chw.sizes().vec()));
  if (lowercase_extension(path) == "npy") return write_npy(path, chw);
  encode_and_write(path, bytes_of(chw));
}

namespace {

#ifdef BARBERSHOP_WITH_OPENCV
constexpr char kWrittenFormats[] = "name it with .png or .npy";
bool writes_format(const std::string& extension) {
  return extension == "npy" || (!extension.empty() && cv::haveImageWriter("." + extension));
}
#else
constexpr char kWrittenFormats[] = "this build has no OpenCV and writes only .npy";
bool writes_format(const std::string& extension) { return extension == "npy"; }
#endif

}  // namespace

void check_image_output(const std::string& path) {
  const std::string extension = lowercase_extension(path);
  if (!writes_format(extension))
    throw Error("cannot write " + path + ": '" + extension + "' is not an image format this build writes; " + kWrittenFormats,
                "output");
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (folder.empty()) folder = ".";
  std::error_code ignored;
  if (!std::filesystem::is_directory(folder, ignored))
    throw Error("cannot write " + path + ": the folder " + folder.string() + " does not exist; create it first",
                "output");
  if (access(folder.c_str(), W_OK) != 0)
    throw Error("cannot write " + path + ": the folder " + folder.string() + " is not writable; choose another folder",
                "output");
}

at::Tensor read_mask(const std::string& path) {
  if (lowercase_extension(path) == "npy") {
    at::Tensor mask = read_npy(path);
    if (mask.dim() != 2)
      throw Error(path + ": expected a mask [H, W], found " + shape_string(mask.sizes().vec()));
    return mask.to(at::kFloat).ge(0.5).to(at::kFloat);
  }
  // [-1,1] back to 8-bit levels; 128 and above is hair.
  const at::Tensor levels = ((read_image(path)[0] + 1) * 127.5).round();
  return levels.ge(128).to(at::kFloat);
}

void write_labels(const std::string& path, const at::Tensor& labels) {
  at::Tensor hw = labels.detach().to(at::kCPU);
  if (hw.dim() != 2) throw Error("cannot write " + path + ": expected labels [H, W], got " + shape_string(hw.sizes().vec()));
  if (lowercase_extension(path) == "npy") return write_npy(path, hw.to(at::kFloat));
  encode_and_write(path, hw.to(at::kByte).unsqueeze(0));
}

}  // namespace barbershop
