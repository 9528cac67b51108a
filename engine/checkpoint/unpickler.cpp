#include "engine/checkpoint/unpickler.h"

#include "engine/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace barbershop {

using Ptr = CheckpointValue::Ptr;
using Kind = CheckpointValue::Kind;

// ---------------------------------------------------------------- byte input

namespace {
uint64_t saturating_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }
}  // namespace

void MemoryBytes::read(void* dst, uint64_t n) {
  if (n > remaining()) throw TruncatedInput(size_, saturating_add(position_, n));
  std::memcpy(dst, data_ + position_, n);
  position_ += n;
}

StreamBytes::StreamBytes(std::istream& in, uint64_t size) : in_(in), size_(size) {
  const auto start = in.tellg();
  position_ = start < 0 ? 0 : static_cast<uint64_t>(start);
  if (position_ > size_) position_ = size_;
}

void StreamBytes::read(void* dst, uint64_t n) {
  if (n > remaining()) throw TruncatedInput(size_, saturating_add(position_, n));
  in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
  const auto got = static_cast<uint64_t>(in_.gcount());
  // The file shrank while we read it, or the size we were told was wrong.
  if (got != n) throw TruncatedInput(position_ + got, position_ + n);
  position_ += n;
}

namespace {

// A pickle that creates more values than this is garbage or an attack;
// a real state dict creates a few thousand.
constexpr size_t kMaxValues = 5'000'000;
constexpr size_t kMaxLineLength = 1000;   // GLOBAL's "module\nname\n"
constexpr size_t kMaxTensorDims = 64;

Ptr make_value(Kind kind) {
  auto value = std::make_shared<CheckpointValue>();
  value->kind = kind;
  return value;
}

template <class F>
void for_each_child(const CheckpointValue& value, F&& visit) {
  for (const auto& item : value.items) visit(item);
  for (const auto& [key, item] : value.entries) {
    visit(key);
    visit(item);
  }
  if (value.state) visit(value.state);
}

std::vector<const CheckpointValue*> children_of(const CheckpointValue& value) {
  std::vector<const CheckpointValue*> children;
  for_each_child(value, [&](const Ptr& child) { children.push_back(child.get()); });
  return children;
}

// True when a chain of values nested in one another, starting at any of
// `roots`, is longer than `limit`, or when values contain themselves (a
// cycle). A depth-first walk with an explicit stack, visiting each value once.
bool nested_deeper_than(const std::vector<Ptr>& roots, int limit) {
  struct Frame {
    const CheckpointValue* node;
    std::vector<const CheckpointValue*> unvisited;
    int tallest_child = 0;
  };
  std::unordered_map<const CheckpointValue*, int> height;  // 0 while on the walk's path
  std::vector<Frame> path;
  for (const auto& root : roots) {
    if (height.count(root.get())) continue;
    height[root.get()] = 0;
    path.push_back({root.get(), children_of(*root)});
    while (!path.empty()) {
      Frame& frame = path.back();
      if (frame.unvisited.empty()) {
        const int own = frame.tallest_child + 1;
        if (own > limit) return true;
        height[frame.node] = own;
        path.pop_back();
        if (!path.empty()) path.back().tallest_child = std::max(path.back().tallest_child, own);
        continue;
      }
      const CheckpointValue* child = frame.unvisited.back();
      frame.unvisited.pop_back();
      const auto known = height.find(child);
      if (known == height.end()) {
        if (path.size() >= static_cast<size_t>(limit)) return true;  // the path alone is too long
        height[child] = 0;
        path.push_back({child, children_of(*child)});  // invalidates `frame`
      } else if (known->second == 0) {
        return true;  // the child is its own ancestor
      } else {
        frame.tallest_child = std::max(frame.tallest_child, known->second);
      }
    }
  }
  return false;
}

std::unordered_set<const CheckpointValue*> reachable_from(const CheckpointValue& root) {
  std::unordered_set<const CheckpointValue*> seen{&root};
  std::vector<const CheckpointValue*> todo{&root};
  while (!todo.empty()) {
    const CheckpointValue* value = todo.back();
    todo.pop_back();
    for (const CheckpointValue* child : children_of(*value))
      if (seen.insert(child).second) todo.push_back(child);
  }
  return seen;
}

// ------------------------------------------------ allow-listed constructors
// Pure functions of their arguments that rebuild plain data. Nothing else a
// pickle names is ever called.

const CheckpointValue& argument(const std::vector<Ptr>& args, size_t index, const char* what) {
  if (index >= args.size())
    throw MalformedInput(std::string(what) + " is missing argument " + std::to_string(index + 1));
  return *args[index];
}

int64_t int_argument(const std::vector<Ptr>& args, size_t index, const char* what) {
  const auto& value = argument(args, index, what);
  if (value.kind != Kind::Int)
    throw MalformedInput(std::string(what) + " expects an int as argument " +
                         std::to_string(index + 1) + ", not " + describe(value));
  return value.integer;
}

std::vector<int64_t> ints_argument(const std::vector<Ptr>& args, size_t index, const char* what) {
  const auto& value = argument(args, index, what);
  if ((value.kind != Kind::Tuple && value.kind != Kind::List) || value.items.size() > kMaxTensorDims)
    throw MalformedInput(std::string(what) + " expects a short tuple of ints as argument " +
                         std::to_string(index + 1));
  std::vector<int64_t> ints;
  for (const auto& item : value.items) {
    if (item->kind != Kind::Int || item->integer < 0)
      throw MalformedInput(std::string(what) + " expects non-negative ints in argument " +
                           std::to_string(index + 1));
    ints.push_back(item->integer);
  }
  return ints;
}

// The number of storage elements a view spans (0 when it is empty), or -1
// when that overflows.
int64_t elements_spanned(int64_t offset, const std::vector<int64_t>& sizes,
                         const std::vector<int64_t>& strides) {
  int64_t last = offset;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) return 0;
    int64_t step = 0;
    if (__builtin_mul_overflow(sizes[d] - 1, strides[d], &step) ||
        __builtin_add_overflow(last, step, &last))
      return -1;
  }
  return last + 1;
}

// torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
// requires_grad, backward_hooks[, metadata]) and the older
// _rebuild_tensor(storage, storage_offset, size, stride). The storage arrives
// as a 1-D tensor; the result is a view of it, checked to stay inside it.
Ptr rebuild_tensor(const std::vector<Ptr>& args) {
  const char* what = "torch._utils._rebuild_tensor";
  const auto& storage = argument(args, 0, what);
  if (storage.kind != Kind::Tensor || storage.tensor.dim() != 1)
    throw MalformedInput(std::string(what) + " expects a storage, not " + describe(storage));
  const int64_t offset = int_argument(args, 1, what);
  const auto sizes = ints_argument(args, 2, what);
  const auto strides = ints_argument(args, 3, what);
  if (offset < 0 || sizes.size() != strides.size())
    throw MalformedInput("a tensor has an inconsistent size, stride or offset");
  const int64_t spanned = elements_spanned(offset, sizes, strides);
  const int64_t available = storage.tensor.numel();
  if (spanned < 0 || spanned > available || offset > available)
    throw MalformedInput("a tensor of size " + shape_string(sizes) + " reaches past the end of its storage of " +
                         std::to_string(available) + " elements");
  auto result = make_value(Kind::Tensor);
  result->tensor = storage.tensor.as_strided(sizes, strides, storage.tensor.storage_offset() + offset);
  return result;
}

// torch._utils._rebuild_parameter(data, requires_grad, backward_hooks) and
// _rebuild_parameter_with_state(..., state): an nn.Parameter is its data here.
Ptr rebuild_parameter(const std::vector<Ptr>& args) {
  const auto& data = argument(args, 0, "torch._utils._rebuild_parameter");
  if (data.kind != Kind::Tensor)
    throw MalformedInput("torch._utils._rebuild_parameter expects a tensor, not " + describe(data));
  return args[0];
}

// collections.OrderedDict() or, in old pickles, OrderedDict([[key, value], ...]).
Ptr ordered_dict(const std::vector<Ptr>& args) {
  auto dict = make_value(Kind::Dict);
  if (args.empty()) return dict;
  const auto& pairs = *args[0];
  if (pairs.kind != Kind::List && pairs.kind != Kind::Tuple)
    throw MalformedInput("collections.OrderedDict expects a list of pairs, not " + describe(pairs));
  for (const auto& pair : pairs.items) {
    if ((pair->kind != Kind::List && pair->kind != Kind::Tuple) || pair->items.size() != 2)
      throw MalformedInput("collections.OrderedDict expects pairs of key and value");
    dict->entries.emplace_back(pair->items[0], pair->items[1]);
  }
  return dict;
}

// _codecs.encode(text, "latin1"): how protocol 2 stores Python 3 bytes.
// The text holds code points below 256, one per byte.
Ptr latin1_bytes(const std::vector<Ptr>& args) {
  const auto& text = argument(args, 0, "_codecs.encode");
  if (text.kind != Kind::String) throw MalformedInput("_codecs.encode expects a string");
  auto bytes = make_value(Kind::Bytes);
  for (size_t i = 0; i < text.text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text.text[i]);
    if (c < 0x80) {
      bytes->text += static_cast<char>(c);
    } else if ((c & 0xFE) == 0xC2 && i + 1 < text.text.size()) {  // U+0080..U+00FF
      bytes->text += static_cast<char>(((c & 0x03) << 6) | (text.text[++i] & 0x3F));
    } else {
      throw MalformedInput("_codecs.encode got text that is not latin-1");
    }
  }
  return bytes;
}

using Constructor = Ptr (*)(const std::vector<Ptr>&);

const std::map<std::string, Constructor>& allowed_constructors() {
  static const std::map<std::string, Constructor> table = {
      {"collections.OrderedDict", ordered_dict},
      {"torch._utils._rebuild_tensor_v2", rebuild_tensor},
      {"torch._utils._rebuild_tensor", rebuild_tensor},
      {"torch._utils._rebuild_parameter", rebuild_parameter},
      {"torch._utils._rebuild_parameter_with_state", rebuild_parameter},
      {"_codecs.encode", latin1_bytes},
  };
  return table;
}

// ------------------------------------------------------------------ opcodes

namespace op {
constexpr uint8_t MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2';
constexpr uint8_t BININT = 'J', BININT1 = 'K', BININT2 = 'M', LONG1 = 0x8a, LONG4 = 0x8b;
constexpr uint8_t NONE = 'N', NEWTRUE = 0x88, NEWFALSE = 0x89, BINFLOAT = 'G';
constexpr uint8_t BINSTRING = 'T', SHORT_BINSTRING = 'U';
constexpr uint8_t BINUNICODE = 'X', SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d;
constexpr uint8_t BINBYTES = 'B', SHORT_BINBYTES = 'C', BINBYTES8 = 0x8e, BYTEARRAY8 = 0x96;
constexpr uint8_t EMPTY_LIST = ']', APPEND = 'a', APPENDS = 'e', LIST = 'l';
constexpr uint8_t EMPTY_TUPLE = ')', TUPLE = 't', TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87;
constexpr uint8_t EMPTY_DICT = '}', DICT = 'd', SETITEM = 's', SETITEMS = 'u';
constexpr uint8_t EMPTY_SET = 0x8f, ADDITEMS = 0x90, FROZENSET = 0x91;
constexpr uint8_t GET = 'g', BINGET = 'h', LONG_BINGET = 'j';
constexpr uint8_t PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r', MEMOIZE = 0x94;
constexpr uint8_t GLOBAL = 'c', STACK_GLOBAL = 0x93, REDUCE = 'R', BUILD = 'b';
constexpr uint8_t NEWOBJ = 0x81, NEWOBJ_EX = 0x92, BINPERSID = 'Q';
constexpr uint8_t PROTO = 0x80, FRAME = 0x95;
}  // namespace op

class Unpickler {
 public:
  Unpickler(ByteSource& in, const PersistentLoader& persistent_load)
      : in_(in), persistent_load_(persistent_load) {}

  Ptr run() {
    Ptr result;
    try {
      while (step(read_u8())) {
      }
      top();  // STOP's result must be there; it is checked while still on the stack
      if (nested_deeper_than(live_values(), kMaxPickleDepth))
        throw MalformedInput("values nested deeper than " + std::to_string(kMaxPickleDepth) +
                             " levels, or a cycle");
      result = pop();
    } catch (...) {
      empty_changed_values_outside(nullptr);
      throw;
    }
    empty_changed_values_outside(result.get());
    return result;
  }

 private:
  // Executes one opcode; false at STOP.
  bool step(uint8_t code) {
    const uint64_t at = in_.position() - 1;
    if (push_scalar(code) || build_container(code) || use_memo(code) || call_or_build(code))
      return true;
    switch (code) {
      case op::STOP: return false;
      case op::PROTO: read_u8(); return true;
      case op::FRAME: read_uint(8); return true;  // frames only group bytes for buffering
      case op::MARK: marks_.push_back(stack_.size()); return true;
      case op::POP: pop(); return true;
      case op::POP_MARK: pop_mark(); return true;
      case op::DUP: push(top()); return true;
      default: {
        static const char* hex = "0123456789abcdef";
        throw MalformedInput(std::string("unknown pickle opcode 0x") + hex[code >> 4] + hex[code & 15] +
                             " at byte " + std::to_string(at));
      }
    }
  }

  bool push_scalar(uint8_t code) {
    switch (code) {
      case op::NONE: push(new_value(Kind::None)); return true;
      case op::NEWTRUE: push_bool(true); return true;
      case op::NEWFALSE: push_bool(false); return true;
      case op::BININT: push_int(static_cast<int32_t>(read_uint(4))); return true;
      case op::BININT1: push_int(read_u8()); return true;
      case op::BININT2: push_int(read_uint(2)); return true;
      case op::LONG1: push_long(read_u8()); return true;
      case op::LONG4: push_long(read_uint(4)); return true;
      case op::BINFLOAT: push_float(); return true;
      case op::SHORT_BINSTRING:
      case op::SHORT_BINUNICODE: push_text(Kind::String, read_u8()); return true;
      case op::BINSTRING:
      case op::BINUNICODE: push_text(Kind::String, read_uint(4)); return true;
      case op::BINUNICODE8: push_text(Kind::String, read_uint(8)); return true;
      case op::SHORT_BINBYTES: push_text(Kind::Bytes, read_u8()); return true;
      case op::BINBYTES: push_text(Kind::Bytes, read_uint(4)); return true;
      case op::BINBYTES8:
      case op::BYTEARRAY8: push_text(Kind::Bytes, read_uint(8)); return true;
      default: return false;
    }
  }

  bool build_container(uint8_t code) {
    switch (code) {
      case op::EMPTY_LIST: push(new_value(Kind::List)); return true;
      case op::EMPTY_TUPLE: push(new_value(Kind::Tuple)); return true;
      case op::EMPTY_DICT: push(new_value(Kind::Dict)); return true;
      case op::EMPTY_SET: push(new_value(Kind::List)); return true;  // sets read as lists
      case op::LIST: push(sequence(Kind::List, pop_mark())); return true;
      case op::FROZENSET:
      case op::TUPLE: push(sequence(Kind::Tuple, pop_mark())); return true;
      case op::TUPLE1: push(sequence(Kind::Tuple, pop_n(1))); return true;
      case op::TUPLE2: push(sequence(Kind::Tuple, pop_n(2))); return true;
      case op::TUPLE3: push(sequence(Kind::Tuple, pop_n(3))); return true;
      case op::DICT: push(dict_from_pairs(new_value(Kind::Dict), pop_mark())); return true;
      case op::APPEND: append(pop_n(1)); return true;
      case op::APPENDS:
      case op::ADDITEMS: append(pop_mark()); return true;
      case op::SETITEM: set_items(pop_n(2)); return true;
      case op::SETITEMS: set_items(pop_mark()); return true;
      default: return false;
    }
  }

  bool use_memo(uint8_t code) {
    switch (code) {
      case op::BINPUT: memo_put(read_u8()); return true;
      case op::LONG_BINPUT: memo_put(read_uint(4)); return true;
      case op::PUT: memo_put(read_decimal_line()); return true;
      case op::MEMOIZE: memo_put(memo_.size()); return true;
      case op::BINGET: memo_get(read_u8()); return true;
      case op::LONG_BINGET: memo_get(read_uint(4)); return true;
      case op::GET: memo_get(read_decimal_line()); return true;
      default: return false;
    }
  }

  bool call_or_build(uint8_t code) {
    switch (code) {
      case op::GLOBAL: {
        std::string module = read_line();
        push_global(module + "." + read_line());
        return true;
      }
      case op::STACK_GLOBAL: {
        auto name_and_module = pop_n(2);
        push_global(string_of(*name_and_module[0], "STACK_GLOBAL") + "." +
                    string_of(*name_and_module[1], "STACK_GLOBAL"));
        return true;
      }
      case op::REDUCE:
      case op::NEWOBJ: {
        Ptr args = pop();
        Ptr callable = pop();
        push(call(*callable, *args));
        return true;
      }
      case op::NEWOBJ_EX: {
        auto parts = pop_n(3);  // cls, args, kwargs; the kwargs are dropped
        push(call(*parts[0], *parts[1]));
        return true;
      }
      case op::BUILD: {
        Ptr state = pop();
        changing(top())->state = std::move(state);
        return true;
      }
      case op::BINPERSID: push(persistent(pop())); return true;
      default: return false;
    }
  }

  // --- reading

  uint8_t read_u8() {
    uint8_t byte = 0;
    in_.read(&byte, 1);
    return byte;
  }

  // Little-endian unsigned integer of `n` <= 8 bytes.
  uint64_t read_uint(int n) {
    uint8_t bytes[8] = {};
    in_.read(bytes, n);
    uint64_t value = 0;
    for (int i = n - 1; i >= 0; --i) value = (value << 8) | bytes[i];
    return value;
  }

  std::string read_exactly(uint64_t n) {
    // Check before allocating, so a corrupt length cannot ask for terabytes.
    if (n > in_.remaining()) throw TruncatedInput(in_.size(), saturating_add(in_.position(), n));
    std::string bytes(n, '\0');
    in_.read(bytes.data(), n);
    return bytes;
  }

  std::string read_line() {
    std::string line;
    for (char c = static_cast<char>(read_u8()); c != '\n'; c = static_cast<char>(read_u8())) {
      if (line.size() >= kMaxLineLength) throw MalformedInput("a pickle text line is too long");
      line += c;
    }
    return line;
  }

  uint64_t read_decimal_line() {
    const std::string line = read_line();
    if (line.empty() || line.size() > 9 || line.find_first_not_of("0123456789") != std::string::npos)
      throw MalformedInput("a pickle memo index is not a number");
    return std::stoull(line);
  }

  // --- the stack

  Ptr new_value(Kind kind) {
    if (++values_created_ > kMaxValues) throw MalformedInput("the pickle creates too many values");
    return make_value(kind);
  }

  void push(Ptr value) { stack_.push_back(std::move(value)); }

  Ptr pop() {
    if (stack_.size() <= stack_floor()) throw MalformedInput("a pickle opcode found too few values on the stack");
    Ptr value = std::move(stack_.back());
    stack_.pop_back();
    return value;
  }

  const Ptr& top() {
    if (stack_.size() <= stack_floor()) throw MalformedInput("a pickle opcode found an empty stack");
    return stack_.back();
  }

  // Values below the innermost MARK belong to an enclosing opcode.
  size_t stack_floor() const { return marks_.empty() ? 0 : marks_.back(); }

  std::vector<Ptr> pop_n(size_t n) {
    if (stack_.size() < stack_floor() + n) throw MalformedInput("a pickle opcode found too few values on the stack");
    std::vector<Ptr> values(std::make_move_iterator(stack_.end() - n), std::make_move_iterator(stack_.end()));
    stack_.resize(stack_.size() - n);
    return values;
  }

  std::vector<Ptr> pop_mark() {
    if (marks_.empty()) throw MalformedInput("a pickle opcode needs a MARK that is not there");
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<Ptr> values(std::make_move_iterator(stack_.begin() + mark), std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return values;
  }

  void push_bool(bool value) {
    auto v = new_value(Kind::Bool);
    v->boolean = value;
    push(std::move(v));
  }

  void push_int(int64_t value) {
    auto v = new_value(Kind::Int);
    v->integer = value;
    push(std::move(v));
  }

  // LONG1/LONG4: little-endian two's complement of n bytes. Ints beyond
  // 64 bits (the legacy format's magic number) become Opaque "builtins.int".
  void push_long(uint64_t n) {
    const std::string bytes = read_exactly(n);
    if (!fits_int64(bytes)) {
      push_global("builtins.int");
      return;
    }
    uint64_t value = 0;
    const size_t used = std::min<size_t>(bytes.size(), 8);
    for (size_t i = used; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
    const bool negative = used > 0 && (bytes[used - 1] & 0x80);
    if (negative && used < 8) value |= ~uint64_t{0} << (8 * used);  // sign-extend
    push_int(static_cast<int64_t>(value));
  }

  static bool fits_int64(const std::string& bytes) {
    if (bytes.size() <= 8) return true;
    const bool negative = bytes.back() & 0x80;
    for (size_t i = 8; i < bytes.size(); ++i)
      if (bytes[i] != (negative ? '\xff' : '\0')) return false;
    return ((bytes[7] & 0x80) != 0) == negative;
  }

  void push_float() {
    uint8_t bytes[8];
    in_.read(bytes, 8);
    uint64_t bits = 0;
    for (uint8_t byte : bytes) bits = (bits << 8) | byte;  // big-endian, unlike everything else
    auto v = new_value(Kind::Float);
    std::memcpy(&v->real, &bits, sizeof bits);
    push(std::move(v));
  }

  void push_text(Kind kind, uint64_t length) {
    auto v = new_value(kind);
    v->text = read_exactly(length);
    push(std::move(v));
  }

  void push_global(std::string name) {
    auto v = new_value(Kind::Opaque);
    v->text = std::move(name);
    push(std::move(v));
  }

  // --- containers

  Ptr sequence(Kind kind, std::vector<Ptr> items) {
    auto v = new_value(kind);
    v->items = std::move(items);
    return v;
  }

  static Ptr dict_from_pairs(Ptr dict, const std::vector<Ptr>& flat) {
    if (flat.size() % 2) throw MalformedInput("a pickled dict has a key without a value");
    for (size_t i = 0; i < flat.size(); i += 2) dict->entries.emplace_back(flat[i], flat[i + 1]);
    return dict;
  }

  // APPEND(S) go to lists, and to objects of unknown list-like classes.
  void append(std::vector<Ptr> values) {
    const Ptr& target = changing(top());
    if (target->kind != Kind::List && target->kind != Kind::Opaque)
      throw MalformedInput("APPEND to " + describe(*target));
    for (auto& value : values) target->items.push_back(std::move(value));
  }

  // SETITEM(S) go to dicts, and to objects of unknown dict-like classes. A
  // repeated key is kept twice; lookups take the last, as Python would.
  void set_items(const std::vector<Ptr>& flat) {
    const Ptr& target = changing(top());
    if (target->kind != Kind::Dict && target->kind != Kind::Opaque)
      throw MalformedInput("SETITEM on " + describe(*target));
    dict_from_pairs(target, flat);
  }

  void memo_put(uint64_t index) {
    if (memo_.size() >= kMaxValues) throw MalformedInput("the pickle memo is too large");
    memo_[index] = top();
  }

  void memo_get(uint64_t index) {
    auto found = memo_.find(index);
    if (found == memo_.end()) throw MalformedInput("the pickle refers to memo entry " + std::to_string(index) + ", which it never stored");
    push(found->second);
  }

  // --- globals

  static const std::string& string_of(const CheckpointValue& value, const char* what) {
    if (value.kind != Kind::String) throw MalformedInput(std::string(what) + " expects strings");
    return value.text;
  }

  // REDUCE/NEWOBJ: allow-listed constructors run (they only rebuild data);
  // anything else becomes an Opaque record of its name and arguments.
  Ptr call(const CheckpointValue& callable, const CheckpointValue& args) {
    if (callable.kind != Kind::Opaque)
      throw MalformedInput("the pickle calls " + describe(callable) + ", which is not a class or function");
    if (args.kind != Kind::Tuple && args.kind != Kind::List)
      throw MalformedInput("the pickle calls " + callable.text + " with " + describe(args) + " as arguments");
    const auto& table = allowed_constructors();
    const auto found = table.find(callable.text);
    if (found != table.end()) {
      new_value(Kind::None);  // counts the value the constructor makes
      return found->second(args.items);
    }
    auto record = new_value(Kind::Opaque);
    record->text = callable.text;
    record->items = args.items;
    return record;
  }

  Ptr persistent(const Ptr& pid) {
    if (!persistent_load_) throw MalformedInput("the pickle refers to outside data (a persistent id) where none belongs");
    Ptr value = persistent_load_(*pid);
    if (!value) throw MalformedInput("a persistent id names nothing");
    return value;
  }

  // --- cycles
  // shared_ptr frees no cycles, and a pickle can make one through the memo
  // (list.append(itself), d[k] = d, BUILD with itself as state), drop it and
  // go on. Only APPEND, SETITEM and BUILD add a child to an existing value;
  // every other opcode makes a new value out of existing ones, which cannot
  // close a cycle. So every cycle runs through a value one of those three
  // changed, and emptying the changed values the result does not reach frees
  // all dropped cycles. It costs one walk over the result at the end, where
  // checking each APPEND for a cycle would walk everything appended, again
  // and again (quadratic in a hostile pickle).

  const Ptr& changing(const Ptr& target) {
    std::weak_ptr<CheckpointValue>& known = changed_[target.get()];
    if (known.expired()) known = target;  // a new value at a freed one's address
    return target;
  }

  // `kept`: the result, or null when the unpickler fails and keeps nothing.
  void empty_changed_values_outside(const CheckpointValue* kept) {
    if (changed_.empty()) return;
    const auto reached = kept ? reachable_from(*kept) : std::unordered_set<const CheckpointValue*>{};
    for (const auto& [address, weak] : changed_) {
      const Ptr value = weak.lock();
      if (!value || reached.count(value.get())) continue;
      value->items.clear();
      value->entries.clear();
      value->state.reset();
    }
    changed_.clear();
  }

  std::vector<Ptr> live_values() const {
    std::vector<Ptr> values = stack_;
    for (const auto& [index, value] : memo_) values.push_back(value);
    return values;
  }

  ByteSource& in_;
  const PersistentLoader& persistent_load_;
  std::vector<Ptr> stack_;
  std::vector<size_t> marks_;  // stack sizes at each open MARK
  std::unordered_map<uint64_t, Ptr> memo_;
  size_t values_created_ = 0;
  // Values APPEND, SETITEM or BUILD added children to, by address.
  std::unordered_map<const CheckpointValue*, std::weak_ptr<CheckpointValue>> changed_;
};

}  // namespace

CheckpointValue::Ptr unpickle(ByteSource& in, const PersistentLoader& persistent_load) {
  return Unpickler(in, persistent_load).run();
}

std::string describe(const CheckpointValue& value) {
  switch (value.kind) {
    case Kind::None: return "None";
    case Kind::Bool: return "a bool";
    case Kind::Int: return "an int";
    case Kind::Float: return "a float";
    case Kind::String: return "a string";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "a list";
    case Kind::Tuple: return "a tuple";
    case Kind::Dict: return "a dict";
    case Kind::Tensor: return "a tensor";
    case Kind::Opaque: return value.text.empty() ? "an unknown object" : "a pickled " + value.text;
  }
  return "a value";
}

}  // namespace barbershop
