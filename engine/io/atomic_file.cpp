#include "engine/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "engine/error.h"

namespace barbershop {
namespace {

std::string temporary_name_beside(const std::string& path) {
  std::random_device entropy;
  return path + ".tmp-" + std::to_string(entropy());
}

// The whole of `bytes` to `fd`; 0, or the errno of the write that failed
// (a full disk fails part-way: ENOSPC, or EFBIG past the process's file size limit).
int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return written < 0 ? errno : ENOSPC;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return 0;
}

// Writes, flushes and closes; 0 or the first errno. fsync before the rename:
// otherwise a crash could leave the new name pointing at unwritten blocks.
int write_and_close(int fd, std::string_view bytes) {
  int failure = write_all(fd, bytes);
  if (!failure && ::fsync(fd) != 0) failure = errno;
  if (::close(fd) != 0 && !failure) failure = errno;
  return failure;
}

std::string advice_for(int error) {
  if (error == ENOSPC || error == EDQUOT) return " (the disk is full: free some space or write elsewhere)";
  if (error == EFBIG) return " (larger than this process may write: see `ulimit -f`)";
  return "";
}

// What the user finds at `path` after a failed write: never a part of the new file.
std::string what_remains(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored) ? "; the file already there is unchanged" : "; nothing was written";
}

[[noreturn]] void fail_writing(const std::string& path, int error, const std::string& temporary) {
  ::unlink(temporary.c_str());
  throw Error("cannot write " + path + ": " + std::strerror(error) + advice_for(error) + what_remains(path));
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::string temporary = temporary_name_beside(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    throw Error("cannot write " + path + ": " + std::strerror(errno) +
                "; check that the folder exists and is writable" + what_remains(path));
  if (const int failure = write_and_close(fd, bytes)) fail_writing(path, failure, temporary);
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail_writing(path, errno, temporary);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

FileLock::FileLock(const std::string& path, Mode mode, std::chrono::milliseconds patience) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // a read-only folder: readers still lock
  if (fd_ < 0) return;
  const int operation = (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  // Polled rather than blocking, so that a holder that hangs (a stopped
  // process) costs the others `patience`, not their run.
  const auto give_up = std::chrono::steady_clock::now() + patience;
  while (!(locked_ = ::flock(fd_, operation) == 0) && (errno == EWOULDBLOCK || errno == EINTR) &&
         std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace barbershop
