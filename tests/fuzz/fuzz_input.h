#pragma once
// Shared by the libFuzzer targets: the readers under test take a path, so
// each input is written to a scratch file first. barbershop::Error is the
// readers' promised answer to bad input; any other exception escapes and
// libFuzzer reports it, as it reports crashes, leaks and sanitizer findings.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>

#include "engine/error.h"

namespace barbershop::fuzz {

// One file per process (libFuzzer's -jobs/-workers run several), named with
// the extension the reader dispatches on, removed when the process exits.
inline const std::string& scratch_path(const char* extension) {
  static std::string path;
  if (path.empty()) {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir && *dir ? dir : "/tmp") + "/barbershop-fuzz-" + std::to_string(getpid()) + extension;
    std::atexit([] { std::remove(path.c_str()); });
  }
  return path;
}

inline const std::string& write_scratch(const char* extension, const uint8_t* data, size_t size) {
  const std::string& path = scratch_path(extension);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file || std::fwrite(data, 1, size, file) != size || std::fclose(file) != 0) std::abort();
  return path;
}

// Any other exception (LibTorch's c10::Error, OpenCV's cv::Exception, ...)
// reaching the caller is a finding: the user would get no clear message. It
// ends the run, unless BARBERSHOP_FUZZ_KEEP_GOING is set: then each distinct
// message is printed once and fuzzing goes on, so that a long run can look
// for crashes past a known finding.
inline void foreign_exception(const char* what) {
  static const bool keep_going = std::getenv("BARBERSHOP_FUZZ_KEEP_GOING") != nullptr;
  static std::set<std::string> seen;
  if (seen.insert(what).second) std::fprintf(stderr, "not a barbershop::Error: %s\n", what);
  if (!keep_going) std::abort();
}

// Runs `read` on the input; true when it was accepted.
template <typename Read>
bool accepts(Read&& read) {
  try {
    read();
    return true;
  } catch (const barbershop::Error&) {
    return false;
  } catch (const std::exception& other) {
    foreign_exception(other.what());
    return false;
  }
}

}  // namespace barbershop::fuzz
