// libFuzzer target: decoding a user's image or mask file into the engine's
// tensors: the PNG/JPEG header checks (first bytes, declared size), then
// OpenCV's PNG and JPEG decoders.
#include <ATen/ATen.h>

#include "engine/io/image.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace barbershop;
  const std::string& path = fuzz::write_scratch(".png", data, size);
  if (!fuzz::accepts([&] { (void)read_image(path).sum().item<double>(); })) return 0;
  fuzz::accepts([&] { (void)read_mask(path).sum().item<double>(); });
  return 0;
}
