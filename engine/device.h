#pragma once
// Where the engine computes: the --device value of every command. The
// engine's side; hosts use engine/machine.h (device names as strings).
#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/machine.h"  // CudaDevice, CudaMemory, use_all_cpu_cores, ...

namespace barbershop {

// "auto" (the first CUDA device when this LibTorch has one, else the CPU),
// "cpu", "cuda" or "cuda:N". Throws barbershop::Error for anything else, or
// for CUDA when no CUDA device is available.
c10::Device parse_device(const std::string& name);

// LibTorch's CUDA part. Programs link LibTorch's CPU libraries only, so they
// start on machines without the CUDA toolkit; where an NVIDIA driver is
// (libcuda.so.1 loads), the module libbarbershop-cuda.so, looked for beside
// the program (or the library holding the engine) and then in ../lib, brings
// LibTorch's CUDA libraries. Loaded once, when the program starts: LibTorch
// decides whether it has CUDA at its first question about it.
struct CudaSupport {
  enum class State {
    kNoDriver,  // no NVIDIA driver: everything runs on the CPU
    kLoaded,    // the module and LibTorch's CUDA libraries are loaded
    kFailed,    // a driver, but the module or a library did not load
  };
  State state = State::kNoDriver;
  std::string module;   // the module's path (loaded or failed); "" when none was found
  std::string problem;  // kFailed: what went wrong and what to install
};
// The first call loads (every later one returns the same answer); every
// function below calls it first, so hosts need not.
const CudaSupport& load_cuda_support();

// The CUDA caching allocator's peaks (CudaMemory, engine/machine.h) since
// the last reset_cuda_peak(device); nullopt on the CPU and where CUDA is not
// loaded.
std::optional<CudaMemory> cuda_peak(c10::Device device);
// What is held right now.
std::optional<CudaMemory> cuda_current(c10::Device device);
void reset_cuda_peak(c10::Device device);
// Hands the CUDA caching allocator's unused blocks back to the driver, so
// the next peak of reserved memory does not depend on what ran before
// (nothing on the CPU).
void release_cached_cuda_memory(c10::Device device);
// Waits for the device's queued work (nothing on the CPU).
void synchronize(c10::Device device);

// One piece of fixed-shape work (an optimisation step: forward, backward and
// the optimiser's update) recorded once as a CUDA graph and replayed: the
// tensors it reads and writes keep their memory, so a replay reads what was
// copied into its inputs and leaves its results where the recording did.
class CudaGraph {
 public:
  // Whether `device` can record graphs (a CUDA device, with CUDA loaded);
  // where not, constructing a CudaGraph throws.
  static bool available(c10::Device device);
  explicit CudaGraph(c10::Device device);
  ~CudaGraph();
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;
  // Runs `work` on a side stream (the warm-up CUDA graphs need before a
  // capture: it allocates gradients and picks kernels).
  void warm_up(const std::function<void()>& work);
  // Records `work` (nothing runs yet). Throws, with the capture ended,
  // when `work` does what a graph cannot hold (a host read or a copy from
  // host memory: both wait for the device).
  void record(const std::function<void()>& work);
  // Runs the recorded work once more.
  void replay();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace barbershop
