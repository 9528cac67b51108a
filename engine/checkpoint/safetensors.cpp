#include "engine/checkpoint/safetensors.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "engine/checkpoint/unpickler.h"

namespace barbershop {
namespace {

using Ptr = CheckpointValue::Ptr;
using Kind = CheckpointValue::Kind;

// The format's own limit on the header, which also bounds what we allocate.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr int kMaxJsonDepth = 64;
constexpr size_t kMaxTensorDims = 64;

uint64_t little_endian_u64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

Ptr make_value(Kind kind) {
  auto value = std::make_shared<CheckpointValue>();
  value->kind = kind;
  return value;
}

// Just enough JSON for a safetensors header, into CheckpointValues:
// objects -> Dict, arrays -> List, integers -> Int, other numbers -> Float.
class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : text_(text) {}

  Ptr document() {
    Ptr value = parse_value(0);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the header");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw MalformedInput("safetensors header, byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() && is_one_of(text_[pos_], " \t\r\n")) ++pos_;
  }

  static bool is_one_of(char c, const char* set) { return c != '\0' && std::strchr(set, c); }

  static Ptr make_bool(bool b) {
    auto value = make_value(Kind::Bool);
    value->boolean = b;
    return value;
  }

  char peek() {
    skip_space();
    if (pos_ >= text_.size()) fail("the header ends too early");
    return text_[pos_];
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  bool consume_word(const char* word) {
    const size_t n = std::strlen(word);
    if (text_.compare(pos_, n, word) != 0) return false;
    pos_ += n;
    return true;
  }

  Ptr parse_value(int depth) {
    if (depth > kMaxJsonDepth) fail("nested too deeply");
    const char c = peek();
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return parse_string();
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    if (consume_word("true")) return make_bool(true);
    if (consume_word("false")) return make_bool(false);
    if (consume_word("null")) return make_value(Kind::None);
    fail("unexpected character");
  }

  Ptr parse_object(int depth) {
    auto object = make_value(Kind::Dict);
    expect('{');
    if (peek() == '}') return ++pos_, object;
    do {
      if (peek() != '"') fail("expected a string key");
      Ptr key = parse_string();
      expect(':');
      object->entries.emplace_back(std::move(key), parse_value(depth + 1));
    } while (consume_separator('}'));
    return object;
  }

  Ptr parse_array(int depth) {
    auto array = make_value(Kind::List);
    expect('[');
    if (peek() == ']') return ++pos_, array;
    do {
      array->items.push_back(parse_value(depth + 1));
    } while (consume_separator(']'));
    return array;
  }

  // After an element: true at ',' (more follow), false at `close`.
  bool consume_separator(char close) {
    const char c = peek();
    ++pos_;
    if (c == ',') return true;
    if (c == close) return false;
    fail(std::string("expected ',' or '") + close + "'");
  }

  Ptr parse_number() {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    bool integral = true;
    while (pos_ < text_.size() && is_one_of(text_[pos_], "0123456789.eE+-")) {
      if (!std::isdigit(static_cast<unsigned char>(text_[pos_]))) integral = false;
      ++pos_;
    }
    const std::string digits = text_.substr(start, pos_ - start);
    char* end = nullptr;
    errno = 0;
    auto value = make_value(integral ? Kind::Int : Kind::Float);
    if (integral)
      value->integer = std::strtoll(digits.c_str(), &end, 10);
    else
      value->real = std::strtod(digits.c_str(), &end);
    if (end != digits.c_str() + digits.size() || errno == ERANGE) fail("a number is malformed or too large");
    return value;
  }

  Ptr parse_string() {
    expect('"');
    auto value = make_value(Kind::String);
    while (true) {
      if (pos_ >= text_.size()) fail("a string does not end");
      const char c = text_[pos_++];
      if (c == '"') return value;
      if (c == '\\')
        append_escape(value->text);
      else
        value->text += c;
    }
  }

  void append_escape(std::string& out) {
    if (pos_ >= text_.size()) fail("a string does not end");
    const char c = text_[pos_++];
    static const std::map<char, char> simple = {{'"', '"'}, {'\\', '\\'}, {'/', '/'}, {'b', '\b'},
                                                {'f', '\f'}, {'n', '\n'}, {'r', '\r'}, {'t', '\t'}};
    if (auto found = simple.find(c); found != simple.end()) {
      out += found->second;
    } else if (c == 'u') {
      append_utf8(out, code_point());
    } else {
      fail("unknown escape in a string");
    }
  }

  // \uXXXX, joining a surrogate pair into one code point.
  uint32_t code_point() {
    uint32_t unit = hex4();
    if (unit >= 0xD800 && unit < 0xDC00 && text_.compare(pos_, 2, "\\u") == 0) {
      pos_ += 2;
      const uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("a broken surrogate pair");
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    return unit;
  }

  uint32_t hex4() {
    if (pos_ + 4 > text_.size()) fail("a \\u escape is cut short");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_++])));
      const char* digits = "0123456789abcdef";
      if (!is_one_of(c, digits)) fail("a \\u escape is not hexadecimal");
      const char* at = std::strchr(digits, c);
      value = value * 16 + static_cast<uint32_t>(at - digits);
    }
    return value;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
};

at::ScalarType safetensors_dtype(const std::string& name) {
  static const std::map<std::string, at::ScalarType> table = {
      {"F64", at::kDouble}, {"F32", at::kFloat},   {"F16", at::kHalf},  {"BF16", at::kBFloat16},
      {"I64", at::kLong},   {"I32", at::kInt},     {"I16", at::kShort}, {"I8", at::kChar},
      {"U8", at::kByte},    {"BOOL", at::kBool}};
  const auto found = table.find(name);
  if (found == table.end()) throw MalformedInput("unsupported safetensors dtype \"" + name + "\"");
  return found->second;
}

const CheckpointValue& field(const CheckpointValue& entry, const std::string& tensor, const char* name) {
  const CheckpointValue* value = entry.find(name);
  if (!value) throw MalformedInput("tensor \"" + tensor + "\" has no \"" + name + "\" in the header");
  return *value;
}

std::vector<int64_t> non_negative_ints(const CheckpointValue& list, const std::string& tensor, const char* name) {
  if (list.kind != Kind::List || list.items.size() > kMaxTensorDims)
    throw MalformedInput("tensor \"" + tensor + "\" has a malformed \"" + name + "\"");
  std::vector<int64_t> ints;
  for (const auto& item : list.items) {
    if (item->kind != Kind::Int || item->integer < 0)
      throw MalformedInput("tensor \"" + tensor + "\" has a malformed \"" + name + "\"");
    ints.push_back(item->integer);
  }
  return ints;
}

// Bytes a tensor of `shape` and `dtype` needs; -1 on overflow.
int64_t bytes_needed(const std::vector<int64_t>& shape, at::ScalarType dtype) {
  int64_t total = static_cast<int64_t>(c10::elementSize(dtype));
  for (int64_t size : shape)
    if (__builtin_mul_overflow(total, size, &total)) return -1;
  return total;
}

// Reads one tensor entry; `data_start` is the file offset of the byte buffer.
at::Tensor read_tensor(std::istream& in, const std::string& name, const CheckpointValue& entry,
                       uint64_t data_start, uint64_t file_size) {
  if (entry.kind != Kind::Dict) throw MalformedInput("tensor \"" + name + "\" is not described by an object");
  const auto& dtype_name = field(entry, name, "dtype");
  if (dtype_name.kind != Kind::String) throw MalformedInput("tensor \"" + name + "\" has a malformed \"dtype\"");
  const at::ScalarType dtype = safetensors_dtype(dtype_name.text);
  const auto shape = non_negative_ints(field(entry, name, "shape"), name, "shape");
  const auto offsets = non_negative_ints(field(entry, name, "data_offsets"), name, "data_offsets");
  const int64_t nbytes = bytes_needed(shape, dtype);
  if (offsets.size() != 2 || offsets[1] < offsets[0] || nbytes < 0 || offsets[1] - offsets[0] != nbytes)
    throw MalformedInput("tensor \"" + name + "\": its data_offsets do not match its dtype and shape");
  const uint64_t end = data_start + static_cast<uint64_t>(offsets[1]);
  if (end > file_size) throw TruncatedInput(file_size, end);
  at::Tensor tensor = at::empty(shape, at::TensorOptions().dtype(dtype));
  in.clear();
  in.seekg(static_cast<std::streamoff>(data_start + offsets[0]));
  StreamBytes bytes(in, file_size);
  bytes.read(tensor.data_ptr(), static_cast<uint64_t>(nbytes));
  return tensor;
}

}  // namespace

bool looks_like_safetensors(const std::string& head, uint64_t file_size) {
  if (head.size() < 9 || file_size < 10) return false;
  const uint64_t header_bytes = little_endian_u64(head.data());
  return header_bytes >= 2 && header_bytes <= kMaxHeaderBytes && header_bytes <= file_size - 8 && head[8] == '{';
}

CheckpointValue::Ptr read_safetensors(std::istream& in, uint64_t file_size) {
  in.clear();
  in.seekg(0);
  StreamBytes bytes(in, file_size);
  char length[8];
  bytes.read(length, 8);
  const uint64_t header_bytes = little_endian_u64(length);
  if (header_bytes > kMaxHeaderBytes) throw MalformedInput("the safetensors header length is implausible");
  if (header_bytes > bytes.remaining()) throw TruncatedInput(file_size, 8 + header_bytes);
  std::string header_text(header_bytes, '\0');
  bytes.read(header_text.data(), header_bytes);
  const Ptr header = JsonReader(header_text).document();
  if (header->kind != Kind::Dict) throw MalformedInput("the safetensors header is not a JSON object");

  auto root = make_value(Kind::Dict);
  for (const auto& [key, entry] : header->entries) {
    if (key->text == "__metadata__") {
      root->entries.emplace_back(key, entry);
      continue;
    }
    auto tensor = make_value(Kind::Tensor);
    tensor->tensor = read_tensor(in, key->text, *entry, 8 + header_bytes, file_size);
    root->entries.emplace_back(key, std::move(tensor));
  }
  return root;
}

}  // namespace barbershop
