// libFuzzer target: Checkpoint::load on arbitrary bytes — the zip format
// (through LibTorch's archive reader), the legacy format and the restricted
// unpickler, and safetensors, chosen by the file's own magic bytes.
#include <ATen/ATen.h>

#include "engine/checkpoint/checkpoint.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace barbershop;
  const std::string& path = fuzz::write_scratch(".pt", data, size);
  fuzz::accepts([&] {
    const Checkpoint checkpoint = Checkpoint::load(path);
    // What the networks do next: look up a state dict and its tensors.
    for (const auto& [name, tensor] : checkpoint.state_dict()) (void)tensor.sum().item<double>();
  });
  return 0;
}
