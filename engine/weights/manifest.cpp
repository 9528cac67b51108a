#include "engine/weights/manifest.h"

#include <filesystem>
#include <regex>
#include <sstream>

#include "engine/error.h"
#include "engine/files.h"

namespace barbershop::weights {
namespace {

// File names and digests written here never need JSON escapes; refuse any
// that would, rather than write a manifest other tools misread.
bool plain_json_text(const std::string& text) {
  for (char c : text)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

std::string manifest_text(const Manifest& manifest) {
  std::ostringstream out;
  out << "{\n  \"files\": {";
  const char* separator = "\n";
  for (const auto& [name, record] : manifest) {
    out << separator << "    \"" << name << "\": {\"sha256\": \"" << record.sha256 << "\", \"size\": " << record.size
        << "}";
    separator = ",\n";
  }
  out << "\n  }\n}\n";
  return out.str();
}

}  // namespace

std::string manifest_path(const std::string& dir) { return dir + "/manifest.json"; }

Manifest read_manifest(const std::string& dir) {
  const std::string path = manifest_path(dir);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return {};
  const std::string text = read_file(path);
  // The records as this file writes them; anything else is not ours.
  static const std::regex record(
      R"re("([^"\\]+)"\s*:\s*\{\s*"sha256"\s*:\s*"([0-9a-f]{64})"\s*,\s*"size"\s*:\s*([0-9]{1,19})\s*\})re");
  if (text.find("\"files\"") == std::string::npos)
    throw Error(path + " is not a weights manifest (no \"files\"); delete it and run the download again");
  Manifest manifest;
  for (std::sregex_iterator it(text.begin(), text.end(), record), end; it != end; ++it)
    manifest[(*it)[1].str()] = ManifestRecord{(*it)[2].str(), std::stoull((*it)[3].str())};
  return manifest;
}

void write_manifest(const std::string& dir, const Manifest& manifest) {
  for (const auto& [name, record] : manifest)
    if (!plain_json_text(name) || !plain_json_text(record.sha256))
      throw Error("cannot record '" + name + "' in " + manifest_path(dir) + ": rename the file without quotes, "
                  "backslashes or control characters");
  write_file_atomically(manifest_path(dir), manifest_text(manifest));
}

void record_in_manifest(const std::string& dir, const std::string& name, const ManifestRecord& record) {
  Manifest manifest = read_manifest(dir);
  manifest[name] = record;
  write_manifest(dir, manifest);
}

}  // namespace barbershop::weights
