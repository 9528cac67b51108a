#include "engine/machine.h"

#include <ATen/Context.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>

#include "engine/device.h"
#include "engine/error.h"

namespace barbershop {

// The functions of engine/device.h that take a c10::Device, by name.

std::optional<CudaMemory> cuda_peak(const std::string& device) { return cuda_peak(c10::Device(device)); }

void reset_cuda_peak(const std::string& device) { reset_cuda_peak(c10::Device(device)); }

void release_cached_cuda_memory(const std::string& device) { release_cached_cuda_memory(c10::Device(device)); }

void synchronize(const std::string& device) { synchronize(c10::Device(device)); }

std::string device_model(const std::string& device) {
  const c10::Device parsed(device);
  if (!parsed.is_cuda()) return "cpu";
  return cuda_devices().at(parsed.has_index() ? parsed.index() : 0).name;
}

std::string libtorch_version() { return TORCH_VERSION; }

void use_tf32(bool on) {
  at::globalContext().setAllowTF32CuBLAS(on);
  at::globalContext().setAllowTF32CuDNN(on);
}

double levels_apart(const ImageBuffer& a, const ImageBuffer& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels || a.values.size() != b.values.size())
    throw Error("cannot compare a " + std::to_string(a.width) + "x" + std::to_string(a.height) + " image with a " +
                std::to_string(b.width) + "x" + std::to_string(b.height) + " one");
  double largest = 0;
  for (size_t i = 0; i < a.values.size(); ++i)
    largest = std::max(largest, std::fabs(static_cast<double>(a.values[i]) - b.values[i]));
  return largest * 255;
}

}  // namespace barbershop
