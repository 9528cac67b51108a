#include "cli/batch_jobs.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "engine/error.h"
#include "engine/files.h"

namespace barbershop::cli {
namespace {

constexpr size_t kRequiredColumns = 3;  // the first three of job_file_columns()

std::string column_list() {
  std::string list;
  for (const std::string& column : job_file_columns()) list += (list.empty() ? "" : ", ") + column;
  return list;
}

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool all_blank(const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(), [](const std::string& f) { return trimmed(f).empty(); });
}

// Column name -> position in the header; throws for a missing, unknown or repeated column.
std::map<std::string, size_t> columns_of(const std::vector<std::string>& header, const std::string& name) {
  const std::vector<std::string>& known = job_file_columns();
  std::map<std::string, size_t> positions;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string column = trimmed(header[i]);
    if (std::find(known.begin(), known.end(), column) == known.end())
      throw Error("the job file " + name + " has an unknown column '" + column + "'; its header row may name " +
                  column_list());
    if (!positions.emplace(column, i).second)
      throw Error("the job file " + name + " names the column '" + column + "' twice; keep one");
  }
  for (size_t i = 0; i < kRequiredColumns; ++i)
    if (!positions.count(known[i]))
      throw Error("the job file " + name + " has no '" + known[i] +
                  "' column; its header row must name identity, structure and appearance (and may name " +
                  column_list() + ")");
  return positions;
}

// A path of the job file, relative to the file's folder.
std::string resolved(const std::string& path, const std::filesystem::path& folder) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (folder / path).lexically_normal().string();
}

// A row's seed: a whole number, or none when the cell is empty; its range is
// the engine's to check (noise_of_seed), for that row alone.
std::optional<int64_t> seed_of(const std::string& text, int64_t row, const std::string& name) {
  if (text.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const int64_t seed = std::stoll(text, &used);
    if (used == text.size()) return seed;
  } catch (const std::exception&) {
  }
  throw Error("row " + std::to_string(row) + " of the job file " + name + " has the seed '" + text +
              "'; a seed is a whole number: 0 (stored noise) or 1 to 2147483647 (random noise from it), or empty "
              "for the command line's --seed");
}

BatchJob job_of(const std::vector<std::string>& fields, const std::map<std::string, size_t>& columns, int64_t row,
                const std::string& name, const std::filesystem::path& folder) {
  if (fields.size() != columns.size())
    throw Error("row " + std::to_string(row) + " of the job file " + name + " has " + std::to_string(fields.size()) +
                " fields but the header names " + std::to_string(columns.size()) +
                " columns; put a field (maybe empty) under each column, in double quotes when it holds a comma");
  auto cell = [&](const std::string& column) {
    const auto found = columns.find(column);
    return found == columns.end() ? std::string() : trimmed(fields[found->second]);
  };
  BatchJob job;
  job.row = row;
  for (size_t i = 0; i < kRequiredColumns; ++i)
    if (cell(job_file_columns()[i]).empty())
      throw Error("row " + std::to_string(row) + " of the job file " + name + " has no " + job_file_columns()[i] +
                  " image; give its path (relative to the job file's folder)");
  job.identity = resolved(cell("identity"), folder);
  job.structure = resolved(cell("structure"), folder);
  job.appearance = resolved(cell("appearance"), folder);
  job.identity_mask = resolved(cell("identity_mask"), folder);
  job.structure_mask = resolved(cell("structure_mask"), folder);
  job.appearance_mask = resolved(cell("appearance_mask"), folder);
  job.target_mask = resolved(cell("target_mask"), folder);
  job.out = cell("out").empty() ? std::to_string(row) + ".png" : cell("out");
  job.seed = seed_of(cell("seed"), row, name);
  if (job.out.find('/') != std::string::npos || job.out == "." || job.out == "..")
    throw Error("row " + std::to_string(row) + " of the job file " + name + " writes '" + job.out +
                "'; an out is a file name in the output folder, without folders");
  return job;
}

void check_distinct_outputs(const std::vector<BatchJob>& jobs, const std::string& name) {
  std::map<std::string, int64_t> writer;
  for (const BatchJob& job : jobs) {
    const auto [found, fresh] = writer.emplace(job.out, job.row);
    if (!fresh)
      throw Error("rows " + std::to_string(found->second) + " and " + std::to_string(job.row) + " of the job file " +
                  name + " both write '" + job.out + "'; give each row its own out");
  }
}

int64_t whole_number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9) return -1;
  return std::stoll(text);
}

}  // namespace

const std::vector<std::string>& job_file_columns() {
  static const std::vector<std::string> columns = {"identity",        "structure",       "appearance",
                                                   "identity_mask",   "structure_mask",  "appearance_mask",
                                                   "target_mask",     "out",             "seed"};
  return columns;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& name) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  int64_t line = 1, quote_line = 0;
  auto end_row = [&] {
    fields.push_back(field);
    field.clear();
    if (!all_blank(fields)) rows.push_back(fields);
    fields.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (quoted) {
      if (c != '"') field += c;
      else if (i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
      quote_line = line;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else if (c == '\n') {
      end_row();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (quoted)
    throw Error("the job file " + name + " has a double quote on line " + std::to_string(quote_line) +
                " that is never closed; close it, or double it (\"\") inside a quoted field");
  end_row();
  return rows;
}

std::vector<BatchJob> read_job_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw Error("the job file " + path + " does not exist; give a CSV file with a header row naming " +
                "identity, structure and appearance");
  const std::vector<std::vector<std::string>> rows = parse_csv(read_file(path), path);
  if (rows.empty())
    throw Error("the job file " + path + " is empty; its first line names the columns (identity,structure," +
                "appearance at least), then one line per transfer");
  const std::map<std::string, size_t> columns = columns_of(rows.front(), path);
  if (rows.size() == 1)
    throw Error("the job file " + path + " has a header row but no jobs; add one row per transfer");
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::vector<BatchJob> jobs;
  for (size_t i = 1; i < rows.size(); ++i) jobs.push_back(job_of(rows[i], columns, int64_t(i), path, folder));
  check_distinct_outputs(jobs, path);
  return jobs;
}

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  const Shard shard{whole_number(text.substr(0, slash)),
                    slash == std::string::npos ? -1 : whole_number(text.substr(slash + 1))};
  if (shard.index < 0 || shard.count < 1 || shard.index > shard.count)
    throw Error("--shard takes i/N with N at least 1 and i from 0 to N-1 (or 1 to N), e.g. 0/4 or "
                "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT; not '" + text + "'");
  return shard;
}

std::vector<int> parse_devices(const std::string& text) {
  std::vector<int> devices;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const int64_t device = whole_number(trimmed(text.substr(start, comma - start)));
    if (device < 0)
      throw Error("--devices takes GPU numbers separated by commas, e.g. 0,1,2,3; not '" + text + "'");
    if (std::find(devices.begin(), devices.end(), device) != devices.end())
      throw Error("--devices names GPU " + std::to_string(device) + " twice; name each GPU once");
    devices.push_back(static_cast<int>(device));
    if (comma == std::string::npos) return devices;
    start = comma + 1;
  }
}

Shard worker_shard(const Shard& shard, int worker, int workers) {
  return Shard{shard.index % shard.count + shard.count * worker, shard.count * workers};
}

}  // namespace barbershop::cli
