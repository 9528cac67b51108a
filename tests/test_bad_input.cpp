// Bad input the readers met while fuzzing (tests/fuzz/) and the rows of
// docs/bad-input.md that no other test covers: each must end in a
// barbershop::Error naming the file, never in a crash.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <pthread.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "engine/checkpoint/unpickler.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/pipeline/transfer.h"
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
// Released on a thread with a 256 KiB stack: a recursive release would need
// 6 * 10^5 frames and overflow it (a crash, so a failed test); an iterative
// one frees every value, the deepest included.
TEST(BadPickle, ReleasingADeepChainBuiltByHandIsIterative) {
  auto root = std::make_shared<CheckpointValue>();
  std::vector<std::weak_ptr<CheckpointValue>> watched;
  CheckpointValue* tip = root.get();
  for (int i = 0; i < 200000; ++i) {
    tip->kind = CheckpointValue::Kind::List;
    tip->items.push_back(std::make_shared<CheckpointValue>());
    if (i % 50000 == 0 || i == 199999) watched.push_back(tip->items.back());
    tip = tip->items.back().get();
  }
  ASSERT_EQ(watched.size(), 5u);
  for (const auto& value : watched) ASSERT_FALSE(value.expired());
  pthread_attr_t small_stack;
  pthread_attr_init(&small_stack);
  pthread_attr_setstacksize(&small_stack, 256 * 1024);
  pthread_t releaser;
  auto release = [](void* value) -> void* {
    static_cast<std::shared_ptr<CheckpointValue>*>(value)->reset();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&releaser, &small_stack, release, &root), 0);
  pthread_join(releaser, nullptr);
  pthread_attr_destroy(&small_stack);
  EXPECT_EQ(root, nullptr);
  for (const auto& value : watched) EXPECT_TRUE(value.expired());
}

// shared_ptr has no cycle collector: a value the pickle makes contain itself
// (through the memo: list.append(itself), d[k] = d, BUILD with itself as
// state) and then drops must still be freed, whether the pickle goes on to
// succeed or fail. Found by fuzz_checkpoint (LeakSanitizer at exit). Each
// pickle's BINPERSID ('Q') brings in a value made here, watched through a
// weak_ptr; the other values of the cycle die with it or not at all.
struct WatchedValues {
  std::vector<std::weak_ptr<CheckpointValue>> made;
  PersistentLoader loader(CheckpointValue::Kind kind) {
    return [this, kind](const CheckpointValue&) {
      auto value = std::make_shared<CheckpointValue>();
      value->kind = kind;
      made.push_back(value);
      return value;
    };
  }
  size_t alive() const {
    size_t count = 0;
    for (const auto& value : made) count += !value.expired();
    return count;
  }
};

// Runs `bytes` (protocol 2) with BINPERSID loading fresh values of `kind`;
// the unpickler's answer: "ok" or the exception's text.
std::string unpickle_watched(const std::string& bytes, CheckpointValue::Kind kind, WatchedValues& watched) {
  const std::string pickle = "\x80\x02" + bytes;
  MemoryBytes in(pickle.data(), pickle.size());
  try {
    unpickle(in, watched.loader(kind));
    return "ok";
  } catch (const std::exception& error) {
    return error.what();
  }
}

// Every watched value (`made` of them) is gone once the unpickler is.
void expect_all_freed(const WatchedValues& watched, size_t made, const std::string& what) {
  ASSERT_EQ(watched.made.size(), made);
  EXPECT_EQ(watched.alive(), 0u) << what << " leaked";
}

// "NQ": a watched value; "q\x00"/"h\x00": memo[0] = top / push memo[0];
// "0": POP; "Nq\x00" overwrites memo[0], so nothing the pickle still holds
// reaches the cycle.
const std::string kForgetMemo0 = std::string("N") + "q" + '\0' + "0";

TEST(BadPickle, ADroppedListThatContainsItselfIsFreed) {
  WatchedValues watched;
  const std::string list_appended_to_itself = std::string("NQq") + '\0' + "h" + '\0' + "a0";
  EXPECT_EQ(unpickle_watched(list_appended_to_itself + kForgetMemo0 + "N.", CheckpointValue::Kind::List, watched), "ok");
  expect_all_freed(watched, 1, "the list that contains itself");
}

TEST(BadPickle, ADictThatIsItsOwnValueIsFreedWhenThePickleIsCutShort) {
  WatchedValues watched;
  const std::string dict_set_into_itself = std::string("NQq") + '\0' + "Nh" + '\0' + "s0";
  // No STOP: the unpickler fails with the cycle out of its reach.
  EXPECT_EQ(unpickle_watched(dict_set_into_itself + kForgetMemo0, CheckpointValue::Kind::Dict, watched),
            "truncated input");
  expect_all_freed(watched, 1, "the dict that is its own value");
}

TEST(BadPickle, AnObjectBuiltWithItselfAsStateIsFreedWhenThePickleIsDamaged) {
  WatchedValues watched;
  const std::string built_with_itself = std::string("NQq") + '\0' + "h" + '\0' + "b0";
  const std::string message =
      unpickle_watched(built_with_itself + kForgetMemo0 + "\xff", CheckpointValue::Kind::Opaque, watched);
  expect_contains(message, "unknown pickle opcode 0xff");
  expect_all_freed(watched, 1, "the object that is its own state");
}

// a = [b], b = [a] (APPENDS with a MARK), both dropped.
TEST(BadPickle, TwoListsThatContainEachOtherAreFreed) {
  WatchedValues watched;
  const std::string two_lists = std::string("NQq") + '\0' + "NQq\x01" + "(h" + '\0' + "e0" + "(h\x01" "e0";
  const std::string forget_both = kForgetMemo0 + "Nq\x01" + "0";
  EXPECT_EQ(unpickle_watched(two_lists + forget_both + "N.", CheckpointValue::Kind::List, watched), "ok");
  expect_all_freed(watched, 2, "the lists that contain each other");
}

// A cycle the result reaches is refused (a real state_dict never has one), and freed.
TEST(BadPickle, AResultThatContainsItselfIsRefusedAndFreed) {
  WatchedValues watched;
  const std::string self_list = std::string("NQq") + '\0' + "h" + '\0' + "a.";
  expect_contains(unpickle_watched(self_list, CheckpointValue::Kind::List, watched), "or a cycle");
  expect_all_freed(watched, 1, "the list that contains itself");
}

// ------------------------------------------------------------ zip archives

// CRC-32 as zip and PNG use it (reflected polynomial 0xEDB88320).
uint32_t crc32_of(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string little_endian_bytes(uint64_t value, int n) {
  std::string bytes;
  for (int i = 0; i < n; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return bytes;
}

// A stored zip archive as APPNOTE.TXT lays it out: local file headers and
// data, central directory, end of central directory. The directory claims
// `claimed` bytes for each record; with `zip64` the claims are in ZIP64 extra
// fields, behind a ZIP64 end record and locator, as torch.save writes them.
struct ZipRecord {
  std::string name, data;
  uint64_t claimed;
};

std::string zip_archive(const std::vector<ZipRecord>& records, bool zip64) {
  const auto u16 = [](uint64_t v) { return little_endian_bytes(v, 2); };
  const auto u32 = [](uint64_t v) { return little_endian_bytes(v, 4); };
  const auto u64 = [](uint64_t v) { return little_endian_bytes(v, 8); };
  const std::string version_flags_method_time_date = u16(45) + u16(0) + u16(0) + u16(0) + u16(0x21);
  std::string locals, directory;
  for (const auto& record : records) {
    const std::string crc = u32(crc32_of(record.data));
    const std::string extra = zip64 ? u16(1) + u16(16) + u64(record.claimed) + u64(record.data.size()) : "";
    directory += "PK\x01\x02" + u16(45) + version_flags_method_time_date + crc +
                 (zip64 ? u32(0xFFFFFFFF) + u32(0xFFFFFFFF) : u32(record.data.size()) + u32(record.claimed)) +
                 u16(record.name.size()) + u16(extra.size()) + u16(0) + u16(0) + u16(0) + u32(0) +
                 u32(locals.size()) + record.name + extra;
    locals += "PK\x03\x04" + version_flags_method_time_date + crc + u32(record.data.size()) +
              u32(record.data.size()) + u16(record.name.size()) + u16(0) + record.name + record.data;
  }
  const uint64_t count = records.size(), directory_at = locals.size(), end64_at = locals.size() + directory.size();
  const std::string end64 = zip64 ? "PK\x06\x06" + u64(44) + u16(45) + u16(45) + u32(0) + u32(0) + u64(count) +
                                        u64(count) + u64(directory.size()) + u64(directory_at) +
                                        "PK\x06\x07" + u32(0) + u64(end64_at) + u32(1)
                                  : "";
  const std::string end = "PK\x05\x06" + u16(0) + u16(0) + u16(count) + u16(count) + u32(directory.size()) +
                          u32(directory_at) + u16(0);
  return locals + directory + end64 + end;
}

// What torch.save's archive needs at least: data.pkl (here an empty dict) and version.
std::vector<ZipRecord> minimal_checkpoint(uint64_t claimed_for_version) {
  const std::string pickle = "\x80\x02}.";
  return {{"archive/data.pkl", pickle, pickle.size()}, {"archive/version", "3\n", claimed_for_version}};
}

// Found by fuzz_checkpoint: a 6 KB file whose directory gave a record
// 4143972350 bytes made LibTorch's reader allocate them before failing. Such
// claims are refused from the directory, naming the record. (This hand-made
// classic archive LibTorch's miniz happens to refuse itself; the ZIP64 one
// below it does not: without the check, LibTorch tries to allocate 1 TB.)
TEST(BadZip, RecordClaimingMoreThanTheFileIsRefusedFromTheDirectory) {
  const std::string path = scratch_file("claims_4gb.pt", zip_archive(minimal_checkpoint(4143972350), false));
  const std::string message = error_of([&] { Checkpoint::load(path); });
  expect_contains(message, path);
  expect_contains(message, "record 'archive/version' holds 4143972350 bytes, more than the whole file (" +
                               std::to_string(std::filesystem::file_size(path)) + " bytes)");
  expect_contains(message, "download it again");
}

TEST(BadZip, Zip64RecordClaimingMoreThanTheFileIsRefused) {
  const std::string path = scratch_file("claims_1tb.pt", zip_archive(minimal_checkpoint(uint64_t{1} << 40), true));
  expect_contains(error_of([&] { Checkpoint::load(path); }),
                  "record 'archive/version' holds 1099511627776 bytes, more than the whole file");
}

// The same archives with honest sizes pass the check and LibTorch reads them:
// the check reads the ZIP64 fields as LibTorch does.
TEST(BadZip, HonestArchivesBuiltTheSameWayLoad) {
  for (const bool zip64 : {false, true}) {
    const std::string path = scratch_file("honest.pt", zip_archive(minimal_checkpoint(2), zip64));
    EXPECT_TRUE(Checkpoint::load(path).root().entries.empty()) << (zip64 ? "ZIP64" : "classic");
  }
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

// PNG files written byte by byte from the specification (ISO 15948): the
// signature, chunks of big-endian length, type, data and the CRC-32 of type
// and data; pixel rows in a zlib stream of one stored (uncompressed) block.
std::string big_endian32(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
          static_cast<char>(value)};
}

std::string png_chunk(const std::string& type, const std::string& data) {
  return big_endian32(static_cast<uint32_t>(data.size())) + type + data + big_endian32(crc32_of(type + data));
}

// IHDR: width, height, bit depth, colour type, then compression, filter and interlace methods 0.
std::string png_header(uint32_t width, uint32_t height, int bit_depth, int colour_type) {
  return std::string("\x89PNG\r\n\x1a\n") +
         png_chunk("IHDR", big_endian32(width) + big_endian32(height) + static_cast<char>(bit_depth) +
                               static_cast<char>(colour_type) + std::string(3, '\0'));
}

// zlib: header 78 01, a final stored block (LEN, ~LEN little-endian), the data, Adler-32.
std::string zlib_stored(const std::string& data) {
  uint32_t a = 1, b = 0;
  for (unsigned char byte : data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const auto length = static_cast<uint16_t>(data.size());
  return std::string("\x78\x01\x01", 3) + static_cast<char>(length & 0xff) + static_cast<char>(length >> 8) +
         static_cast<char>(~length & 0xff) + static_cast<char>((~length >> 8) & 0xff) + data +
         big_endian32((b << 16) | a);
}

// A 3x2 indexed PNG (colour type 3, 8 bits) with a 4-colour palette; with
// `transparency`, a tRNS chunk makes colour 0 transparent (OpenCV then
// decodes four channels).
std::string indexed_png(const std::vector<std::array<uint8_t, 3>>& palette, const std::vector<std::string>& rows,
                        bool transparency) {
  std::string plte, scanlines;
  for (const auto& colour : palette) plte += std::string(colour.begin(), colour.end());
  for (const auto& row : rows) scanlines += '\0' + row;  // filter type 0 (None) for each row
  return png_header(3, 2, 8, 3) + png_chunk("PLTE", plte) +
         (transparency ? png_chunk("tRNS", std::string("\x00\xff\xff\xff", 4)) : "") +
         png_chunk("IDAT", zlib_stored(scanlines)) + png_chunk("IEND", "");
}

TEST(BadImage, IndexedPngReadsAsItsPaletteColours) {
  const std::vector<std::array<uint8_t, 3>> palette = {{255, 0, 0}, {0, 128, 255}, {10, 20, 30}, {200, 201, 202}};
  const std::vector<std::string> rows = {std::string("\0\1\2", 3), std::string("\3\2\0", 3)};
  for (const bool transparency : {false, true}) {
    const std::string path = scratch_file("indexed.png", indexed_png(palette, rows, transparency));
    const at::Tensor image = read_image(path);
    ASSERT_EQ(image.sizes(), (c10::IntArrayRef{3, 2, 3})) << transparency;
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x)
        for (int c = 0; c < 3; ++c) {
          const float level = palette[static_cast<uint8_t>(rows[y][x])][c];
          EXPECT_NEAR(image[c][y][x].item<float>(), level * 2 / 255 - 1, 1e-6)
              << "pixel " << x << "," << y << " channel " << c << (transparency ? " with tRNS" : "");
        }
  }
}

// A 45-byte PNG declaring 30000x20000 pixels: cv::imdecode would allocate
// 1.8 GB for it before finding no pixel data. Refused from the header.
TEST(BadImage, HugePngIsRefusedFromItsHeaderBeforeDecoding) {
  const std::string path = scratch_file("huge.png", png_header(30000, 20000, 8, 2) + png_chunk("IEND", ""));
  const std::string message = error_of([&] { read_image(path); });
  expect_contains(message, path);
  expect_contains(message, "the image is 30000x20000 pixels, more than this program reads");
  expect_contains(message, "scale it down first");
  // One pixel over 2^27 is refused too; masks go through the same reader.
  const std::string over = scratch_file("over.png", png_header(16385, 8192, 8, 0) + png_chunk("IEND", ""));
  expect_contains(error_of([&] { read_mask(over); }), "16385x8192 pixels");
}

// JPEG: SOI, an APP0 (JFIF) segment to skip, then SOF0 with height 20000,
// width 40000 and three components, then EOI.
TEST(BadImage, HugeJpegIsRefusedFromItsFrameHeader) {
  const std::string app0 = std::string("\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 18);
  const std::string sof0 = std::string("\xff\xc0\x00\x11\x08\x4e\x20\x9c\x40\x03", 10) +
                           std::string("\x01\x22\x00\x02\x11\x01\x03\x11\x01", 9);
  const std::string path = scratch_file("huge.jpg", "\xff\xd8" + app0 + sof0 + "\xff\xd9");
  expect_contains(error_of([&] { read_image(path); }), "the image is 40000x20000 pixels");
}

// A real JPEG is measured, not refused: written by OpenCV, read back.
TEST(BadImage, JpegWithinTheLimitStillReads) {
  const std::string path = (std::filesystem::temp_directory_path() / "barbershop-test-small.jpg").string();
  write_image(path, at::zeros({3, 6, 10}));
  EXPECT_EQ(read_image(path).sizes(), (c10::IntArrayRef{3, 6, 10}));
}

TEST(BadImage, EmptyFileIsNamedAsEmpty) {
  const std::string path = scratch_file("empty.png", "");
  const std::string message = error_of([&] { read_image(path); });
  expect_contains(message, path);
  expect_contains(message, "the file is empty");
}

// Other formats never reach OpenCV's decoders (GDAL, JPEG 2000, ...).
TEST(BadImage, FormatsOtherThanPngAndJpegAreRefusedByTheirFirstBytes) {
  for (const std::string& bytes : {std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 14),
                                   std::string("BM") + std::string(60, '\0'), std::string("hello\n")}) {
    const std::string path = scratch_file("other.png", bytes);
    const std::string message = error_of([&] { read_image(path); });
    expect_contains(message, path);
    expect_contains(message, "not a PNG or JPEG image");
  }
}

// A PNG cut inside its IHDR: no size to check, so it is not decoded.
TEST(BadImage, PngCutInsideItsHeaderIsDamaged) {
  const std::string path = scratch_file("cut.png", png_header(4, 4, 8, 2).substr(0, 20));
  expect_contains(error_of([&] { read_image(path); }), "a damaged image file");
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
