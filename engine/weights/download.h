#pragma once
// Filling a weights folder: each wanted file fetched from its publisher (or a
// mirror), checked with the engine's own reader, renamed into place only
// then, and recorded in DIR/manifest.json. What hosts call; they supply the
// progress display.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/weights/http_fetch.h"
#include "engine/weights/manifest.h"

namespace barbershop::weights {

struct DownloadRequest {
  std::string dir;
  // File names from the catalogue; empty: the four a transfer needs.
  std::vector<std::string> names;
  // Fetch "<url_base>/<name>" instead of the official addresses; empty:
  // official addresses.
  std::string url_base;
  // Fetch even files that are present and usable.
  bool replace = false;
};

// $BARBERSHOP_WEIGHTS_URL_BASE, else empty (the official addresses).
std::string default_url_base();

// Which file, how many bytes so far, of how many (0 while unknown); return
// false to cancel.
using DownloadProgress = std::function<bool(const std::string& name, uint64_t done, uint64_t total)>;

struct FileResult {
  enum class Outcome { AlreadyThere, Downloaded, Failed };
  std::string name;
  Outcome outcome = Outcome::Failed;
  std::string message;    // Failed: one line saying what and what to do
  ManifestRecord record;  // Downloaded
};

// The files of `request` that are missing or unusable get fetched; a file
// that fails (not found, wrong content) is reported and the next one tried,
// leaving the folder's earlier file in place. Throws Unreachable when there
// is no connection at all (before anything is written), DownloadCancelled
// when `progress` asked to stop (the partial file stays, to be resumed), and
// barbershop::Error for a bad request (an unknown name) before any download.
std::vector<FileResult> download_weights(const DownloadRequest& request, const DownloadProgress& progress);

// The partial file beside `name` while it downloads: never the final name.
std::string partial_path(const std::string& dir, const std::string& name);

}  // namespace barbershop::weights
