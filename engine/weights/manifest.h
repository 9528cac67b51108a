#pragma once
// DIR/manifest.json: the sha256 and size of each weights file as it was when
// it was downloaded and checked, so later changes to a file (a damaged disk,
// an edit, a different file copied over it) show.
//
//   {
//     "files": {
//       "ffhq.pt": {"sha256": "<64 hex>", "size": 127000000}
//     }
//   }
#include <cstdint>
#include <map>
#include <string>

namespace barbershop::weights {

struct ManifestRecord {
  std::string sha256;
  uint64_t size = 0;
};

using Manifest = std::map<std::string, ManifestRecord>;  // by file name

std::string manifest_path(const std::string& dir);

// An absent manifest is empty. Throws barbershop::Error naming the file when
// it is there but not in the format above.
Manifest read_manifest(const std::string& dir);

// Replaces DIR/manifest.json atomically.
void write_manifest(const std::string& dir, const Manifest& manifest);

// Adds or replaces one record, keeping the others.
void record_in_manifest(const std::string& dir, const std::string& name, const ManifestRecord& record);

}  // namespace barbershop::weights
