// Bad input the readers met while fuzzing (tests/fuzz/) and the rows of
// docs/bad-input.md that no other test covers: each must end in a
// barbershop::Error naming the file, never in a crash.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

#include "engine/checkpoint/unpickler.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/pipeline/barbershop.h"
#include "engine/pipeline/embedding_cache.h"

namespace barbershop {
namespace {

std::string scratch_file(const std::string& name, const std::string& bytes) {
  const auto dir = std::filesystem::temp_directory_path() / "barbershop-test-bad-input";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// A version-1 .npy file as the format specification lays it out: magic,
// version, little-endian header length, the header dict, then the data.
std::string npy_v1(const std::string& header, const std::string& data = "") {
  std::string bytes = "\x93NUMPY\x01";
  bytes.push_back('\0');
  bytes.push_back(static_cast<char>(header.size() & 0xff));
  bytes.push_back(static_cast<char>(header.size() >> 8));
  return bytes + header + data;
}

// A version-2 file: a 4-byte header length, so headers above 64 KiB.
std::string npy_v2(const std::string& header) {
  std::string bytes = "\x93NUMPY\x02";
  bytes.push_back('\0');
  for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<char>((header.size() >> shift) & 0xff));
  return bytes + header;
}

std::string error_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no barbershop::Error";
  return "";
}

void expect_contains(const std::string& message, const std::string& fragment) {
  EXPECT_NE(message.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << message;
}

// --------------------------------------------------------------- .npy files

// Found by fuzz_npy (UBSan): memcpy from a null data pointer for 0 elements.
TEST(BadNpy, EmptyArrayReadsAsEmptyTensor) {
  const std::string path =
      scratch_file("empty.npy", npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3, 5), }\n"));
  const at::Tensor tensor = read_npy(path);
  EXPECT_EQ(tensor.sizes(), (c10::IntArrayRef{0, 3, 5}));
  EXPECT_EQ(tensor.scalar_type(), at::kDouble);
}

// 2^32 * 2^32 * 4 bytes wraps to 0 in 64 bits: the size check must not be fooled.
TEST(BadNpy, ShapeWhoseSizeOverflowsIsRefused) {
  const std::string path = scratch_file(
      "overflow.npy", npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"));
  const std::string message = error_of([&] { read_npy(path); });
  expect_contains(message, path);
  expect_contains(message, "implausible .npy shape");
}

// Found by fuzz_npy: a 0 made the size 0, but LibTorch's strides overflowed
// (c10::Error instead of a message).
TEST(BadNpy, HugeDimensionsBesideAZeroAreRefused) {
  const std::string path = scratch_file(
      "zero_and_huge.npy",
      npy_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 999999999999999999, 999999999999999999), }\n"));
  expect_contains(error_of([&] { read_npy(path); }), "implausible .npy shape");
}

TEST(BadNpy, DimensionOfTwentyDigitsIsRefused) {
  const std::string path = scratch_file(
      "digits.npy", npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }\n"));
  expect_contains(error_of([&] { read_npy(path); }), "implausible .npy shape");
}

// Found by hand after fuzz_npy: std::regex recursed once per header
// character and a 200 kB header overflowed the stack.
TEST(BadNpy, HeaderLongerThanNumpysLimitIsRefused) {
  const std::string header = "{'descr': '" + std::string(200000, 'a') + "'}";
  const std::string path = scratch_file("long_header.npy", npy_v2(header));
  const std::string message = error_of([&] { read_npy(path); });
  expect_contains(message, path);
  expect_contains(message, std::to_string(header.size()) + " bytes, more than numpy's limit of 10000");
}

TEST(BadNpy, HeaderAtNumpysLimitStillReads) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  header.append(10000 - header.size() - 1, ' ');  // exactly 10000 bytes with the '\n'
  header.push_back('\n');
  const float values[2] = {1.5f, -2.0f};
  const std::string path = scratch_file("at_limit.npy", npy_v1(header, std::string(reinterpret_cast<const char*>(values), 8)));
  const at::Tensor tensor = read_npy(path);
  ASSERT_EQ(tensor.numel(), 2);
  EXPECT_EQ(tensor[0].item<float>(), 1.5f);
  EXPECT_EQ(tensor[1].item<float>(), -2.0f);
}

// ------------------------------------------------------------ pickles

// Protocol 2: 100000 EMPTY_LISTs, 99999 APPENDs nest them into one chain.
std::string deep_list_pickle(const std::string& then) {
  return std::string("\x80\x02") + std::string(100000, ']') + std::string(99999, 'a') + then;
}

CheckpointValue::Ptr unpickle_bytes(const std::string& bytes) {
  MemoryBytes in(bytes.data(), bytes.size());
  return unpickle(in, nullptr);
}

// Found by fuzz_checkpoint (ASan stack-overflow): POP dropped the chain, and
// shared_ptr destructors recursed once per level.
TEST(BadPickle, DroppingA100000LevelChainDoesNotOverflowTheStack) {
  const CheckpointValue::Ptr value = unpickle_bytes(deep_list_pickle("0N."));
  EXPECT_EQ(value->kind, CheckpointValue::Kind::None);
}

TEST(BadPickle, A100000LevelChainIsRefusedAsTooDeep) {
  EXPECT_THROW(unpickle_bytes(deep_list_pickle(".")), MalformedInput);
  // SETITEM pops the chain and fails on it: released while the error unwinds.
  EXPECT_THROW(unpickle_bytes(deep_list_pickle("Ns.")), MalformedInput);
}

// A chain released by its last owner, built directly.
TEST(BadPickle, ReleasingADeepChainBuiltByHandIsIterative) {
  auto root = std::make_shared<CheckpointValue>();
  CheckpointValue* tip = root.get();
  for (int i = 0; i < 200000; ++i) {
    tip->kind = CheckpointValue::Kind::List;
    tip->items.push_back(std::make_shared<CheckpointValue>());
    tip = tip->items.back().get();
  }
  root.reset();  // a recursive release would need 6 * 10^5 stack frames
  SUCCEED();
}

// --------------------------------------------------------------- images

TEST(BadImage, OnePixelImageReadsButIsRefusedAsAFaceCrop) {
  const std::string path = (std::filesystem::temp_directory_path() / "barbershop-test-1x1.png").string();
  const at::Tensor pixel = at::tensor({0.2f, -0.38f, 1.0f}).view({3, 1, 1});
  write_image(path, pixel);
  const at::Tensor read = read_image(path);
  ASSERT_EQ(read.sizes(), (c10::IntArrayRef{3, 1, 1}));
  // 8-bit levels: ((x + 1) / 2 * 255) rounded (values clear of .5, where torch rounds to even), back to [-1, 1].
  for (int c = 0; c < 3; ++c) {
    const float level = std::round((pixel[c][0][0].item<float>() + 1) / 2 * 255);
    EXPECT_NEAR(read[c][0][0].item<float>(), level / 127.5f - 1, 1e-6) << c;
  }
  const std::string message = error_of([&] { check_face_crop(read, "identity"); });
  expect_contains(message, "identity");
  expect_contains(message, "1x1");
}

// --------------------------------------------------------- embedding cache

Embedding random_embedding() {
  at::manual_seed(3);
  return Embedding{at::randn({1, 8, 512}), at::randn({1, 8, 512}), at::randn({1, 16, 4, 4})};
}

bool same_embedding(const Embedding& a, const Embedding& b) {
  return a.w_plus.equal(b.w_plus) && a.latent.equal(b.latent) && a.F.equal(b.F);
}

struct Warnings {
  std::vector<std::string> messages;
  Progress progress() {
    return Progress(nullptr, nullptr, [this](const std::string& message) { messages.push_back(message); });
  }
};

std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("barbershop-test-bad-input-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A cache folder that cannot be created (a file is in the way; this holds
// for root too, unlike file permissions): one warning, no exception, the
// file in the way untouched, and nothing found afterwards.
TEST(BadCache, UnwritableCacheFolderOnlyWarns) {
  const std::string blocker = fresh_dir("blocked") + "/not-a-folder";
  std::ofstream(blocker) << "user data";
  const EmbeddingCache cache(blocker + "/cache");
  Warnings warnings;
  EXPECT_NO_THROW(cache.store("k", random_embedding(), warnings.progress()));
  ASSERT_EQ(warnings.messages.size(), 1u);
  expect_contains(warnings.messages[0], "could not write the embedding cache");
  EXPECT_FALSE(cache.find("k", c10::kCPU).has_value());
  std::ifstream in(blocker);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "user data");
}

TEST(BadCache, ReadOnlyCacheFolderOnlyWarns) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders; UnwritableCacheFolderOnlyWarns covers it";
  const std::string dir = fresh_dir("read-only");
  std::filesystem::permissions(dir, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  Warnings warnings;
  EmbeddingCache(dir).store("k", random_embedding(), warnings.progress());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  EXPECT_EQ(warnings.messages.size(), 1u);
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

// Any changed byte of an entry: ignored (recomputed), and the next store repairs it.
TEST(BadCache, CorruptEntryIsIgnoredAndTheNextStoreRepairsIt) {
  const std::string dir = fresh_dir("corrupt");
  const EmbeddingCache cache(dir);
  const Embedding embedding = random_embedding();
  Warnings warnings;
  cache.store("k", embedding, warnings.progress());
  ASSERT_TRUE(warnings.messages.empty());
  ASSERT_TRUE(cache.find("k", c10::kCPU).has_value());
  EXPECT_TRUE(same_embedding(*cache.find("k", c10::kCPU), embedding));

  const std::string entry = dir + "/embedding-k.npy";
  ASSERT_TRUE(std::filesystem::exists(entry));
  {
    std::fstream file(entry, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(200);
    const char byte = static_cast<char>(file.get());
    file.seekp(200);
    file.put(static_cast<char>(~byte));
  }
  EXPECT_FALSE(cache.find("k", c10::kCPU).has_value()) << "a corrupt entry was trusted";
  std::filesystem::resize_file(entry, 100);
  EXPECT_FALSE(cache.find("k", c10::kCPU).has_value()) << "a truncated entry was trusted";

  cache.store("k", embedding, warnings.progress());
  ASSERT_TRUE(cache.find("k", c10::kCPU).has_value());
  EXPECT_TRUE(same_embedding(*cache.find("k", c10::kCPU), embedding));
}

}  // namespace
}  // namespace barbershop
