#include "cli/batch_status.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/error.h"
#include "engine/files.h"
#include "engine/image_buffer.h"

namespace barbershop::cli {
namespace {

// A line takes microseconds to write; a holder past this is a stopped
// process, and the line is written anyway (O_APPEND still keeps it whole
// on a local disk).
constexpr std::chrono::seconds kLockPatience{10};

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "";
}

}  // namespace

std::string status_line(const JobStatus& status) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", status.seconds);
  return "{\"row\": " + std::to_string(status.row) + ", \"out\": " + json_string(status.out) +
         ", \"ok\": " + (status.ok ? "true" : "false") +
         ", \"error\": " + (status.ok ? std::string("null") : json_string(status.error)) + ", \"seconds\": " + seconds +
         ", \"shard\": " + json_string(status.shard) + ", \"host\": " + json_string(host_name()) +
         ", \"pid\": " + std::to_string(getpid()) + "}\n";
}

void append_line(const std::string& path, const std::string& line) {
  const FileLock lock(path + ".lock", FileLock::Mode::Exclusive, kLockPatience);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw Error("cannot append to " + path + ": " + std::strerror(errno) + "; make the output folder writable");
  const ssize_t written = ::write(fd, line.data(), line.size());
  const int error = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size()))
    throw Error("cannot append to " + path + ": " + (written < 0 ? std::strerror(error) : "short write") +
                "; free space in the output folder");
}

bool result_is_complete(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error) || std::filesystem::file_size(path, error) == 0) return false;
  try {
    read_image_buffer(path);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace barbershop::cli
