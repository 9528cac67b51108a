#pragma once
// The job file of `barbershop batch` and how a batch is split: a CSV file
// whose header row names the columns, one transfer per row after it; shards
// (--shard i/N) and GPU workers (--devices) that each take every N-th job.
// All checked up front, before anything loads, with one-line messages.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace barbershop::cli {

struct BatchJob {
  int64_t row = 0;  // 1: the first row after the header (blank lines are not counted)
  // Paths as given, relative ones resolved against the job file's folder.
  std::string identity, structure, appearance;
  std::string identity_mask, structure_mask, appearance_mask, target_mask;  // "" when not given
  std::string out;  // the result's file name in the output folder; default "<row>.png"
  // The row's seed (0: stored noise; 1 to 2147483647: random noise from it),
  // as the engine checks it when the row's turn comes, so one out of range
  // fails that row alone; none: the command line's --seed.
  std::optional<int64_t> seed;
};

// The columns a job file may have; the first three are required.
const std::vector<std::string>& job_file_columns();

// Fields of a CSV text (RFC 4180: commas, double-quoted fields that may hold
// commas, quotes doubled, and line breaks; CRLF or LF). Blank lines are left
// out. Throws barbershop::Error naming `name` and the line of an unclosed quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& name);

// The jobs of the file at `path`; throws barbershop::Error for an unreadable
// or empty file, a header without a required column or with an unknown or
// repeated one, a row with the wrong number of fields or without a required
// image, an `out` that is not a plain file name, a seed that is not a whole
// number, and two rows writing the same file.
std::vector<BatchJob> read_job_file(const std::string& path);

// --shard i/N: the jobs whose row r has (r - 1) mod N == i mod N. i may run
// from 0 to N-1 or from 1 to N, so Slurm arrays numbered either way
// (--array=0-3 or --array=1-4) cover every job exactly once.
struct Shard {
  int64_t index = 0, count = 1;
  bool contains(int64_t row) const { return (row - 1) % count == index % count; }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};
Shard parse_shard(const std::string& text);

// --devices 0,1,...: distinct CUDA device numbers.
std::vector<int> parse_devices(const std::string& text);

// Worker k of `workers` splitting `shard` further: shard (i mod N) + N*k of
// N*workers, so the workers' jobs together are exactly the shard's.
Shard worker_shard(const Shard& shard, int worker, int workers);

}  // namespace barbershop::cli
