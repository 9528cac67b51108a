#include "engine/weights/download.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "engine/io/sha256.h"
#include "engine/weights/catalogue.h"
#include "engine/weights/check.h"

namespace barbershop::weights {
namespace {

namespace fs = std::filesystem;

// LibTorch's own errors append a stack trace: messages here are one line.
std::string first_line(const std::exception& error) {
  const std::string text = error.what();
  return text.substr(0, text.find('\n'));
}

bool usable(const std::string& path, Role role) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  try {
    check_weights_file(path, role);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// The downloaded bytes reach the disk before the rename makes them the file.
void flush_to_disk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::vector<const CatalogueEntry*> wanted_entries(const DownloadRequest& request) {
  const std::vector<std::string> names = request.names.empty() ? required_names() : request.names;
  std::vector<const CatalogueEntry*> entries;
  for (const std::string& name : names) entries.push_back(&catalogue_entry(name));  // unknown names fail here
  return entries;
}

// Checks the partial file, then renames it into place; on a failed check
// the partial file goes and the folder's file (if any) stays as it was.
FileResult install(const std::string& dir, const CatalogueEntry& entry, const std::string& url) {
  const std::string part = partial_path(dir, entry.name);
  const std::string path = dir + "/" + entry.name;
  FileResult result{entry.name, FileResult::Outcome::Failed, "", {}};
  try {
    check_weights_file(part, entry.role);
  } catch (const std::exception& unusable) {
    std::error_code error;
    fs::remove(part, error);
    result.message = "the file from " + url + " is not a usable " + entry.name + " (" + first_line(unusable) +
                     "); it was not installed" + (fs::exists(path, error) ? " and the earlier file is kept" : "");
    return result;
  }
  result.record = ManifestRecord{sha256_file(part), static_cast<uint64_t>(fs::file_size(part))};
  flush_to_disk(part);
  fs::rename(part, path);
  record_in_manifest(dir, entry.name, result.record);
  result.outcome = FileResult::Outcome::Downloaded;
  return result;
}

FileResult download_one(const std::string& dir, const CatalogueEntry& entry, const std::string& url_base,
                        const DownloadProgress& progress) {
  const std::string url = source_url(entry, url_base);
  try {
    fetch_to_file(url, partial_path(dir, entry.name),
                  [&](uint64_t done, uint64_t total) { return !progress || progress(entry.name, done, total); });
  } catch (const Unreachable&) {
    throw;
  } catch (const DownloadCancelled&) {
    throw;
  } catch (const Error& failed) {
    return FileResult{entry.name, FileResult::Outcome::Failed, entry.name + ": " + first_line(failed), {}};
  }
  return install(dir, entry, url);
}

}  // namespace

std::string default_url_base() {
  const char* value = std::getenv("BARBERSHOP_WEIGHTS_URL_BASE");
  return value ? value : "";
}

std::string partial_path(const std::string& dir, const std::string& name) { return dir + "/" + name + ".part"; }

std::vector<FileResult> download_weights(const DownloadRequest& request, const DownloadProgress& progress) {
  std::vector<FileResult> results;
  for (const CatalogueEntry* entry : wanted_entries(request)) {
    if (!request.replace && usable(request.dir + "/" + entry->name, entry->role)) {
      results.push_back(FileResult{entry->name, FileResult::Outcome::AlreadyThere, "", {}});
      continue;
    }
    results.push_back(download_one(request.dir, *entry, request.url_base, progress));
  }
  return results;
}

}  // namespace barbershop::weights
