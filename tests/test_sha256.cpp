// SHA-256 against the FIPS 180-4 example vectors and the system's sha256sum.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "engine/error.h"
#include "engine/io/sha256.h"
#include "tests/losses_support.h"

namespace barbershop {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the padding spills into a second block.
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PiecewiseUpdatesEqualOneUpdate) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>(i * 7);
  Sha256 hash;
  for (size_t at = 0, step = 1; at < text.size(); at += step, step = step % 97 + 13)
    hash.update(std::string_view(text).substr(at, step));
  EXPECT_EQ(hash.hex_digest(), sha256_hex(text));
}

TEST(Sha256, FileMatchesSha256sum) {
  const std::string path = test::losses_fixture("vgg16-397923af.pth");
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("sha256sum '" + path + "'").c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  std::array<char, 65> expected{};
  ASSERT_EQ(fread(expected.data(), 1, 64, pipe.get()), 64u);
  EXPECT_EQ(sha256_file(path), std::string(expected.data()));
}

TEST(Sha256, MissingFileIsAnError) { EXPECT_THROW(sha256_file("/nonexistent/file"), Error); }

}  // namespace
}  // namespace barbershop
