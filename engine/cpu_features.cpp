#include "engine/cpu_features.h"

#include <fstream>
#include <string>

namespace barbershop {

bool cpu_has_native_bf16() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string word;
  while (cpuinfo >> word)
    if (word == "avx512_bf16" || word == "amx_bf16") return true;
  return false;
}

}  // namespace barbershop
