#pragma once
// What the CPU can do natively, where it decides whether a measure is worth
// running: without bf16 instructions LibTorch emulates bf16 convolutions,
// many times slower than float32.
namespace barbershop {

// Whether /proc/cpuinfo lists an instruction set with bf16 arithmetic
// (avx512_bf16 or amx_bf16).
bool cpu_has_native_bf16();

}  // namespace barbershop
