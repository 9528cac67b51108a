#pragma once
// What a batch leaves in its output folder besides the results:
// status.jsonl, one JSON line per job that finished or failed, appended by
// every process of the batch (shards, GPU workers, cluster tasks) without
// their lines ever mixing.
#include <cstdint>
#include <string>

namespace barbershop::cli {

struct JobStatus {
  int64_t row = 0;
  std::string out;    // the result's file name
  bool ok = false;
  std::string error;  // when not ok
  double seconds = 0;
  std::string shard;  // "i/N" of the process that ran it
};

// {"row": 3, "out": "3.png", "ok": false, "error": "...", "seconds": 1.25,
//  "shard": "0/1", "host": "node7", "pid": 4242}
std::string status_line(const JobStatus& status);

// Appends `line` (ending in a newline) to `path` with one write() of a file
// opened O_APPEND, under an exclusive lock on `path`.lock: writers on one
// machine or on shared storage (NFS, where O_APPEND alone is not atomic)
// take turns. Throws barbershop::Error naming the file when it cannot.
void append_line(const std::string& path, const std::string& line);

// Whether a batch's result at `path` is there and whole: results are written
// atomically, so a file there is one a finished job wrote; reading it back
// also refuses anything else (an empty or truncated file put there by hand).
bool result_is_complete(const std::string& path);

}  // namespace barbershop::cli
