#include "bench/batch_case.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "engine/error.h"
#include "engine/machine.h"

namespace barbershop {
namespace {

using Clock = std::chrono::steady_clock;

struct Timed {
  double seconds = 0;
  std::map<std::string, int> steps;  // stage -> steps reported, over all transfers
};

Progress counting(Timed& timed) {
  return Progress([&timed](const std::string& stage, int, int) { ++timed.steps[stage]; }, nullptr);
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void finish(const Engine& engine, Timed& timed, Clock::time_point start) {
  synchronize(engine.device());  // nothing on the CPU
  timed.seconds = seconds_since(start);
}

// Every transfer on its own, nothing cached: the face is embedded each time.
Timed separate_transfers(Engine& engine, const ImageBuffer& face, const std::vector<ImageBuffer>& styles) {
  engine.set_embedding_cache("");
  Timed timed;
  const auto start = Clock::now();
  for (const ImageBuffer& style : styles) engine.transfer({face, style, style}, counting(timed));
  finish(engine, timed, start);
  return timed;
}

// One batch through a cache of its own: the face is embedded once.
Timed one_batch(Engine& engine, const ImageBuffer& face, const std::vector<ImageBuffer>& styles,
                const std::string& cache_dir) {
  engine.set_embedding_cache(cache_dir);
  std::vector<TransferJob> jobs;
  for (const ImageBuffer& style : styles)
    jobs.push_back({[&face, style] { return TransferImages{face, style, style}; }, [](const TransferResult&) {}});
  Timed timed;
  const auto start = Clock::now();
  engine.transfer_each(jobs, counting(timed), [](size_t job, const JobOutcome& outcome) {
    if (!outcome.ok) throw Error("batch job " + std::to_string(job) + " failed: " + outcome.error);
  });
  finish(engine, timed, start);
  return timed;
}

double per_hour(size_t transfers, const Timed& timed) { return transfers * 3600.0 / timed.seconds; }

std::string steps_json(const Timed& timed) {
  std::string json;
  for (const auto& [stage, steps] : timed.steps)
    json += (json.empty() ? "\"" : ", \"") + stage + "\": " + std::to_string(steps);
  return "{" + json + "}";
}

}  // namespace

int run_batch_case(Engine& engine, int styles, const std::string& json_path) {
  if (styles < 1) throw Error("--batch takes the number of hairstyles, 1 or more, not " + std::to_string(styles));
  const std::vector<ImageBuffer> faces = engine.generated_faces(styles + 1);
  const ImageBuffer& face = faces.front();
  const std::vector<ImageBuffer> hairstyles(faces.begin() + 1, faces.end());
  const std::string cache_dir =
      (std::filesystem::temp_directory_path() / ("barbershop-bench-batch-" + std::to_string(getpid()))).string();
  const Timed separate = separate_transfers(engine, face, hairstyles);
  const Timed batch = one_batch(engine, face, hairstyles, cache_dir);
  std::filesystem::remove_all(cache_dir);

  const size_t n = hairstyles.size();
  std::printf("\nbatch: one face x %zu hairstyles, generator %lldx%lld\n%-22s %10s %16s %14s\n", n,
              (long long)engine.generator_size(), (long long)engine.generator_size(), "variant", "seconds",
              "transfers/hour", "W+ embeddings");
  std::printf("%-22s %10.2f %16.1f %14d\n", "separate transfers", separate.seconds, per_hour(n, separate),
              separate.steps.count("embedding W+") ? separate.steps.at("embedding W+") : 0);
  std::printf("%-22s %10.2f %16.1f %14d\n", "batch (face once)", batch.seconds, per_hour(n, batch),
              batch.steps.count("embedding W+") ? batch.steps.at("embedding W+") : 0);
  std::printf("speed-up %.2fx\n", separate.seconds / batch.seconds);
  const std::string json = "{\"variant\": \"batch\", \"styles\": " + std::to_string(n) +
                           ", \"device\": \"" + engine.device() +
                           "\", \"size\": " + std::to_string(engine.generator_size()) +
                           ", \"separate\": {\"seconds\": " + std::to_string(separate.seconds) +
                           ", \"transfers_per_hour\": " + std::to_string(per_hour(n, separate)) +
                           ", \"steps\": " + steps_json(separate) + "}, \"batch\": {\"seconds\": " +
                           std::to_string(batch.seconds) + ", \"transfers_per_hour\": " +
                           std::to_string(per_hour(n, batch)) + ", \"steps\": " + steps_json(batch) +
                           "}, \"speedup\": " + std::to_string(separate.seconds / batch.seconds) + "}\n";
  std::cout << json;
  if (!json_path.empty()) std::ofstream(json_path) << json;
  return 0;
}

}  // namespace barbershop
