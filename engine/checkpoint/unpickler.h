#pragma once
// A restricted unpickler: it understands the pickle opcodes torch.save and
// Python's pickle emit for plain data, and never imports or calls anything.
// Globals outside a short allow-list of pure data constructors become
// CheckpointValue::Kind::Opaque records ("module.name" plus the arguments).
#include <cstdint>
#include <functional>
#include <istream>
#include <stdexcept>
#include <string>

#include "engine/checkpoint/checkpoint.h"

namespace barbershop {

// The input ended before the structure did. The loaders turn this into a
// "truncated after N bytes" message.
struct TruncatedInput : std::runtime_error {
  TruncatedInput(uint64_t available, uint64_t needed)
      : std::runtime_error("truncated input"), available(available), needed(needed) {}
  uint64_t available;  // bytes the input has
  uint64_t needed;     // bytes the structure needed at least
};

// The bytes are there but make no sense (unknown opcode, wrong types, ...).
struct MalformedInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bounds-checked sequential reads; every read either fills all of `dst` or
// throws TruncatedInput, so no caller can run past the end.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual void read(void* dst, uint64_t n) = 0;
  virtual uint64_t position() const = 0;
  virtual uint64_t size() const = 0;
  uint64_t remaining() const { return size() - position(); }
};

class MemoryBytes final : public ByteSource {
 public:
  MemoryBytes(const void* data, uint64_t size)
      : data_(static_cast<const uint8_t*>(data)), size_(size) {}
  void read(void* dst, uint64_t n) override;
  uint64_t position() const override { return position_; }
  uint64_t size() const override { return size_; }

 private:
  const uint8_t* data_;
  uint64_t size_;
  uint64_t position_ = 0;
};

// Reads a stream of known length (a file) from its current position on;
// positions count from the stream's start.
class StreamBytes final : public ByteSource {
 public:
  StreamBytes(std::istream& in, uint64_t size);
  void read(void* dst, uint64_t n) override;
  uint64_t position() const override { return position_; }
  uint64_t size() const override { return size_; }

 private:
  std::istream& in_;
  uint64_t size_;
  uint64_t position_;
};

// Turns a persistent id (BINPERSID's argument, e.g. the tuple
// ('storage', torch.FloatStorage, '0', 'cpu', 64)) into the object it names.
using PersistentLoader = std::function<CheckpointValue::Ptr(const CheckpointValue& pid)>;

// Reads one pickle, up to and including its STOP opcode, from `in`.
// Throws TruncatedInput or MalformedInput; values nested deeper than
// kMaxPickleDepth (or cyclic) are refused. Cycles the pickle built and
// dropped are broken, so nothing it made outlives the call but the result.
CheckpointValue::Ptr unpickle(ByteSource& in, const PersistentLoader& persistent_load);

constexpr int kMaxPickleDepth = 200;

// "a dict", "an int", "a pickled argparse.Namespace", ... for messages.
std::string describe(const CheckpointValue& value);

}  // namespace barbershop
