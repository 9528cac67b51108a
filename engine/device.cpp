#include "engine/device.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <link.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "engine/cuda/cuda_module.h"
#include "engine/error.h"

namespace barbershop {
namespace {

namespace fs = std::filesystem;

// The folder of the file holding this code: the program, where the engine
// is linked in (as it is), or the shared library that holds it.
fs::path own_folder() {
  Dl_info info{};
  link_map* map = nullptr;
  static const int anchor = 0;
  if (dladdr1(&anchor, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) != 0 && map != nullptr &&
      map->l_name != nullptr && map->l_name[0] != '\0')
    return fs::path(map->l_name).parent_path();
  std::error_code error;  // the main program has no name in its link map
  return fs::read_symlink("/proc/self/exe", error).parent_path();
}

// Where the module may be: beside the program (a plug-in folder, the build
// tree's plug-in folder), then in ../lib (build/bin -> build/lib, an
// installed PREFIX/bin -> PREFIX/lib).
std::vector<fs::path> module_candidates(const fs::path& folder) {
  return {folder / cuda_module::kFileName, (folder / ".." / "lib" / cuda_module::kFileName).lexically_normal()};
}

std::string last_dl_error() {
  const char* text = dlerror();
  return text ? text : "unknown error";
}

#ifdef BARBERSHOP_CUDA_MODULE_BUILT
constexpr bool kBuiltWithModule = true;
#else
constexpr bool kBuiltWithModule = false;
#endif

// What a GPU user installs when LibTorch's CUDA libraries do not load.
constexpr char kInstallAdvice[] =
    "the GPU needs LibTorch's CUDA libraries (libtorch_cuda.so) and NVIDIA's CUDA 13 libraries "
    "(cuBLAS, cuDNN 9, cuFFT, cuRAND, cuSPARSE, cuSPARSELt, NCCL, nvJitLink); install them as README.md "
    "(\"Install\") says. Until then everything runs on the CPU";

struct Loaded {
  CudaSupport support;
  cuda_module::Module* module = nullptr;
};

Loaded load() {
  Loaded loaded;
  // The driver's library, which the CUDA runtime loads the same way; kept
  // loaded (LibTorch uses it next).
  if (dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL) == nullptr) return loaded;
  CudaSupport& support = loaded.support;
  support.state = CudaSupport::State::kFailed;
  const fs::path folder = own_folder();
  const std::vector<fs::path> candidates = module_candidates(folder);
  std::error_code error;
  for (const fs::path& candidate : candidates)
    if (support.module.empty() && fs::is_regular_file(candidate, error)) support.module = candidate.string();
  if (support.module.empty()) {
    support.problem = "the NVIDIA driver is there, but " + std::string(cuda_module::kFileName) + " is neither in " +
                      candidates[0].parent_path().string() + " nor in " + candidates[1].parent_path().string() +
                      (kBuiltWithModule ? ": copy it there with the program"
                                        : ": this build has no GPU part (LibTorch without CUDA, or Meson's -Dcuda=false)") +
                      "; everything runs on the CPU";
    return loaded;
  }
  // RTLD_GLOBAL: LibTorch's CUDA libraries join the program's symbols, as
  // when a program links them.
  void* handle = dlopen(support.module.c_str(), RTLD_LAZY | RTLD_GLOBAL);
  if (handle == nullptr) {
    support.problem = "the NVIDIA driver is there, but " + last_dl_error() + ": " + kInstallAdvice;
    return loaded;
  }
  const auto entry = reinterpret_cast<cuda_module::EntryPoint>(dlsym(handle, cuda_module::kEntryPoint));
  loaded.module = entry ? entry(cuda_module::kInterfaceVersion) : nullptr;
  if (loaded.module == nullptr) {
    support.problem = support.module + " is from another build of Barbershop; install the one built with this program";
    return loaded;
  }
  support.state = CudaSupport::State::kLoaded;
  return loaded;
}

const Loaded& loaded() {
  static const Loaded once = load();  // thread-safe, once per process
  return once;
}

// The module, or nullptr where CUDA is not loaded.
cuda_module::Module* loaded_module() { return loaded().module; }

c10::DeviceIndex index_of(c10::Device device) { return device.has_index() ? device.index() : -1; }

}  // namespace

const CudaSupport& load_cuda_support() { return loaded().support; }

// LibTorch settles on its CUDA hooks at the first question about CUDA
// (torch::cuda::is_available(), torch::manual_seed(), at::hasCUDA(), ...),
// and a test or host may ask before calling anything here. So the CUDA part
// is loaded while the program starts; this symbol is named undefined at link
// time (engine/CMakeLists.txt, meson-compat/meson.build), so every program
// that links the engine includes this file and runs this.
extern "C" const bool barbershop_cuda_loaded_at_start = (load_cuda_support(), true);

c10::Device parse_device(const std::string& name) {
  load_cuda_support();
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
  load_cuda_support();
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
  if (loaded_module() == nullptr || !torch::cuda::is_available()) return devices;
  const auto count = static_cast<int>(torch::cuda::device_count());
  for (int index = 0; index < count; ++index) {
    try {
      devices.push_back(loaded_module()->describe(static_cast<c10::DeviceIndex>(index)));
    } catch (const c10::Error&) {
      CudaDevice unnamed;
      unnamed.name = "cuda:" + std::to_string(index);
      devices.push_back(unnamed);
    }
  }
  return devices;
}

std::optional<CudaMemory> cuda_peak(c10::Device device) {
  if (!device.is_cuda() || loaded_module() == nullptr) return std::nullopt;
  return loaded_module()->memory(index_of(device), true);
}

std::optional<CudaMemory> cuda_current(c10::Device device) {
  if (!device.is_cuda() || loaded_module() == nullptr) return std::nullopt;
  return loaded_module()->memory(index_of(device), false);
}

void reset_cuda_peak(c10::Device device) {
  if (device.is_cuda() && loaded_module() != nullptr) loaded_module()->reset_peak(index_of(device));
}

void release_cached_cuda_memory(c10::Device device) {
  if (device.is_cuda() && loaded_module() != nullptr) loaded_module()->release_cached();
}

void synchronize(c10::Device device) {
  if (device.is_cuda() && loaded_module() != nullptr) loaded_module()->synchronize();
}

struct CudaGraph::Impl {
  std::unique_ptr<cuda_module::Graph> graph;
};

bool CudaGraph::available(c10::Device device) {
  return device.is_cuda() && loaded_module() != nullptr && torch::cuda::is_available();
}

CudaGraph::CudaGraph(c10::Device device) {
  if (!available(device)) throw Error("CUDA graphs need a CUDA device", "speed");
  impl_ = std::make_unique<Impl>();
  impl_->graph = loaded_module()->new_graph(index_of(device));
}

CudaGraph::~CudaGraph() = default;

void CudaGraph::warm_up(const std::function<void()>& work) { impl_->graph->warm_up(work); }
void CudaGraph::record(const std::function<void()>& work) { impl_->graph->record(work); }
void CudaGraph::replay() { impl_->graph->replay(); }

double resident_peak_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  return 0;
}

void reset_resident_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

void use_all_cpu_cores() {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (const char* asked = std::getenv("OMP_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(asked, &end, 10);
    if (end != asked && *end == '\0' && n > 0 && n <= 4096) threads = static_cast<int>(n);
  }
  torch::set_num_threads(threads);
}

}  // namespace barbershop
