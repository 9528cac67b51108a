#pragma once
// Where the engine computes: the --device value of every command.
#include <c10/core/Device.h>

#include <string>

namespace barbershop {

// "auto" (the first CUDA device when this LibTorch has one, else the CPU),
// "cpu", "cuda" or "cuda:N". Throws barbershop::Error for anything else, or
// for CUDA when no CUDA device is available.
c10::Device parse_device(const std::string& name);

// LibTorch starts with one CPU thread here; every host calls this once so
// CPU runs use the whole machine.
void use_all_cpu_cores();

}  // namespace barbershop
