#pragma once
// Writing output files so that a failure never leaves a half-written file
// and never destroys the previous one: write a temporary beside the target,
// flush it to the disk, then rename it over the target. And a file lock, so
// that processes sharing a folder (two transfers and their cache) take turns.
// A door header (plain types): the engine's own writers and hosts' files
// (the CLI's batch status) share it. Implemented in engine/io/atomic_file.cpp.
#include <chrono>
#include <string>
#include <string_view>

namespace barbershop {

// Throws barbershop::Error naming `path`, the system's reason (e.g. "No space
// left on device", "File too large") and what became of the file: a file
// already at `path` is then unchanged, and no temporary is left behind.
void write_file_atomically(const std::string& path, std::string_view bytes);

// Reads a whole file; throws barbershop::Error naming it when unreadable.
std::string read_file(const std::string& path);

// An advisory lock (flock) on `path`, created when missing, held until
// destruction. The kernel releases it when its holder exits however it
// exits (even SIGKILL), so a lock file left behind never blocks anyone.
// Waits at most `patience` for another holder; locked() tells whether the
// lock was had (false too when the file cannot be opened).
class FileLock {
 public:
  enum class Mode { Shared, Exclusive };
  FileLock(const std::string& path, Mode mode, std::chrono::milliseconds patience);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool locked() const { return locked_; }

 private:
  int fd_ = -1;
  bool locked_ = false;
};

}  // namespace barbershop
