#pragma once
// What the machine offers and what a run holds, in plain types, a door
// header (no LibTorch): CUDA devices, memory peaks, CPU threads, and the
// few switches and measures barbershop-bench needs. Devices are named as
// Engine::device() names them ("cpu", "cuda", "cuda:N"); the engine's own
// side, with c10::Device, is engine/device.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/image_buffer.h"

namespace barbershop {

// What this LibTorch was built with and can see, for `doctor` and reports.
struct CudaDevice {
  std::string name;         // "NVIDIA H200"
  int64_t memory_bytes = 0; // total device memory
  int major = 0, minor = 0; // compute capability
};
// "13.0": the CUDA runtime this LibTorch was compiled against; "" when it
// has no CUDA or its CUDA part is not loaded.
std::string cuda_compiled_version();
// The CUDA devices this process can use (none without a driver or a GPU).
std::vector<CudaDevice> cuda_devices();
// LibTorch's version, "2.11.0".
std::string libtorch_version();

// LibTorch starts with one CPU thread here; every host calls this once so
// CPU runs use the whole machine, or OMP_NUM_THREADS threads where that is
// set to a positive number (a Slurm job's --cpus-per-task, ctest -j2 running
// two tests at once), as every OpenMP program does.
void use_all_cpu_cores();

// The CUDA caching allocator's statistics, in MiB: what tensors hold
// (allocated) and what the allocator took from the driver (reserved). The
// one place they are read (bench/, tests/).
struct CudaMemory {
  double allocated_mb = 0, reserved_mb = 0;
};
// Peaks since the last reset_cuda_peak(device); nullopt on the CPU and
// where CUDA is not loaded.
std::optional<CudaMemory> cuda_peak(const std::string& device);
void reset_cuda_peak(const std::string& device);
// Hands the CUDA caching allocator's unused blocks back to the driver, so
// the next peak of reserved memory does not depend on what ran before
// (nothing on the CPU).
void release_cached_cuda_memory(const std::string& device);
// Waits for the device's queued work (nothing on the CPU).
void synchronize(const std::string& device);
// The device's model for reports: the CUDA device's name ("NVIDIA H200"),
// or "cpu".
std::string device_model(const std::string& device);

// The peak resident memory of this process in MiB since the last
// reset_resident_peak() (Linux's VmHWM, which writing 5 to
// /proc/self/clear_refs resets), or since it started where that is refused.
double resident_peak_mb();
void reset_resident_peak();

// TensorFloat-32 matmuls and convolutions on CUDA, a switch of the whole
// process (off by default).
void use_tf32(bool on);

// The largest difference between two images of the same shape, in 8-bit
// levels (255 for values 0 and 1). Throws barbershop::Error when their
// shapes differ.
double levels_apart(const ImageBuffer& a, const ImageBuffer& b);

}  // namespace barbershop
