#pragma once
// SHA-256 (FIPS 180-4), used to key caches by the exact bytes of a
// checkpoint: a re-downloaded or edited file gets a fresh cache entry.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace barbershop {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // Lower-case hex of the digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> pending_;
  size_t pending_size_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view bytes);
// Streams the file; throws barbershop::Error naming it when unreadable.
std::string sha256_file(const std::string& path);

}  // namespace barbershop
