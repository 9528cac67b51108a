#pragma once
// The interface between the engine (engine/device.cpp) and its CUDA part,
// the module libbarbershop-cuda.so (cuda_module.cpp). Programs link
// LibTorch's CPU libraries only, so they start on machines without CUDA;
// device.cpp loads the module with dlopen where an NVIDIA driver is, and the
// module brings LibTorch's CUDA libraries, whose loading registers LibTorch's
// CUDA kernels and hooks. Both sides are compiled by one build against one
// LibTorch, so C++ types cross the boundary; the module's functions throw
// LibTorch's c10::Error only.
#include <c10/core/Device.h>

#include <functional>
#include <memory>

#include "engine/device.h"  // CudaDevice, CudaMemory

namespace barbershop::cuda_module {

// The file name device.cpp looks for, and its one exported function.
inline constexpr char kFileName[] = "libbarbershop-cuda.so";
inline constexpr char kEntryPoint[] = "barbershop_cuda_module";
// Raised whenever the classes below change, so a module left over from
// another build is refused rather than called through the wrong layout.
inline constexpr int kInterfaceVersion = 2;

// One CUDA graph (CudaGraph in device.h says what it does).
class Graph {
 public:
  virtual ~Graph() = default;
  virtual void warm_up(const std::function<void()>& work) = 0;
  virtual void record(const std::function<void()>& work) = 0;
  virtual void replay() = 0;
};

// Device indices are >= 0, or -1 for the current CUDA device.
class Module {
 public:
  virtual ~Module() = default;
  // The name, memory and compute capability of device `index`.
  virtual CudaDevice describe(c10::DeviceIndex index) = 0;
  // The caching allocator's statistics: since the last reset (peak) or now.
  virtual CudaMemory memory(c10::DeviceIndex index, bool peak) = 0;
  virtual void reset_peak(c10::DeviceIndex index) = 0;
  // Hands the caching allocator's unused blocks back to the driver.
  virtual void release_cached() = 0;
  // Waits for all work queued on the current device.
  virtual void synchronize() = 0;
  virtual std::unique_ptr<Graph> new_graph(c10::DeviceIndex index) = 0;
};

// The module's exported function: its Module, or nullptr when it was built
// for another interface version.
using EntryPoint = Module* (*)(int interface_version);

}  // namespace barbershop::cuda_module
