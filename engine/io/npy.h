#pragma once
// NumPy .npy files (format versions 1, 2 and 3): the CLI's and the tests'
// exchange format for images, latents, masks and feature maps.
#include <ATen/core/Tensor.h>

#include <string>

namespace barbershop {

// Reads float32/float64/float16/int/uint8/bool arrays, C or Fortran order,
// little-endian; returns a contiguous CPU tensor of the stored dtype.
// Throws barbershop::Error naming the file on anything it cannot read.
at::Tensor read_npy(const std::string& path);

// Writes a contiguous little-endian .npy (version 1.0) atomically: the file
// appears whole or not at all.
void write_npy(const std::string& path, const at::Tensor& tensor);
// The bytes write_npy writes, for callers that also hash or send them.
std::string npy_bytes(const at::Tensor& tensor);

}  // namespace barbershop
