// `barbershop doctor`: what a transfer would run with — the weights files
// (found or missing, with their sha256), the device, the LibTorch version,
// whether its CUDA part is loaded (or why not), the thread count and the
// cache — for bug reports and setup (engine/tools.h).
#include "engine/tools.h"

#include <ATen/ATen.h>
#include <torch/version.h>

#include <filesystem>
#include <iostream>
#include <regex>
#include <vector>

#include "engine/device.h"
#include "engine/error.h"
#include "engine/linked_blas.h"
#include "engine/io/sha256.h"
#include "engine/pipeline/models.h"
#include "engine/weights/catalogue.h"
#include "engine/weights/check.h"
#include "engine/weights/manifest.h"

namespace barbershop::tools {
namespace {

namespace fs = std::filesystem;

// The files find_weight_files() looks for, in its order; `generator`
// replaces ffhq.pt.
std::vector<std::string> weight_paths(const std::string& dir, const std::string& generator) {
  std::vector<std::string> paths;
  for (const std::string& name : official_weight_names()) paths.push_back(dir + "/" + name);
  if (!generator.empty()) paths.front() = generator;
  return paths;
}

// torch.hub's convention: "vgg16-397923af.pth" promises a sha256 starting
// with 397923af. Empty when the name makes no such promise.
std::string hash_prefix_in_name(const std::string& path) {
  static const std::regex hashed_name("-([0-9a-f]{8,64})\\.[A-Za-z]+$");
  std::smatch match;
  const std::string name = fs::path(path).filename().string();
  return std::regex_search(name, match, hashed_name) ? match[1].str() : "";
}

void check_name_against_hash(std::ostream& out, const std::string& path, const std::string& sha256) {
  const std::string prefix = hash_prefix_in_name(path);
  if (prefix.empty()) return;
  const std::string name = fs::path(path).filename().string();
  if (sha256.compare(0, prefix.size(), prefix) == 0) {
    out << "  " << name << ": sha256 matches the " << prefix << " in its name\n";
    return;
  }
  out << "warning: " << name << ": sha256 starts with " << sha256.substr(0, prefix.size()) << ", not "
      << prefix << " as its name says; it is not the published file (random-weight test files use "
      << "the same name), so results will differ from the published ones\n";
}

// The manifest's word on a file, or why there is none.
void report_against_manifest(std::ostream& out, const std::string& path, const std::string& sha256, uintmax_t size,
                             const weights::Manifest& manifest) {
  const auto record = manifest.find(fs::path(path).filename().string());
  if (record == manifest.end()) {
    out << "    manifest: not recorded (not downloaded by `barbershop weights download`)\n";
  } else if (record->second.sha256 == sha256 && record->second.size == size) {
    out << "    manifest: matches\n";
  } else {
    out << "    manifest: DIFFERS (recorded " << record->second.size << " bytes, sha256 "
        << record->second.sha256 << "): the file changed since it was downloaded\n";
  }
}

// One row per file (found, damaged or missing); returns whether it is usable.
bool report_weight_file(std::ostream& out, const std::string& path, weights::Role role,
                        const weights::Manifest& manifest) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    out << "  missing  " << path << "\n";
    return false;
  }
  std::string sha256;
  try {
    sha256 = sha256_file(path);
  } catch (const Error& unreadable) {
    out << "  unreadable  " << unreadable.what() << "\n";
    return false;
  }
  std::string damage;
  try {
    weights::check_weights_file(path, role);
  } catch (const std::exception& unusable) {
    const std::string text = unusable.what();
    damage = text.substr(0, text.find('\n'));  // LibTorch's errors append a stack trace
  }
  const uintmax_t size = fs::file_size(path);
  out << (damage.empty() ? "  found    " : "  damaged  ") << path << "  " << size << " bytes  sha256 " << sha256
      << "\n";
  if (!damage.empty()) out << "    why: " << damage << "\n";
  report_against_manifest(out, path, sha256, size, manifest);
  check_name_against_hash(out, path, sha256);
  return damage.empty();
}

weights::Manifest manifest_or_empty(std::ostream& out, const std::string& dir) {
  try {
    return weights::read_manifest(dir);
  } catch (const Error& unreadable) {
    out << "  warning: " << unreadable.what() << "\n";
    return {};
  }
}

bool report_weights(std::ostream& out, const std::string& dir, const std::string& generator) {
  out << "weights: " << dir << "\n";
  const weights::Manifest manifest = manifest_or_empty(out, dir);
  const weights::Role roles[] = {weights::Role::Generator, weights::Role::Parser, weights::Role::Vgg16,
                                 weights::Role::Lpips};
  const std::vector<std::string> paths = weight_paths(dir, generator);
  bool all_usable = true;
  for (size_t i = 0; i < paths.size(); ++i) {
    // The manifest speaks for the files of its own folder only (not for a
    // --generator elsewhere that shares a name with one of them).
    const fs::path path(paths[i]);
    const bool in_dir = path.lexically_normal() == (fs::path(dir) / path.filename()).lexically_normal();
    all_usable = report_weight_file(out, paths[i], roles[i], in_dir ? manifest : weights::Manifest{}) && all_usable;
  }
  if (all_usable) return true;
  try {
    find_weight_files(dir, generator);  // its message says where users get each missing file
  } catch (const Error& missing) {
    out << "  " << missing.what() << "\n";
  }
  out << "  `barbershop weights download --weights " << dir << "` fetches missing or damaged files\n";
  return false;
}

// One line for LibTorch's CUDA part (engine/device.h, CudaSupport), then one
// per device:
//   CUDA: not used (no NVIDIA driver)
//   CUDA: /.../libbarbershop-cuda.so loaded (CUDA 13.0), 1 device(s)
//   CUDA: not used: <what failed to load, and what to install>
void report_cuda(std::ostream& out, const std::vector<CudaDevice>& devices) {
  const CudaSupport& support = load_cuda_support();
  if (support.state == CudaSupport::State::kNoDriver) {
    out << "CUDA: not used (no NVIDIA driver)\n";
    return;
  }
  if (support.state == CudaSupport::State::kFailed) {
    out << "CUDA: not used: " << support.problem << "\n";
    return;
  }
  const std::string compiled = cuda_compiled_version();
  out << "CUDA: " << support.module << " loaded (CUDA " << (compiled.empty() ? "?" : compiled) << "), ";
  if (devices.empty()) {
    out << "no device\n";
    return;
  }
  out << devices.size() << " device(s)\n";
  for (size_t index = 0; index < devices.size(); ++index) {
    const CudaDevice& device = devices[index];
    out << "  cuda:" << index << "  " << device.name << "  " << device.memory_bytes / (1 << 20) << " MiB  compute "
        << device.major << "." << device.minor << "\n";
  }
}

// "BLAS: LibTorch's own (PATH)", or which library took its place and why
// that matters (engine/linked_blas.h).
void report_blas(std::ostream& out) {
  const LinkedBlas blas = linked_blas();
  if (blas.libtorchs_own())
    out << "BLAS: LibTorch's own (" << blas.libtorch << ")\n";
  else if (blas.libtorch.empty())
    out << "BLAS: " << (blas.used.empty() ? "none loaded" : blas.used) << " (LibTorch has none of its own)\n";
  else
    out << "BLAS: " << blas.used << " instead of LibTorch's own: matrix products are slower and results differ "
        << "from other builds; link LibTorch before dlib and the system BLAS\n";
}

void report_runtime(std::ostream& out) {
  const std::vector<CudaDevice> devices = cuda_devices();
  if (!devices.empty())
    out << "device: cuda:0 (" << devices.size() << " CUDA device(s)); --device auto uses it\n";
  else
    out << "device: cpu (no CUDA device available to this build)\n";
  out << "LibTorch: " << TORCH_VERSION << "\n";
  report_cuda(out, devices);
  report_blas(out);
  out << "threads: " << at::get_num_threads() << "\n";
}

struct FolderSize {
  uintmax_t bytes = 0;
  uintmax_t files = 0;
};

// Regular files only, not following links, as `find DIR -type f` counts.
FolderSize folder_size(const std::string& dir) {
  FolderSize size;
  std::error_code error;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code stat_error;
    if (!it->is_symlink(stat_error) && it->is_regular_file(stat_error)) {
      const uintmax_t bytes = it->file_size(stat_error);
      if (stat_error) continue;
      size.bytes += bytes;
      ++size.files;
    }
  }
  if (error) throw Error("cannot read the cache folder " + dir + " (" + error.message() + ")");
  return size;
}

void report_cache(std::ostream& out, const std::string& dir) {
  std::error_code error;
  if (!fs::exists(dir, error)) {
    out << "cache: " << dir << " (not created yet)\n";
    return;
  }
  const FolderSize size = folder_size(dir);
  out << "cache: " << dir << "  " << size.bytes << " bytes in " << size.files << " files ("
      << size.bytes / 1000000 << " MB)\n";
}

}  // namespace

bool doctor(const DoctorRequest& request, std::ostream& out) {
  const std::string weights_dir = request.weights_dir.empty() ? default_weights_dir() : request.weights_dir;
  const bool all_found = report_weights(out, weights_dir, request.generator);
  report_runtime(out);
  report_cache(out, request.cache_dir.empty() ? default_cache_dir() : request.cache_dir);
  return all_found;
}

}  // namespace barbershop::tools
