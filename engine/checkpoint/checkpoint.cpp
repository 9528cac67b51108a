#include "engine/checkpoint/checkpoint.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <optional>
#include <unordered_set>

#include "engine/checkpoint/safetensors.h"
#include "engine/checkpoint/unpickler.h"
#include "engine/error.h"

namespace barbershop {
namespace {

using Ptr = CheckpointValue::Ptr;
using Kind = CheckpointValue::Kind;

// ------------------------------------------------------------ format sniffing

enum class Format { Zip, Legacy, SafeTensors, Pickle, Unknown };

// torch.save's legacy format opens with the pickled int 0x1950a86a20f9469cfc6c:
// PROTO n, FRAME 13 (protocol 4 on), LONG1 of 10 little-endian bytes, STOP.
std::string legacy_magic_pickle(char protocol) {
  std::string pickle = {'\x80', protocol};
  if (static_cast<unsigned char>(protocol) >= 4) pickle += std::string("\x95\x0d\0\0\0\0\0\0\0", 9);
  return pickle + "\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";
}
constexpr size_t kHeadBytes = 32;  // enough for the longest magic pickle

// True when `head` (or all of a shorter file) agrees with `start`'s beginning,
// so that a file cut short still counts as its format and reads as truncated.
bool starts_like(const std::string& head, const std::string& start) {
  const size_t n = std::min(head.size(), start.size());
  return n > 0 && head.compare(0, n, start, 0, n) == 0;
}

Format detect_format(const std::string& head, uint64_t file_size, const std::string& path) {
  if (starts_like(head, "PK\x03\x04")) return Format::Zip;
  if (head.size() >= 2 && starts_like(head, legacy_magic_pickle(head[1]))) return Format::Legacy;
  if (head.size() == 1 && head[0] == '\x80') return Format::Legacy;  // cut after the first byte
  if (looks_like_safetensors(head, file_size) || std::filesystem::path(path).extension() == ".safetensors")
    return Format::SafeTensors;
  if (!head.empty() && head[0] == '\x80') return Format::Pickle;
  return Format::Unknown;
}

// ------------------------------------------------------------------ storages

// A persistent id naming a storage. Zip format:
// ('storage', torch.FloatStorage, key, location, numel); legacy format adds
// view_metadata, None or (view_key, offset, size) in elements.
struct StorageRef {
  at::ScalarType dtype;
  std::string key;
  int64_t numel;
  const CheckpointValue* view = nullptr;
};

at::ScalarType storage_dtype(std::string type_name) {
  // Old files may name the CUDA type; where it lived does not matter here.
  if (type_name.rfind("torch.cuda.", 0) == 0) type_name.erase(6, 5);
  static const std::map<std::string, at::ScalarType> table = {
      {"torch.FloatStorage", at::kFloat},       {"torch.DoubleStorage", at::kDouble},
      {"torch.HalfStorage", at::kHalf},         {"torch.BFloat16Storage", at::kBFloat16},
      {"torch.LongStorage", at::kLong},         {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort},       {"torch.CharStorage", at::kChar},
      {"torch.ByteStorage", at::kByte},         {"torch.BoolStorage", at::kBool},
      {"torch.ComplexFloatStorage", at::kComplexFloat},
      {"torch.ComplexDoubleStorage", at::kComplexDouble},
      {"torch.UntypedStorage", at::kByte}};
  const auto found = table.find(type_name);
  if (found == table.end()) throw MalformedInput("it holds a storage of type " + type_name + ", which is not supported");
  return found->second;
}

StorageRef parse_storage_pid(const CheckpointValue& pid) {
  const auto& items = pid.items;
  if (pid.kind != Kind::Tuple || items.size() < 5 || items[0]->kind != Kind::String || items[0]->text != "storage")
    throw MalformedInput("it refers to outside data that is not a storage");
  if (items[1]->kind != Kind::Opaque || items[2]->kind != Kind::String || items[4]->kind != Kind::Int ||
      items[4]->integer < 0)
    throw MalformedInput("a storage reference is malformed");
  StorageRef ref{storage_dtype(items[1]->text), items[2]->text, items[4]->integer};
  if (items.size() > 5 && items[5]->kind != Kind::None) ref.view = items[5].get();
  return ref;
}

uint64_t storage_bytes(const StorageRef& ref) {
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(ref.numel), c10::elementSize(ref.dtype), &bytes))
    throw MalformedInput("a storage size is implausible");
  return bytes;
}

Ptr tensor_value(at::Tensor tensor) {
  auto value = std::make_shared<CheckpointValue>();
  value->kind = Kind::Tensor;
  value->tensor = std::move(tensor);
  return value;
}

at::Tensor allocate_storage(const StorageRef& ref) {
  return at::empty({ref.numel}, at::TensorOptions().dtype(ref.dtype));
}

// ---------------------------------------------------------------- zip format

void check_byte_order(caffe2::serialize::PyTorchStreamReader& reader) {
  if (!reader.hasRecord("byteorder")) return;  // older torch wrote none: always little-endian
  auto [data, size] = reader.getRecord("byteorder");
  const std::string order(static_cast<const char*>(data.get()), size);
  if (order != "little") throw MalformedInput("it was saved in " + order + "-endian byte order, which is not supported");
}

// Copies storage record data/<key> out of the archive, as bytes.
at::Tensor read_zip_record(caffe2::serialize::PyTorchStreamReader& reader, const std::string& record) {
  if (!reader.hasRecord(record)) throw MalformedInput("its storage record '" + record + "' is missing");
  auto [data, size] = reader.getRecord(record);
  at::Tensor bytes = at::empty({static_cast<int64_t>(size)}, at::TensorOptions().dtype(at::kByte));
  if (size) std::memcpy(bytes.data_ptr(), data.get(), size);
  return bytes;
}

// The storage's bytes seen as its dtype. Since torch 2.0 one record can back
// tensors of different dtypes, so records are cached as bytes.
at::Tensor typed_storage(const at::Tensor& record_bytes, const StorageRef& ref) {
  const uint64_t needed = storage_bytes(ref);
  if (static_cast<uint64_t>(record_bytes.numel()) < needed)
    throw MalformedInput("storage record 'data/" + ref.key + "' has " + std::to_string(record_bytes.numel()) +
                         " bytes, not " + std::to_string(needed));
  return record_bytes.narrow(0, 0, static_cast<int64_t>(needed)).view(ref.dtype);
}

// LibTorch's archive reader allocates each record at the size the zip's
// central directory claims before it reads a byte of it: a damaged 6 KB file
// claiming a 4 GB record costs 4 GB. torch.save stores records uncompressed,
// so no record of a real checkpoint is larger than the whole file; such
// claims are refused first. Whatever else is odd about the directory is left
// to LibTorch's own checks (and messages).

uint64_t little_endian(const std::string& bytes, size_t at, int n) {
  uint64_t value = 0;
  for (int i = n - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

// Up to `n` bytes from `offset` on (fewer at the end of the file).
std::string read_at(std::istream& file, uint64_t offset, uint64_t n) {
  file.clear();
  file.seekg(static_cast<std::streamoff>(offset));
  std::string bytes(n, '\0');
  file.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<size_t>(std::max<std::streamsize>(file.gcount(), 0)));
  return bytes;
}

struct ZipDirectory {
  uint64_t offset = 0, size = 0, entries = 0;
};

// The end-of-central-directory record (22 bytes, then only its comment) and,
// where a ZIP64 locator stands before it (torch.save always writes one), the
// ZIP64 record whose fields then count instead, as in LibTorch's miniz.
std::optional<ZipDirectory> find_zip_directory(std::istream& file, uint64_t file_size) {
  constexpr uint64_t kEnd = 22, kMaxComment = 65535, kLocator = 20, kZip64End = 56;
  const uint64_t tail_start = file_size - std::min(file_size, kEnd + kMaxComment + kLocator);
  const std::string tail = read_at(file, tail_start, file_size - tail_start);
  if (tail.size() < kEnd) return std::nullopt;
  const size_t end = tail.rfind("PK\x05\x06", tail.size() - kEnd);
  if (end == std::string::npos) return std::nullopt;
  ZipDirectory directory{little_endian(tail, end + 16, 4), little_endian(tail, end + 12, 4),
                         little_endian(tail, end + 10, 2)};
  if (end >= kLocator && tail.compare(end - kLocator, 4, "PK\x06\x07") == 0) {
    const std::string zip64 = read_at(file, little_endian(tail, end - kLocator + 8, 8), kZip64End);
    if (zip64.size() == kZip64End && zip64.compare(0, 4, "PK\x06\x06") == 0)
      directory = {little_endian(zip64, 48, 8), little_endian(zip64, 40, 8), little_endian(zip64, 32, 8)};
  }
  return directory;
}

// Sizes the directory marks 0xFFFFFFFF are in the ZIP64 extra field (id 1),
// 8 bytes each, uncompressed first, only those so marked.
void read_zip64_sizes(const std::string& extra, uint64_t (&sizes)[2]) {
  for (size_t at = 0; at + 4 <= extra.size();) {
    const uint64_t id = little_endian(extra, at, 2), length = little_endian(extra, at + 2, 2);
    if (at + 4 + length > extra.size()) return;
    size_t field = at + 4;
    for (uint64_t& size : sizes) {
      if (id != 1 || size != 0xFFFFFFFF || field + 8 > at + 4 + length) continue;
      size = little_endian(extra, field, 8);
      field += 8;
    }
    at += 4 + length;
  }
}

std::string printable(std::string text) {
  for (char& c : text)
    if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
  return text;
}

void check_zip_record_sizes(std::istream& file, uint64_t file_size) {
  constexpr size_t kHeader = 46;  // a central directory file header without its name, extra field and comment
  const auto directory = find_zip_directory(file, file_size);
  if (!directory || directory->offset > file_size || directory->size > file_size - directory->offset) return;
  const std::string entries = read_at(file, directory->offset, directory->size);
  size_t at = 0;
  for (uint64_t i = 0; i < directory->entries && at + kHeader <= entries.size(); ++i) {
    if (entries.compare(at, 4, "PK\x01\x02") != 0) return;
    const size_t name_length = little_endian(entries, at + 28, 2), extra_length = little_endian(entries, at + 30, 2);
    const size_t comment_length = little_endian(entries, at + 32, 2);
    if (at + kHeader + name_length + extra_length > entries.size()) return;
    uint64_t sizes[2] = {little_endian(entries, at + 24, 4), little_endian(entries, at + 20, 4)};
    read_zip64_sizes(entries.substr(at + kHeader + name_length, extra_length), sizes);
    for (const uint64_t size : sizes)
      if (size > file_size)
        throw MalformedInput("its zip directory says record '" + printable(entries.substr(at + kHeader, name_length)) +
                             "' holds " + std::to_string(size) + " bytes, more than the whole file (" +
                             std::to_string(file_size) + " bytes)");
    at += kHeader + name_length + extra_length + comment_length;
  }
}

Ptr load_zip(const std::string& path) {
  caffe2::serialize::PyTorchStreamReader reader(path);
  if (!reader.hasRecord("data.pkl")) throw MalformedInput("a zip archive without data.pkl, so not a torch.save checkpoint");
  check_byte_order(reader);
  std::map<std::string, at::Tensor> records;
  const PersistentLoader load_storage = [&](const CheckpointValue& pid) {
    const StorageRef ref = parse_storage_pid(pid);
    auto found = records.find(ref.key);
    if (found == records.end()) found = records.emplace(ref.key, read_zip_record(reader, "data/" + ref.key)).first;
    return tensor_value(typed_storage(found->second, ref));
  };
  auto [pickle, size] = reader.getRecord("data.pkl");
  MemoryBytes bytes(pickle.get(), size);
  return unpickle(bytes, load_storage);
}

// ------------------------------------------------------------- legacy format
// Five pickles in a row (magic number, format version, sys info, the object,
// the storage keys), then each storage as an int64 element count and its
// raw bytes. Tensors are views of storages whose bytes come only at the end,
// so the storages are allocated while unpickling and filled afterwards.

class LegacyStorages {
 public:
  explicit LegacyStorages(ByteSource& in) : in_(in) {}

  Ptr load(const CheckpointValue& pid) {
    const StorageRef ref = parse_storage_pid(pid);
    at::Tensor storage = root_storage(ref);
    if (ref.view) storage = view_of(storage, *ref.view);
    return tensor_value(storage);
  }

  // Reads the storage section: for each listed key, its count and bytes.
  void fill(const CheckpointValue& keys) {
    if (keys.kind != Kind::List) throw MalformedInput("its list of storage keys is " + describe(keys));
    for (const auto& key : keys.items) fill_one(*key);
    if (filled_.size() != roots_.size()) throw MalformedInput("some of its storages have no data");
  }

 private:
  at::Tensor root_storage(const StorageRef& ref) {
    auto found = roots_.find(ref.key);
    if (found != roots_.end()) {
      if (found->second.scalar_type() != ref.dtype)
        throw MalformedInput("storage '" + ref.key + "' is used with two different dtypes");
      return found->second;
    }
    // Every storage's bytes are still ahead in the file; more than the rest
    // of the file means a damaged size, not a real allocation to attempt.
    if (__builtin_add_overflow(reserved_bytes_, storage_bytes(ref), &reserved_bytes_))
      throw MalformedInput("its storage sizes are implausible");
    if (reserved_bytes_ > in_.remaining()) throw TruncatedInput(in_.size(), in_.position() + reserved_bytes_);
    return roots_.emplace(ref.key, allocate_storage(ref)).first->second;
  }

  at::Tensor view_of(const at::Tensor& root, const CheckpointValue& view) {
    const auto& items = view.items;
    if (view.kind != Kind::Tuple || items.size() != 3 || items[0]->kind != Kind::String ||
        items[1]->kind != Kind::Int || items[2]->kind != Kind::Int)
      throw MalformedInput("a storage view is malformed");
    const int64_t offset = items[1]->integer, size = items[2]->integer;
    if (offset < 0 || size < 0 || offset > root.numel() || size > root.numel() - offset)
      throw MalformedInput("a storage view reaches past the end of its storage");
    return views_.emplace(items[0]->text, root.narrow(0, offset, size)).first->second;
  }

  void fill_one(const CheckpointValue& key) {
    const auto found = key.kind == Kind::String ? roots_.find(key.text) : roots_.end();
    if (found == roots_.end()) throw MalformedInput("its storage list names a storage no tensor uses");
    if (!filled_.insert(key.text).second) throw MalformedInput("its storage list names a storage twice");
    int64_t count = 0;
    in_.read(&count, sizeof count);  // little-endian, as sys_info promised
    at::Tensor& storage = found->second;
    if (count != storage.numel())
      throw MalformedInput("storage '" + key.text + "' has " + std::to_string(count) + " elements, not " +
                           std::to_string(storage.numel()));
    in_.read(storage.data_ptr(), storage.nbytes());
  }

  ByteSource& in_;
  std::map<std::string, at::Tensor> roots_;
  std::map<std::string, at::Tensor> views_;
  std::unordered_set<std::string> filled_;
  uint64_t reserved_bytes_ = 0;
};

constexpr int64_t kLegacyProtocolVersion = 1001;

void check_legacy_header(ByteSource& in) {
  unpickle(in, nullptr);  // the magic number, already checked by detect_format
  const Ptr version = unpickle(in, nullptr);
  if (version->kind != Kind::Int || version->integer != kLegacyProtocolVersion)
    throw MalformedInput("unsupported legacy format version (expected 1001)");
  const Ptr sys_info = unpickle(in, nullptr);
  const CheckpointValue* little_endian = sys_info->find("little_endian");
  if (little_endian && little_endian->kind == Kind::Bool && !little_endian->boolean)
    throw MalformedInput("it was saved on a big-endian machine, which is not supported");
}

Ptr load_legacy(std::istream& file, uint64_t file_size) {
  file.clear();
  file.seekg(0);
  StreamBytes in(file, file_size);
  check_legacy_header(in);
  LegacyStorages storages(in);
  const Ptr root = unpickle(in, [&](const CheckpointValue& pid) { return storages.load(pid); });
  storages.fill(*unpickle(in, nullptr));
  return root;
}

// ------------------------------------------------------------------ loading

// Tensors come out of the unpickler as views into whole storages. Copy the
// ones that are only part of a storage, so each owns just its own memory.
void compact_tensors(const Ptr& root) {
  std::unordered_set<const CheckpointValue*> seen;
  std::vector<CheckpointValue*> todo{root.get()};
  while (!todo.empty()) {
    CheckpointValue* value = todo.back();
    todo.pop_back();
    if (!seen.insert(value).second) continue;
    at::Tensor& t = value->tensor;
    if (value->kind == Kind::Tensor && t.defined()) {
      const bool whole_storage = t.storage_offset() == 0 && t.is_contiguous() &&
                                 t.storage().nbytes() == static_cast<size_t>(t.numel()) * t.element_size();
      if (!whole_storage) t = t.clone(at::MemoryFormat::Contiguous);
    }
    for (const auto& item : value->items) todo.push_back(item.get());
    for (const auto& [key, item] : value->entries) todo.push_back(item.get());
    if (value->state) todo.push_back(value->state.get());
  }
}

std::string first_line(const char* text) {
  const std::string s(text);
  return s.substr(0, s.find('\n'));
}

std::string file_problem(const std::string& path, const std::string& head, uint64_t size) {
  if (size == 0) return path + ": the file is empty; download it again";
  if (detect_format(head, size, path) == Format::Pickle)
    return path + ": a Python pickle but not a torch.save checkpoint (no torch.save magic number); "
                  "use the .pt/.pth file the model's authors published";
  return path + ": not a PyTorch checkpoint (neither a torch.save zip archive, the legacy torch.save format, "
                "nor safetensors); check that this is the right file";
}

Ptr read_checkpoint(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw Error(path + ": is a directory, not a checkpoint file");
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(path + ": cannot open the file (" + std::strerror(errno) + "); check the path");
  const uint64_t size = std::filesystem::file_size(path, error);
  if (error) throw Error(path + ": cannot read the file size (" + error.message() + ")");
  std::string head(kHeadBytes, '\0');
  file.read(head.data(), kHeadBytes);
  head.resize(static_cast<size_t>(file.gcount()));

  switch (detect_format(head, size, path)) {
    case Format::Zip:
      check_zip_record_sizes(file, size);
      return load_zip(path);
    case Format::Legacy: return load_legacy(file, size);
    case Format::SafeTensors: return read_safetensors(file, size);
    case Format::Pickle:
    case Format::Unknown: break;
  }
  throw Error(file_problem(path, head, size));
}

// ----------------------------------------------------------- state dicts

std::string hint_for(const std::string& key) {
  if (key == "g_ema") return "is this a StyleGAN2 checkpoint from rosinality's stylegan2-pytorch?";
  return "is this the right checkpoint file?";
}

std::string key_list(const CheckpointValue& dict) {
  constexpr size_t kShown = 8;
  std::string list;
  size_t shown = 0;
  for (const auto& [key, value] : dict.entries) {
    if (key->kind != Kind::String) continue;
    if (shown++ == kShown) return list + ", ...";
    list += (list.empty() ? "" : ", ") + key->text;
  }
  return list.empty() ? "nothing" : list;
}

}  // namespace

CheckpointValue::~CheckpointValue() {
  std::vector<Ptr> pending;
  auto adopt_children = [&](CheckpointValue& value) {
    for (auto& item : value.items) pending.push_back(std::move(item));
    for (auto& [key, item] : value.entries) {
      pending.push_back(std::move(key));
      pending.push_back(std::move(item));
    }
    if (value.state) pending.push_back(std::move(value.state));
    value.items.clear();
    value.entries.clear();
  };
  adopt_children(*this);
  while (!pending.empty()) {
    Ptr child = std::move(pending.back());
    pending.pop_back();
    // The last owner empties a value before it dies, so its own destructor has nothing to recurse into.
    if (child && child.use_count() == 1) adopt_children(*child);
  }
}

const CheckpointValue* CheckpointValue::find(const std::string& key) const {
  if (kind != Kind::Dict) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->first->kind == Kind::String && it->first->text == key) return it->second.get();
  return nullptr;
}

const CheckpointValue* CheckpointValue::attribute(const std::string& name) const {
  return state ? state->find(name) : nullptr;
}

Checkpoint Checkpoint::load(const std::string& path) {
  try {
    Ptr root = read_checkpoint(path);
    compact_tensors(root);
    return Checkpoint(path, std::move(root));
  } catch (const TruncatedInput& e) {
    throw Error(path + ": truncated after " + std::to_string(e.available) + " bytes (its data needs at least " +
                std::to_string(e.needed) + "); download it again");
  } catch (const MalformedInput& e) {
    throw Error(path + ": damaged or not a checkpoint this program can read: " + e.what() +
                "; download it again");
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot read it as a PyTorch checkpoint (" + first_line(e.what_without_backtrace()) +
                "); the file is damaged or incomplete, download it again");
  } catch (const std::bad_alloc&) {
    throw Error(path + ": not enough memory to load it (or a size in it is damaged)");
  }
}

StateDict Checkpoint::state_dict(const std::string& key) const {
  const CheckpointValue& dict = key.empty() ? root() : entry(key);
  if (dict.kind != Kind::Dict) {
    const std::string where = key.empty() ? "holds " : "'" + key + "' is ";
    throw Error(path_ + ": " + where + describe(dict) + ", not a dict of tensors; " + hint_for(key));
  }
  StateDict tensors;
  for (const auto& [name, value] : dict.entries)
    if (name->kind == Kind::String && value->kind == Kind::Tensor) tensors.insert_or_assign(name->text, value->tensor);
  return tensors;
}

at::Tensor Checkpoint::tensor(const std::string& key) const {
  const CheckpointValue& value = entry(key);
  if (value.kind != Kind::Tensor)
    throw Error(path_ + ": '" + key + "' is " + describe(value) + ", not a tensor; " + hint_for(key));
  return value.tensor;
}

const CheckpointValue& Checkpoint::entry(const std::string& key) const {
  const CheckpointValue* value = root_->find(key);
  if (value) return *value;
  if (root_->kind != Kind::Dict)
    throw Error(path_ + ": holds " + describe(*root_) + ", not a dict with a '" + key + "' entry; " +
                hint_for(key));
  throw Error(path_ + ": no '" + key + "' entry (found: " + key_list(*root_) + "); " + hint_for(key));
}

}  // namespace barbershop
