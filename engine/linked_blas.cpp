#include "engine/linked_blas.h"

#include <dlfcn.h>
#include <link.h>

#include <cstring>

namespace barbershop {
namespace {

std::string file_defining(void* symbol) {
  Dl_info info{};
  if (!symbol || !dladdr(symbol, &info) || !info.dli_fname) return "";
  return info.dli_fname;
}

// The path of the loaded libtorch_cpu, by walking the loaded objects.
std::string loaded_libtorch_cpu() {
  std::string path;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* found) {
        if (info->dlpi_name && std::strstr(info->dlpi_name, "/libtorch_cpu.so")) {
          *static_cast<std::string*>(found) = info->dlpi_name;
          return 1;
        }
        return 0;
      },
      &path);
  return path;
}

}  // namespace

LinkedBlas linked_blas() {
  LinkedBlas blas;
  blas.used = file_defining(dlsym(RTLD_DEFAULT, "sgemm_"));
  const std::string torch = loaded_libtorch_cpu();
  if (torch.empty()) return blas;
  // RTLD_NOLOAD: only a handle to the copy already loaded; dlsym on it looks
  // in that library (and its own dependencies), not the global order.
  if (void* handle = dlopen(torch.c_str(), RTLD_LAZY | RTLD_NOLOAD)) {
    const std::string own = file_defining(dlsym(handle, "sgemm_"));
    if (own == torch) blas.libtorch = own;
    dlclose(handle);
  }
  return blas;
}

}  // namespace barbershop
