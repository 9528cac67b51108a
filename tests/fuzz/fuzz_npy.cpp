// libFuzzer target: the .npy reader, and the image and mask readers'
// checks on what it returns.
#include <ATen/ATen.h>

#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace barbershop;
  const std::string& path = fuzz::write_scratch(".npy", data, size);
  if (!fuzz::accepts([&] { (void)read_npy(path).sum().item<double>(); })) return 0;
  fuzz::accepts([&] { (void)read_image(path); });
  fuzz::accepts([&] { (void)read_mask(path); });
  return 0;
}
