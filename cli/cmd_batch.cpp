// `barbershop batch`: many transfers from a job file, resumable, split over
// processes (--shard), GPUs (--devices) or a cluster's job array.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/batch_jobs.h"
#include "cli/batch_status.h"
#include "cli/commands.h"
#include "cli/transfer_options.h"
#include "engine/barbershop.h"
#include "engine/error.h"
#include "engine/image_buffer.h"
#include "engine/machine.h"

namespace barbershop::cli {

namespace {

constexpr int kExitFailedJobs = 1;
constexpr int kExitCancelled = 130;

const std::string kUsage = std::string(R"(usage: barbershop batch JOBS.csv --out DIR [--shard i/N] [--devices 0,1,...] [--dry-run]
    [transfer options as for `barbershop transfer`: --weights DIR, --preset, --steps, --cache DIR, ...]

Runs one transfer per row of JOBS.csv, with the networks loaded once and each
distinct image embedded once for the whole batch (through the embedding
cache; with --no-cache, a cache kept for this run alone).

JOBS.csv starts with a header row naming its columns, in any order:
  identity, structure, appearance     required: the three images of a transfer
  identity_mask, structure_mask,      optional hair masks (hair = value >= 128),
  appearance_mask, target_mask        as the --*-mask options of `transfer`
  out                                 optional: the result's file name in DIR
                                      (default: <row>.png, rows numbered from 1)
  seed                                optional: this row's --seed (0: stored noise;
                                      1 to 2147483647: random noise from it); empty:
                                      --seed's; one out of range fails its row alone
Paths are relative to the job file's folder; fields holding commas go in
double quotes. The whole file is checked before anything loads.

Each result is written to DIR atomically, and DIR/status.jsonl gets one line
per finished or failed job: {"row", "out", "ok", "error", "seconds", "shard",
"host", "pid"}. Run the same command again to resume: jobs whose result is in
DIR are skipped, so a killed batch loses nothing and does nothing twice. A job
that fails (a missing file, no face found, a mask of the wrong size) fails
alone; the batch goes on and exits 1 at the end. --time-limit S applies to
each job on its own: a job stopped by it keeps the composite made by then as
its result (a done job; stderr says where it stopped).

  --out DIR       the results' folder (made when missing)
  --shard i/N     run only every N-th job: rows r with (r - 1) mod N = i mod N.
                  i runs from 0 to N-1, or from 1 to N, so a Slurm job array
                  numbered either way covers every job once:
                  --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
  --devices LIST  one worker process per GPU of LIST (e.g. 0,1,2,3), each
                  taking every len(LIST)-th job of the shard (on --device cuda:N)
  --dry-run       check the job file and print which jobs each process would
                  run and which are done; loads nothing, checks no GPU
)") + kTransferOptionsHelp +
                           R"(Ctrl-C (or SIGTERM) stops at the next step of the current job; the
results written so far stay (exit code 130).
)";

std::atomic<bool> g_cancel{false};

void on_stop_signal(int) { g_cancel = true; }

// What the command line asks, checked before anything loads.
struct Plan {
  std::string folder, status_path;
  Shard shard;
  std::vector<int> devices;
  std::vector<BatchJob> jobs;  // the shard's
};

std::string job_file_of(const Args& args) {
  if (args.positional().size() != 1)
    throw Error("`barbershop batch` takes one job file: barbershop batch JOBS.csv --out DIR; see "
                "`barbershop batch --help`");
  return args.positional().front();
}

std::string result_path(const Plan& plan, const BatchJob& job) { return plan.folder + "/" + job.out; }

Plan plan_of(const Args& args) {
  Plan plan;
  plan.folder = args.required("out");
  plan.shard = parse_shard(args.get_or("shard", "0/1"));
  if (auto devices = args.get("devices")) {
    if (args.get("device")) throw Error("give --device or --devices, not both: --devices runs a worker per GPU");
    plan.devices = parse_devices(*devices);
  }
  for (BatchJob& job : read_job_file(job_file_of(args)))
    if (plan.shard.contains(job.row)) plan.jobs.push_back(std::move(job));
  std::filesystem::create_directories(plan.folder);
  plan.status_path = plan.folder + "/status.jsonl";
  for (const BatchJob& job : plan.jobs) check_image_output(result_path(plan, job));
  return plan;
}

std::vector<BatchJob> pending_jobs(const Plan& plan) {
  std::vector<BatchJob> pending;
  for (const BatchJob& job : plan.jobs)
    if (!result_is_complete(result_path(plan, job))) pending.push_back(job);
  return pending;
}

int print_dry_run(const Plan& plan) {
  const int workers = plan.devices.empty() ? 1 : static_cast<int>(plan.devices.size());
  size_t done = 0;
  for (const BatchJob& job : plan.jobs) {
    const bool complete = result_is_complete(result_path(plan, job));
    done += complete;
    std::cout << "row " << job.row << " -> " << job.out << ": " << (complete ? "done" : "to do");
    for (int k = 0; k < workers && !plan.devices.empty(); ++k)
      if (worker_shard(plan.shard, k, workers).contains(job.row))
        std::cout << " (cuda:" << plan.devices[k] << ", shard " << worker_shard(plan.shard, k, workers).text() << ")";
    std::cout << "\n";
  }
  std::cout << "shard " << plan.shard.text() << ": " << plan.jobs.size() << " jobs, " << done << " done, "
            << plan.jobs.size() - done << " to do\n";
  return 0;
}

ImageBuffer optional_mask(const std::string& path) { return path.empty() ? ImageBuffer() : read_mask_buffer(path); }

TransferJob transfer_job(const Plan& plan, const BatchJob& job, int64_t& current_row) {
  return {[&job, &current_row] {
            current_row = job.row;
            return TransferImages{read_image_buffer(job.identity),   read_image_buffer(job.structure),
                                  read_image_buffer(job.appearance), optional_mask(job.identity_mask),
                                  optional_mask(job.structure_mask), optional_mask(job.appearance_mask),
                                  optional_mask(job.target_mask)};
          },
          [path = result_path(plan, job)](const TransferResult& result) { write_image_buffer(path, result.image); },
          job.seed};
}

struct Tally {
  size_t done_before = 0, done_now = 0;
  std::vector<int64_t> failed_rows;
};

std::string row_list(const std::vector<int64_t>& rows) {
  std::string list;
  for (size_t i = 0; i < rows.size() && i < 10; ++i) list += (i ? ", " : "") + std::to_string(rows[i]);
  return rows.size() > 10 ? list + ", ..." : list;
}

// One line: how the shard's jobs stand; the exit code.
int summarise(const Plan& plan, const Tally& tally) {
  std::cerr << "barbershop: batch: shard " << plan.shard.text() << ": " << plan.jobs.size() << " jobs, "
            << tally.done_now << " done now, " << tally.done_before << " done before, " << tally.failed_rows.size()
            << " failed";
  if (tally.failed_rows.empty()) return std::cerr << "\n", 0;
  std::cerr << " (rows " << row_list(tally.failed_rows) << "; their errors are in " << plan.status_path
            << "; fix them and run the same command again)\n";
  return kExitFailedJobs;
}

JobStatus status_of(const Plan& plan, const BatchJob& job, const JobOutcome& outcome) {
  JobStatus status{job.row, job.out, outcome.ok, outcome.error, outcome.seconds, plan.shard.text()};
  if (!outcome.ok) status.error = with_hint(Error(outcome.error, outcome.setting));
  return status;
}

void report_job(const Plan& plan, const BatchJob& job, const JobOutcome& outcome, Tally& tally) {
  append_line(plan.status_path, status_line(status_of(plan, job, outcome)));
  if (outcome.ok) {
    ++tally.done_now;
    std::fprintf(stderr, "barbershop: batch: row %lld -> %s done in %.1f s%s\n", (long long)job.row, job.out.c_str(),
                 outcome.seconds,
                 outcome.stopped ? (" (the time limit stopped it at " + outcome.stopped->text() + ")").c_str() : "");
  } else {
    tally.failed_rows.push_back(job.row);
    std::cerr << "barbershop: batch: row " << job.row << " failed: " << status_of(plan, job, outcome).error << "\n";
  }
}

int run_here(const Plan& plan, const TransferOptions& options) {
  const std::vector<BatchJob> pending = pending_jobs(plan);
  Tally tally;
  tally.done_before = plan.jobs.size() - pending.size();
  if (pending.empty()) return summarise(plan, tally);
  const Engine engine(options);
  engine.load();
  int64_t current_row = 0;
  std::vector<TransferJob> jobs;
  for (const BatchJob& job : pending) jobs.push_back(transfer_job(plan, job, current_row));
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  const Progress progress(nullptr, &g_cancel, [&](const std::string& message) {
    std::cerr << "barbershop: warning: row " << current_row << ": " << message << "\n";
  });
  try {
    engine.transfer_each(jobs, progress,
                         [&](size_t i, const JobOutcome& outcome) { report_job(plan, pending[i], outcome, tally); });
  } catch (const Cancelled&) {
    summarise(plan, tally);
    std::cerr << "barbershop: batch: stopped; the results written so far stay, run the same command to resume\n";
    return kExitCancelled;
  }
  return summarise(plan, tally);
}

// --devices: the same command once per GPU, each on its own share of the shard.
void check_devices(const std::vector<int>& devices) {
  const size_t available = cuda_devices().size();
  if (available == 0)
    throw Error("--devices runs one worker per GPU, but LibTorch finds no GPU on this machine; leave --devices out "
                "to run on the CPU here, or split the batch between processes with --shard i/N");
  for (const int device : devices)
    if (static_cast<size_t>(device) >= available)
      throw Error("--devices names GPU " + std::to_string(device) + ", but this machine has " +
                  std::to_string(available) + " (numbered from 0); name only those");
}

std::vector<std::string> worker_words(const Args& args, const Shard& shard, int device) {
  std::vector<std::string> words = {"barbershop", "batch"};
  const std::vector<std::string>& given = args.words();
  for (size_t i = 0; i < given.size(); ++i) {
    if (given[i] == "--devices" || given[i] == "--shard") ++i;  // and its value
    else words.push_back(given[i]);
  }
  for (const std::string& extra : {std::string("--shard"), shard.text(), std::string("--device"),
                                   "cuda:" + std::to_string(device)})
    words.push_back(extra);
  return words;
}

pid_t start_worker(const std::vector<std::string>& words) {
  std::vector<char*> argv;
  for (const std::string& word : words) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execv("/proc/self/exe", argv.data());
    std::perror("barbershop: batch: cannot start a worker");
    _exit(127);
  }
  if (pid < 0) throw Error("cannot start a worker process; the system refused (too many processes?)");
  return pid;
}

std::vector<pid_t> g_workers;

void forward_stop_signal(int signal) {
  for (const pid_t pid : g_workers) kill(pid, signal);
}

int run_workers(const Plan& plan, const Args& args) {
  check_devices(plan.devices);
  const int workers = static_cast<int>(plan.devices.size());
  std::signal(SIGINT, forward_stop_signal);
  std::signal(SIGTERM, forward_stop_signal);
  for (int k = 0; k < workers; ++k)
    g_workers.push_back(start_worker(worker_words(args, worker_shard(plan.shard, k, workers), plan.devices[k])));
  int exit_code = 0;
  for (const pid_t pid : g_workers) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    exit_code = std::max(exit_code, code);
  }
  const size_t done = plan.jobs.size() - pending_jobs(plan).size();
  std::cerr << "barbershop: batch: " << workers << " GPU workers ended: shard " << plan.shard.text() << " has "
            << done << " of " << plan.jobs.size() << " results\n";
  return exit_code;
}

// A dry run checks no device: it may run where the batch will not (a
// cluster's login node without GPUs).
void check_options_for(const TransferOptions& options, bool dry_run) {
  TransferOptions checked = options;
  if (dry_run) checked.device = "cpu";
  check_options(checked);
}

int run(const Args& args) {
  const TransferOptions options = transfer_options_from(args);
  check_options_for(options, args.flag("dry-run"));
  const Plan plan = plan_of(args);
  if (args.flag("dry-run")) return print_dry_run(plan);
  if (!plan.devices.empty()) return run_workers(plan, args);
  return run_here(plan, options);
}

}  // namespace

const Command batch_command{"batch", kUsage, with_transfer_options({"out", "shard", "devices"}),
                            {"no-cache", "dry-run"}, &run};

}  // namespace barbershop::cli
