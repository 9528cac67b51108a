// The engine's file I/O against files written by numpy and PIL.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "engine/error.h"
#include "engine/image_buffer.h"
#include "engine/io/image.h"
#include "engine/io/image_tensor.h"
#include "engine/io/npy.h"

namespace barbershop {
namespace {

std::string fixture(const std::string& name) { return std::string(BARBERSHOP_FIXTURE_DIR) + "/core/" + name; }

std::string scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "barbershop-test-core";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// The fixture script's formula: element i of a ramp is i % 251.
at::Tensor ramp(std::vector<int64_t> shape) {
  int64_t count = 1;
  for (auto d : shape) count *= d;
  return at::arange(count, at::kDouble).fmod(251).reshape(shape);
}

TEST(Npy, ReadsEveryDtypeAndVersionNumpyWrites) {
  EXPECT_TRUE(read_npy(fixture("ramp_f4.npy")).to(at::kDouble).equal(ramp({2, 3, 5})));
  EXPECT_EQ(read_npy(fixture("ramp_f4.npy")).scalar_type(), at::kFloat);
  EXPECT_TRUE(read_npy(fixture("ramp_f8.npy")).equal(ramp({2, 3, 5})));
  EXPECT_TRUE(read_npy(fixture("ramp_u1.npy")).to(at::kDouble).equal(ramp({7})));
  EXPECT_TRUE(read_npy(fixture("ramp_v2.npy")).to(at::kDouble).equal(ramp({3, 4})));
}

TEST(Npy, FortranOrderComesBackInLogicalOrder) {
  EXPECT_TRUE(read_npy(fixture("ramp_fortran.npy")).to(at::kDouble).equal(ramp({4, 6})));
}

TEST(Npy, WriteThenReadRoundTrips) {
  for (auto shape : std::vector<std::vector<int64_t>>{{5}, {2, 3}, {1, 3, 4, 4}}) {
    at::Tensor original = at::randn(shape);
    write_npy(scratch("round.npy"), original);
    EXPECT_TRUE(read_npy(scratch("round.npy")).equal(original));
  }
}

TEST(Npy, WrittenHeaderAlignsDataTo64Bytes) {
  write_npy(scratch("aligned.npy"), at::zeros({3}));
  // 3 floats of data after a header padded to a multiple of 64 bytes.
  EXPECT_EQ(std::filesystem::file_size(scratch("aligned.npy")) % 64, 12u);
}

TEST(Npy, BadFilesGiveMessagesNamingTheFile) {
  for (const char* name : {"bad_magic.npy", "truncated.npy", "missing.npy"}) {
    try {
      read_npy(fixture(name));
      FAIL() << name << " was accepted";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(name), std::string::npos) << error.what();
    }
  }
}

// Pixel (y, x) of channel c = (y * 7 + x * 3 + c * 50) % 256, mapped to [-1, 1].
at::Tensor expected_rgb(int64_t h, int64_t w) {
  auto y = at::arange(h, at::kDouble).view({1, h, 1});
  auto x = at::arange(w, at::kDouble).view({1, 1, w});
  auto c = at::arange(3, at::kDouble).view({3, 1, 1});
  return (y * 7 + x * 3 + c * 50).fmod(256) / 255.0 * 2 - 1;
}

TEST(Image, ReadsRgbGreyAndRgbaPng) {
  const at::Tensor rgb = expected_rgb(9, 11);
  EXPECT_TRUE(at::allclose(read_image(fixture("rgb.png")).to(at::kDouble), rgb, 0, 1e-6));
  EXPECT_TRUE(at::allclose(read_image(fixture("grey.png")).to(at::kDouble), rgb[0].expand({3, 9, 11}), 0, 1e-6));
  EXPECT_TRUE(at::allclose(read_image(fixture("rgba.png")).to(at::kDouble), rgb, 0, 1e-6));
}

TEST(Image, PngWriteReadIsWithinOneEightBitLevel) {
  const at::Tensor image = expected_rgb(9, 11).to(at::kFloat);
  write_image(scratch("out.png"), image);
  EXPECT_LE((read_image(scratch("out.png")) - image).abs().max().item<float>(), 2.0f / 255 + 1e-6);
}

// Hosts hand over 8-bit pixels; each of the 256 levels must come back as
// itself, or untouched regions of a pasted-back photo would shift.
TEST(Image, EveryEightBitLevelSurvivesTheRoundTrip) {
  std::vector<uint8_t> rgb(256 * 3);
  for (int level = 0; level < 256; ++level)
    for (int channel = 0; channel < 3; ++channel) rgb[level * 3 + channel] = static_cast<uint8_t>(level);
  const at::Tensor image = image_from_rgb8(rgb.data(), 16, 16);
  EXPECT_NEAR(image.min().item<float>(), -1.0f, 1e-6);
  EXPECT_NEAR(image.max().item<float>(), 1.0f, 1e-6);
  EXPECT_EQ(rgb8_from_image(image), rgb);
  // The PNG writer goes through the same conversion.
  write_image(scratch("levels.png"), image);
  EXPECT_TRUE(read_image(scratch("levels.png")).equal(image));
}

// The door's buffers (engine/image_buffer.h) in [0, 1] must give the engine
// the very tensor it made from 8-bit pixels before, bit for bit, and hand
// its results back as the same bytes: the CLI's and the plug-in's results
// are compared byte for byte.
TEST(ImageBuffer, EightBitLevelsMakeTheEnginesOwnTensorsBitForBit) {
  std::vector<uint8_t> rgb(256 * 3);
  for (int level = 0; level < 256; ++level)
    for (int channel = 0; channel < 3; ++channel) rgb[level * 3 + channel] = static_cast<uint8_t>((level + 85 * channel) % 256);
  const ImageBuffer buffer = buffer_from_rgb8(rgb.data(), 16, 16);
  EXPECT_EQ(buffer.channels, 3);
  EXPECT_FLOAT_EQ(buffer.values[3], 1.0f / 255);  // pixel 1, red: level 1
  const at::Tensor engines = image_from_rgb8(rgb.data(), 16, 16);
  EXPECT_TRUE(tensor_of_image(buffer).equal(engines));
  EXPECT_EQ(rgb8_from_buffer(image_of_tensor(engines)), rgb);
  EXPECT_EQ(rgb8_from_buffer(buffer), rgb);
}

TEST(ImageBuffer, ResultsRoundAsTheEnginesWriterDoes) {
  const at::Tensor result = at::rand({3, 9, 11}, at::kFloat) * 2.2 - 1.1;  // a little outside [-1, 1] too
  EXPECT_EQ(rgb8_from_buffer(image_of_tensor(result)), rgb8_from_image(result));
  write_image_buffer(scratch("buffer.png"), image_of_tensor(result));
  write_image(scratch("tensor.png"), result);
  EXPECT_TRUE(read_image(scratch("buffer.png")).equal(read_image(scratch("tensor.png"))));
  EXPECT_TRUE(tensor_of_image(read_image_buffer(scratch("tensor.png"))).equal(read_image(scratch("tensor.png"))));
}

TEST(ImageBuffer, MasksAreOneChannelAndEmptyMeansNone) {
  const std::vector<uint8_t> rgb = {127, 255, 255, 128, 0, 0, 255, 0, 0, 0, 255, 255};
  const ImageBuffer mask = mask_buffer_from_rgb8(rgb.data(), 2, 2);
  EXPECT_EQ(mask.channels, 1);
  EXPECT_TRUE(tensor_of_mask(mask).equal(mask_from_rgb8(rgb.data(), 2, 2)));
  EXPECT_FALSE(tensor_of_mask(ImageBuffer{}).defined());
  EXPECT_TRUE(mask_of_tensor(at::Tensor()).empty());
  EXPECT_THROW(tensor_of_image(mask), Error);  // one channel where RGB is expected
}

TEST(Image, MaskFromRgbIsTheFirstChannelFrom128Up) {
  const std::vector<uint8_t> rgb = {127, 255, 255, 128, 0, 0, 255, 0, 0, 0, 255, 255};
  const at::Tensor mask = mask_from_rgb8(rgb.data(), 2, 2);
  EXPECT_TRUE(mask.equal(at::tensor({0.0f, 1.0f, 1.0f, 0.0f}).view({2, 2})));
}

TEST(Image, NotAnImageIsAClearErrorAndWritesNothing) {
  EXPECT_THROW(read_image(fixture("not_an_image.png")), Error);
  std::filesystem::remove(scratch("never.png"));
  EXPECT_THROW(write_image(scratch("never.png"), at::zeros({2, 4, 4})), Error);
  EXPECT_FALSE(std::filesystem::exists(scratch("never.png")));
}

}  // namespace
}  // namespace barbershop
