#include "engine/device.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <thread>

#include "engine/error.h"

#ifdef BARBERSHOP_WITH_CUDA
#include <cuda_runtime_api.h>  // device names; LibTorch's own CUDA headers cost far more to compile
#endif

namespace barbershop {

c10::Device parse_device(const std::string& name) {
  const bool cuda = torch::cuda::is_available();
  if (name == "auto") return cuda ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(name);
  } catch (const c10::Error&) {
    throw Error("the device is auto, cpu, cuda or cuda:N, not '" + name + "'", "device");
  }
  if (device.is_cuda() && !cuda)
    throw Error("device " + name + ": no CUDA device is available to this build; use the CPU", "device");
  return device;
}

std::string cuda_compiled_version() {
  const auto& hooks = at::detail::getCUDAHooks();
  if (!hooks.hasCUDART()) return "";
  try {
    const long version = hooks.versionCUDART();  // 13000 for 13.0
    return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
  } catch (const c10::Error&) {
    return "";
  }
}

std::vector<CudaDevice> cuda_devices() {
  std::vector<CudaDevice> devices;
  if (!torch::cuda::is_available()) return devices;
  const auto count = static_cast<int>(torch::cuda::device_count());
  for (int index = 0; index < count; ++index) {
    CudaDevice device;
    device.name = "cuda:" + std::to_string(index);
#ifdef BARBERSHOP_WITH_CUDA
    cudaDeviceProp properties{};
    if (cudaGetDeviceProperties(&properties, index) == cudaSuccess) {
      device.name = properties.name;
      device.memory_bytes = static_cast<int64_t>(properties.totalGlobalMem);
      device.major = properties.major;
      device.minor = properties.minor;
    }
#endif
    devices.push_back(device);
  }
  return devices;
}

void use_all_cpu_cores() {
  torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace barbershop
