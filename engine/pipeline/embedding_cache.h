#pragma once
// Embeddings kept on disk so that a second transfer reusing an image skips
// its embedding (the slowest stage). Keyed by the image's pixels, the
// generator, the step counts, noise and seed. Entries are written
// atomically and checked by hash on reading: a corrupt entry is ignored
// (and later rewritten), never trusted. Transfers running at once share the
// folder through a lock file in it (lock_path()): an entry and its hash are
// written under an exclusive lock and read under a shared one, so a reader
// never pairs one writer's entry with another's hash.
#include <optional>
#include <string>

#include "engine/pipeline/embedding.h"

namespace barbershop {

class EmbeddingCache {
 public:
  explicit EmbeddingCache(std::string dir) : dir_(std::move(dir)) {}  // empty: disabled

  static std::string key(const at::Tensor& image, const std::string& generator_sha256,
                         const TransferSettings& settings);

  std::optional<Embedding> find(const std::string& key, c10::Device device) const;
  // Failing to write (read-only folder, full disk) only costs the next run
  // its speed: it is reported through `progress` and the transfer goes on.
  void store(const std::string& key, const Embedding& embedding, const TransferProgress& progress) const;

  std::string lock_path() const { return dir_ + "/embeddings.lock"; }

 private:
  std::string path_of(const std::string& key) const;
  std::string dir_;
};

}  // namespace barbershop
