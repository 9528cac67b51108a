#pragma once
// The safetensors format: an 8-byte little-endian header length, a JSON
// header {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
// "__metadata__": {"key": "text"}}, then the tensors' bytes. It holds only
// data, so reading it can never run code.
#include <cstdint>
#include <istream>
#include <string>

#include "engine/checkpoint/checkpoint.h"

namespace barbershop {

// True when `head`, the first bytes of a file of `file_size` bytes, starts
// like a safetensors header.
bool looks_like_safetensors(const std::string& head, uint64_t file_size);

// A dict of name -> CPU tensor in header order, plus "__metadata__" -> dict
// of strings when the header has one. Throws TruncatedInput or
// MalformedInput (see unpickler.h).
CheckpointValue::Ptr read_safetensors(std::istream& in, uint64_t file_size);

}  // namespace barbershop
