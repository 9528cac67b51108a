#include "engine/device.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>

#include "engine/error.h"

#ifdef BARBERSHOP_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>  // device names
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

#ifdef BARBERSHOP_WITH_CUDA
namespace {
constexpr double kMegabyte = 1024.0 * 1024.0;

c10::DeviceIndex cuda_index(c10::Device device) {
  return device.has_index() ? device.index() : c10::cuda::current_device();
}

// Index 0 of each statistic is StatType::AGGREGATE (all pools).
CudaMemory from_stats(c10::Device device, bool peak) {
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(cuda_index(device));
  const auto& allocated = stats.allocated_bytes[0];
  const auto& reserved = stats.reserved_bytes[0];
  return peak ? CudaMemory{allocated.peak / kMegabyte, reserved.peak / kMegabyte}
              : CudaMemory{allocated.current / kMegabyte, reserved.current / kMegabyte};
}
}  // namespace

std::optional<CudaMemory> cuda_peak(c10::Device device) {
  if (!device.is_cuda()) return std::nullopt;
  return from_stats(device, true);
}

std::optional<CudaMemory> cuda_current(c10::Device device) {
  if (!device.is_cuda()) return std::nullopt;
  return from_stats(device, false);
}

void reset_cuda_peak(c10::Device device) {
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(cuda_index(device));
}

void release_cached_cuda_memory(c10::Device device) {
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
}

void synchronize(c10::Device device) {
  if (device.is_cuda()) c10::cuda::device_synchronize();
}

// `waiter` runs nothing more until what `queue` has queued so far is done.
static void wait_for(const c10::cuda::CUDAStream& waiter, const c10::cuda::CUDAStream& queue) {
  at::cuda::CUDAEvent done;
  done.record(queue);
  done.block(waiter);
}

struct CudaGraph::Impl {
  c10::Device device;
  c10::cuda::CUDAStream side;
  at::cuda::CUDAGraph graph;
  explicit Impl(c10::Device where)
      : device(where), side(c10::cuda::getStreamFromPool(false, cuda_index(where))) {}

  // `work` on the side stream, which first waits for what the current stream
  // queued, and is then waited for by it.
  void on_side_stream(const std::function<void()>& work) {
    const c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(cuda_index(device));
    wait_for(side, current);
    {
      c10::cuda::CUDAStreamGuard guard(side);
      work();
    }
    wait_for(current, side);
  }
};

bool CudaGraph::available(c10::Device device) { return device.is_cuda() && torch::cuda::is_available(); }

CudaGraph::CudaGraph(c10::Device device) {
  if (!available(device)) throw Error("CUDA graphs need a CUDA device", "speed");
  impl_ = std::make_unique<Impl>(device);
}

void CudaGraph::warm_up(const std::function<void()>& work) { impl_->on_side_stream(work); }

void CudaGraph::record(const std::function<void()>& work) {
  impl_->on_side_stream([&] {
    // Host code between capture_begin and capture_end runs once; kernels are
    // recorded, not run.
    impl_->graph.capture_begin();
    try {
      work();
    } catch (...) {
      // Something in `work` cannot be recorded (a copy from host memory,
      // which waits for the device): end the broken capture so the stream
      // and the allocator work as before, then report the first error.
      try {
        impl_->graph.capture_end();
      } catch (...) {
      }
      throw;
    }
    impl_->graph.capture_end();
  });
}

void CudaGraph::replay() { impl_->graph.replay(); }
#else
std::optional<CudaMemory> cuda_peak(c10::Device) { return std::nullopt; }
std::optional<CudaMemory> cuda_current(c10::Device) { return std::nullopt; }
void reset_cuda_peak(c10::Device) {}
void release_cached_cuda_memory(c10::Device) {}
void synchronize(c10::Device) {}

struct CudaGraph::Impl {};
bool CudaGraph::available(c10::Device) { return false; }
CudaGraph::CudaGraph(c10::Device) { throw Error("this build has no CUDA, so no CUDA graphs", "speed"); }
void CudaGraph::warm_up(const std::function<void()>&) {}
void CudaGraph::record(const std::function<void()>&) {}
void CudaGraph::replay() {}
#endif

CudaGraph::~CudaGraph() = default;

double resident_peak_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  return 0;
}

void reset_resident_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

void use_all_cpu_cores() {
  torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace barbershop
