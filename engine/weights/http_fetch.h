#pragma once
// One file over HTTP(S) with libcurl into a partial file that is resumed
// where it stopped, following a Google-Drive-like "confirm the download" page
// to the file itself. Knows nothing of weights; download.h builds on it.
#include <cstdint>
#include <functional>
#include <string>

#include "engine/error.h"

namespace barbershop::weights {

// The host asked to stop; the partial file stays for the next attempt.
struct DownloadCancelled : Error {
  DownloadCancelled() : Error("download cancelled") {}
};

// No connection could be made at all (no network, host unknown, refused):
// the other files would fail the same way.
struct Unreachable : Error {
  using Error::Error;
};

// Bytes so far and the expected total (0 while unknown); returning false
// cancels.
using ByteProgress = std::function<bool(uint64_t done, uint64_t total)>;

// Fetches `url` into `part_path`, appending to what it already holds when the
// server honours a byte range (else starting over). The file and its folder
// are created only once the server starts sending the file, so an error page,
// a 404 or no connection leave nothing behind. A connection that breaks off
// is resumed a few times before giving up. Throws Unreachable,
// DownloadCancelled, or barbershop::Error with a one-line message.
void fetch_to_file(const std::string& url, const std::string& part_path, const ByteProgress& progress);

}  // namespace barbershop::weights
