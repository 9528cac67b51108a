#include "engine/io/npy.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <regex>

#include "engine/error.h"
#include "engine/files.h"

namespace barbershop {
namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLength = 6;
// numpy.load's own limit (max_header_size). The header regexes below recurse
// once per character, so a longer header could exhaust the stack.
constexpr size_t kMaxHeaderLength = 10000;

struct Header {
  at::ScalarType dtype;
  size_t item_size;
  bool fortran_order;
  std::vector<int64_t> shape;
};

// numpy's descr strings this engine accepts ('<' little-endian, '|' n/a).
bool dtype_from_descr(const std::string& descr, at::ScalarType& dtype, size_t& size) {
  static const std::pair<const char*, std::pair<at::ScalarType, size_t>> known[] = {
      {"f4", {at::kFloat, 4}}, {"f8", {at::kDouble, 8}}, {"f2", {at::kHalf, 2}},
      {"i8", {at::kLong, 8}},  {"i4", {at::kInt, 4}},    {"i2", {at::kShort, 2}},
      {"i1", {at::kChar, 1}},  {"u1", {at::kByte, 1}},   {"b1", {at::kBool, 1}}};
  if (descr.size() != 3 || (descr[0] != '<' && descr[0] != '|')) return false;
  for (const auto& [name, type] : known) {
    if (descr.compare(1, 2, name) == 0) {
      std::tie(dtype, size) = type;
      return true;
    }
  }
  return false;
}

Header parse_header(const std::string& path, const std::string& text) {
  static const std::regex descr_re("'descr'\\s*:\\s*'([^']*)'");
  static const std::regex fortran_re("'fortran_order'\\s*:\\s*(True|False)");
  static const std::regex shape_re("'shape'\\s*:\\s*\\(([^)]*)\\)");
  std::smatch descr, fortran, shape;
  if (!std::regex_search(text, descr, descr_re) || !std::regex_search(text, fortran, fortran_re) ||
      !std::regex_search(text, shape, shape_re))
    throw Error(path + ": malformed .npy header; write it with numpy.save");
  Header header{};
  if (!dtype_from_descr(descr[1], header.dtype, header.item_size))
    throw Error(path + ": unsupported .npy dtype '" + descr[1].str() +
                "'; save it as little-endian float32");
  header.fortran_order = fortran[1] == "True";
  const std::string dims = shape[1];
  static const std::regex number_re("\\d+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number_re); it != std::sregex_iterator(); ++it) {
    // 18 digits stay below 2^63; a longer number is a damaged header, not a size.
    if (it->length() > 18) throw Error(path + ": implausible .npy shape (" + dims + ")");
    header.shape.push_back(std::stoll(it->str()));
  }
  return header;
}

// Bytes the array needs. The product of its dimensions must fit in int64
// even with a 0 among them (the strides still multiply the others), or a
// damaged shape would wrap round to a small size.
uint64_t data_bytes(const std::string& path, const Header& header) {
  uint64_t extent = header.item_size;
  bool empty = false;
  for (int64_t dim : header.shape) {
    empty = empty || dim == 0;
    if (__builtin_mul_overflow(extent, static_cast<uint64_t>(std::max<int64_t>(dim, 1)), &extent) ||
        extent > static_cast<uint64_t>(INT64_MAX))
      throw Error(path + ": implausible .npy shape (its size overflows)");
  }
  return empty ? 0 : extent;
}

uint32_t read_little_endian(const std::string& bytes, size_t offset, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i) value |= uint32_t(uint8_t(bytes[offset + i])) << (8 * i);
  return value;
}

}  // namespace

at::Tensor read_npy(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < kMagicLength + 4 || bytes.compare(0, kMagicLength, kMagic, kMagicLength) != 0)
    throw Error(path + ": not a .npy file (no NUMPY magic); write it with numpy.save");
  const int major = uint8_t(bytes[6]);
  // Version 1 has a 2-byte header length, versions 2 and 3 a 4-byte one.
  const size_t length_width = major == 1 ? 2 : 4;
  if (major < 1 || major > 3 || bytes.size() < 8 + length_width)
    throw Error(path + ": unsupported .npy version " + std::to_string(major));
  const size_t header_length = read_little_endian(bytes, 8, length_width);
  if (header_length > kMaxHeaderLength)
    throw Error(path + ": .npy header of " + std::to_string(header_length) + " bytes, more than numpy's limit of " +
                std::to_string(kMaxHeaderLength) + "; the file is damaged, write it again with numpy.save");
  const size_t data_offset = 8 + length_width + header_length;
  if (data_offset > bytes.size()) throw Error(path + ": truncated .npy header");
  const Header header = parse_header(path, bytes.substr(8 + length_width, header_length));

  const uint64_t expected = data_bytes(path, header);
  if (bytes.size() - data_offset < expected)
    throw Error(path + ": truncated .npy data (" + std::to_string(bytes.size() - data_offset) +
                " of " + std::to_string(expected) + " bytes)");

  // Fortran order stores the reversed shape in C order; transpose it back.
  std::vector<int64_t> stored_shape = header.shape;
  if (header.fortran_order) std::reverse(stored_shape.begin(), stored_shape.end());
  at::Tensor tensor = at::empty(stored_shape, at::TensorOptions().dtype(header.dtype));
  if (expected > 0) std::memcpy(tensor.data_ptr(), bytes.data() + data_offset, expected);  // empty: no buffer
  if (header.fortran_order && tensor.dim() > 1) {
    std::vector<int64_t> reversed(tensor.dim());
    for (int64_t i = 0; i < tensor.dim(); ++i) reversed[i] = tensor.dim() - 1 - i;
    tensor = tensor.permute(reversed).contiguous();
  }
  return tensor;
}

void write_npy(const std::string& path, const at::Tensor& tensor) { write_file_atomically(path, npy_bytes(tensor)); }

std::string npy_bytes(const at::Tensor& tensor) {
  const at::Tensor data = tensor.detach().to(at::kCPU).contiguous();
  std::string descr;
  switch (data.scalar_type()) {
    case at::kFloat: descr = "<f4"; break;
    case at::kDouble: descr = "<f8"; break;
    case at::kLong: descr = "<i8"; break;
    case at::kInt: descr = "<i4"; break;
    case at::kByte: descr = "|u1"; break;
    case at::kBool: descr = "|b1"; break;
    default: return npy_bytes(data.to(at::kFloat));
  }
  std::string shape;  // Python tuple syntax: "3, 4" or "3," for one dimension
  for (int64_t i = 0; i < data.dim(); ++i) shape += (i ? ", " : "") + std::to_string(data.size(i));
  if (data.dim() == 1) shape += ",";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Pad with spaces so the data starts on a 64-byte boundary, ending in '\n'.
  const size_t unpadded = kMagicLength + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');

  std::string bytes(kMagic, kMagicLength);
  bytes.push_back('\x01');
  bytes.push_back('\x00');
  bytes.push_back(char(header.size() & 0xff));
  bytes.push_back(char(header.size() >> 8));
  bytes += header;
  bytes.append(static_cast<const char*>(data.data_ptr()), data.numel() * data.element_size());
  return bytes;
}

}  // namespace barbershop
