#include "engine/pipeline/embedding_cache.h"

#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>

#include "engine/error.h"
#include "engine/files.h"
#include "engine/io/npy.h"
#include "engine/io/sha256.h"

namespace barbershop {
namespace {

// Bumped whenever what an embedding means changes.
constexpr const char* kFormat = "barbershop-embedding-v1";

// Holders write two small files; a holder that keeps the lock longer hangs
// (a stopped process): readers then go on without it (the hash still
// guards them), writers give up the entry with a warning.
constexpr std::chrono::seconds kLockPatience{30};

std::string bytes_of(const at::Tensor& tensor) {
  const at::Tensor data = tensor.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::string(static_cast<const char*>(data.data_ptr()), data.numel() * sizeof(float));
}

}  // namespace

std::string EmbeddingCache::key(const at::Tensor& image, const std::string& generator_sha256,
                                const TransferSettings& settings) {
  Sha256 hash;
  hash.update(kFormat);
  hash.update(bytes_of(image));
  const std::string parameters = generator_sha256 + " w=" + std::to_string(settings.steps.w) +
                                 " fs=" + std::to_string(settings.steps.fs) +
                                 " lr=" + std::to_string(settings.learning_rate) +
                                 " noise=" + (settings.noise == NoiseMode::Stored ? "stored" : "random") +
                                 " seed=" + std::to_string(settings.seed) +
                                 // bf16 moves the embedding slightly; the float32 key stays as it was
                                 (settings.speed.bf16 ? " bf16" : "");
  hash.update(parameters);
  return hash.hex_digest();
}

std::string EmbeddingCache::path_of(const std::string& key) const { return dir_ + "/embedding-" + key + ".npy"; }

// An entry is one flat float32 .npy: n, C, side, then w_plus, latent and F;
// beside it, the sha256 of that file, written last.
std::optional<Embedding> EmbeddingCache::find(const std::string& key, c10::Device device) const {
  if (dir_.empty()) return std::nullopt;
  const std::string path = path_of(key);
  try {
    if (!std::filesystem::exists(path)) return std::nullopt;
    const FileLock lock(lock_path(), FileLock::Mode::Shared, kLockPatience);
    if (read_file(path + ".sha256") != sha256_file(path)) return std::nullopt;
    const at::Tensor flat = read_npy(path).to(at::kFloat);
    const int64_t n = flat[0].item<int64_t>(), channels = flat[1].item<int64_t>(), side = flat[2].item<int64_t>();
    const int64_t codes = n * 512, features = channels * side * side;
    if (flat.numel() != 3 + 2 * codes + features) return std::nullopt;
    Embedding embedding{flat.narrow(0, 3, codes).view({1, n, 512}).clone(),
                        flat.narrow(0, 3 + codes, codes).view({1, n, 512}).clone(),
                        flat.narrow(0, 3 + 2 * codes, features).view({1, channels, side, side}).clone()};
    return Embedding{embedding.w_plus.to(device), embedding.latent.to(device), embedding.F.to(device)};
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable or corrupt: recompute
  }
}

void EmbeddingCache::store(const std::string& key, const Embedding& embedding, const TransferProgress& progress) const {
  if (dir_.empty()) return;
  const std::string path = path_of(key);
  try {
    std::filesystem::create_directories(dir_);
    const at::Tensor header = at::tensor({float(embedding.w_plus.size(1)), float(embedding.F.size(1)),
                                          float(embedding.F.size(2))});
    auto flat = [](const at::Tensor& t) { return t.detach().to(at::kCPU, at::kFloat).reshape({-1}); };
    const std::string bytes =
        npy_bytes(at::cat({header, flat(embedding.w_plus), flat(embedding.latent), flat(embedding.F)}));
    const FileLock lock(lock_path(), FileLock::Mode::Exclusive, kLockPatience);
    if (!lock.locked())
      throw Error("cannot lock " + lock_path() + " within " + std::to_string(kLockPatience.count()) +
                  " s: another transfer holds it");
    write_file_atomically(path, bytes);
    write_file_atomically(path + ".sha256", sha256_hex(bytes));
  } catch (const std::exception& error) {
    progress.warn(std::string("could not write the embedding cache (") + error.what() +
                  "); the next run will embed again");
  }
}

}  // namespace barbershop
