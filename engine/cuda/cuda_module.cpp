// libbarbershop-cuda.so: everything of engine/device.h that needs LibTorch's
// CUDA libraries (device names, the caching allocator, CUDA graphs), in a
// module that engine/device.cpp loads only where an NVIDIA driver is, so that
// the programs themselves link LibTorch's CPU libraries only.
#include "engine/cuda/cuda_module.h"

#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>  // device names

#include <type_traits>

namespace barbershop::cuda_module {
namespace {

constexpr double kMegabyte = 1024.0 * 1024.0;

c10::DeviceIndex resolved(c10::DeviceIndex index) { return index >= 0 ? index : c10::cuda::current_device(); }

// `waiter` runs nothing more until what `queue` has queued so far is done.
void wait_for(const c10::cuda::CUDAStream& waiter, const c10::cuda::CUDAStream& queue) {
  at::cuda::CUDAEvent done;
  done.record(queue);
  done.block(waiter);
}

class CudaGraph final : public Graph {
 public:
  explicit CudaGraph(c10::DeviceIndex index) : index_(index), side_(c10::cuda::getStreamFromPool(false, index)) {}

  void warm_up(const std::function<void()>& work) override { on_side_stream(work); }

  void record(const std::function<void()>& work) override {
    on_side_stream([&] {
      // The graph's memory pool is made here rather than by capture_begin,
      // so that it can be named when the capture fails (close_pool).
      const c10::MempoolId_t pool = at::cuda::graph_pool_handle();
      // Host code between capture_begin and capture_end runs once; kernels
      // are recorded, not run.
      graph_.capture_begin(pool);
      try {
        work();
      } catch (...) {
        // Something in `work` cannot be recorded (a copy from host memory,
        // which waits for the device): end the broken capture so the stream
        // and the allocator work as before, then report the first error.
        try {
          graph_.capture_end();
        } catch (...) {
          close_pool(pool);
        }
        throw;
      }
      try {
        graph_.capture_end();
      } catch (...) {
        close_pool(pool);
        throw;
      }
    });
  }

  void replay() override { graph_.replay(); }

 private:
  // `work` on the side stream, which first waits for what the current stream
  // queued, and is then waited for by it.
  void on_side_stream(const std::function<void()>& work) {
    const c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(index_);
    wait_for(side_, current);
    {
      c10::cuda::CUDAStreamGuard guard(side_);
      work();
    }
    wait_for(current, side_);
  }

  // CUDAGraph::capture_end throws as soon as cudaStreamEndCapture fails (a
  // capture that something invalidated), before it tells the caching
  // allocator that the capture is over: the allocator would go on treating
  // the stream's allocations as captured ones (deferring frees, routing to
  // the graph's pool), and the pool would never be freed, since the graph
  // releases it only after a capture that ended. So this does what
  // capture_end did not. When capture_end got past that point, the allocator
  // refuses to end the pool again, and the graph owns (and releases) it.
  void close_pool(c10::MempoolId_t pool) {
    try {
      c10::cuda::CUDACachingAllocator::endAllocateToPool(index_, pool);
    } catch (const c10::Error&) {
      return;
    }
    c10::cuda::CUDACachingAllocator::releasePool(index_, pool);
  }

  c10::DeviceIndex index_;
  c10::cuda::CUDAStream side_;
  at::cuda::CUDAGraph graph_;
};

class CudaModule final : public Module {
 public:
  CudaDevice describe(c10::DeviceIndex index) override {
    cudaDeviceProp properties{};
    C10_CUDA_CHECK(cudaGetDeviceProperties(&properties, resolved(index)));
    CudaDevice device;
    device.name = properties.name;
    device.memory_bytes = static_cast<int64_t>(properties.totalGlobalMem);
    device.major = properties.major;
    device.minor = properties.minor;
    return device;
  }

  // Index 0 of each statistic is StatType::AGGREGATE (all pools).
  CudaMemory memory(c10::DeviceIndex index, bool peak) override {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(resolved(index));
    const auto& allocated = stats.allocated_bytes[0];
    const auto& reserved = stats.reserved_bytes[0];
    return peak ? CudaMemory{allocated.peak / kMegabyte, reserved.peak / kMegabyte}
                : CudaMemory{allocated.current / kMegabyte, reserved.current / kMegabyte};
  }

  void reset_peak(c10::DeviceIndex index) override {
    c10::cuda::CUDACachingAllocator::resetPeakStats(resolved(index));
  }

  void release_cached() override { c10::cuda::CUDACachingAllocator::emptyCache(); }

  void synchronize() override { c10::cuda::device_synchronize(); }

  std::unique_ptr<Graph> new_graph(c10::DeviceIndex index) override {
    return std::make_unique<CudaGraph>(resolved(index));
  }
};

}  // namespace
}  // namespace barbershop::cuda_module

extern "C" __attribute__((visibility("default"))) barbershop::cuda_module::Module* barbershop_cuda_module(
    int interface_version) {
  static barbershop::cuda_module::CudaModule module;
  return interface_version == barbershop::cuda_module::kInterfaceVersion ? &module : nullptr;
}
static_assert(std::is_same_v<decltype(&barbershop_cuda_module), barbershop::cuda_module::EntryPoint>,
              "the entry point has the type engine/device.cpp calls it through");
