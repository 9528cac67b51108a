#include "engine/device.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <thread>

#include "engine/error.h"

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

void use_all_cpu_cores() {
  torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace barbershop
