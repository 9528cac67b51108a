#include "engine/error.h"

#include <c10/util/Exception.h>

#include <new>

namespace barbershop {

std::string shape_string(const std::vector<int64_t>& sizes) {
  std::string out = "[";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(sizes[i]);
  }
  return out + "]";
}

std::string message_without_backtrace(const std::exception& error) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) return torch_error->what_without_backtrace();
  return error.what();
}

namespace {

// LibTorch's own first line, without its backtrace and from the allocator's
// name on (1.13 puts "[enforce fail at alloc_cpu.cpp:75] err == 0. " first).
std::string what_failed(const c10::Error& error) {
  std::string text = error.what_without_backtrace();
  text = text.substr(0, text.find('\n'));
  const size_t allocator = text.find("DefaultCPUAllocator");
  return allocator == std::string::npos ? text : text.substr(allocator);
}

// c10::OutOfMemoryError exists in LibTorch 1.13 and 2.x (the CUDA caching
// allocator throws it); the CPU allocator throws a plain c10::Error whose
// text is all that tells it apart.
bool is_out_of_memory(const c10::Error& error) {
  const std::string text = error.what_without_backtrace();
  return dynamic_cast<const c10::OutOfMemoryError*>(&error) != nullptr ||
         text.find("out of memory") != std::string::npos ||
         text.find("DefaultCPUAllocator: not enough memory") != std::string::npos ||
         text.find("DefaultCPUAllocator: can't allocate memory") != std::string::npos;
}

Error memory_advice(const std::string& failure) {
  if (failure.find("CUDA") != std::string::npos)
    return Error("the GPU ran out of memory (" + failure +
                     "); run on the CPU instead, or close other programs that use the GPU",
                 "device");
  return Error("out of memory (" + failure + "); close other programs to free memory, or use a smaller generator",
               "generator");
}

}  // namespace

void rethrow_with_memory_advice() {
  try {
    throw;
  } catch (const c10::Error& error) {
    if (is_out_of_memory(error)) throw memory_advice(what_failed(error));
    throw;
  } catch (const std::bad_alloc& error) {
    throw memory_advice(error.what());
  }
}

}  // namespace barbershop
