#pragma once
// Where the engine computes: the --device value of every command.
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

namespace barbershop {

// "auto" (the first CUDA device when this LibTorch has one, else the CPU),
// "cpu", "cuda" or "cuda:N". Throws barbershop::Error for anything else, or
// for CUDA when no CUDA device is available.
c10::Device parse_device(const std::string& name);

// What this LibTorch was built with and can see, for `doctor` and reports.
struct CudaDevice {
  std::string name;         // "NVIDIA H200"
  int64_t memory_bytes = 0; // total device memory
  int major = 0, minor = 0; // compute capability
};
// "13.0": the CUDA runtime this LibTorch was compiled against; "" when it
// has no CUDA.
std::string cuda_compiled_version();
// The CUDA devices this process can use (none without a driver or a GPU).
std::vector<CudaDevice> cuda_devices();

// LibTorch starts with one CPU thread here; every host calls this once so
// CPU runs use the whole machine.
void use_all_cpu_cores();

}  // namespace barbershop
