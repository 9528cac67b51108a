// barbershop-bench: per-stage wall time, steps/s and peak memory of a
// transfer, for a baseline and each speed measure, as a table and as JSON. Inputs are rendered by the generator
// from random latents, so any weights folder (random weights included: time
// does not depend on weight values) is enough.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "bench/batch_case.h"
#include "engine/command_line.h"
#include "engine/barbershop.h"
#include "engine/cpu_features.h"
#include "engine/error.h"
#include "engine/machine.h"

namespace barbershop {
namespace {

const char kUsage[] = R"(usage: barbershop-bench --weights DIR [--preset paper|fast] [--steps w=..,fs=..,...]
                       [--device auto|cpu|cuda] [--variants NAME,NAME,...] [--json OUT.json]
Runs the same transfer (three distinct inputs rendered by the generator from
random latents) once per variant -- first the float32 eager baseline (one
image embedded at a time, torch::optim::Adam, nothing cached), then each
speed measure alone and together -- and prints per-stage wall time, steps/s,
the speed-up over the baseline, how far the final image moved from the
baseline's (levels of 255) and each stage's peak memory (CUDA: the caching
allocator's reserved bytes; CPU: resident memory).
Variants: )";
const char kUsageEnd[] = R"(.
CUDA-only variants are skipped on the CPU, and bf16 ones on a CPU without bf16
instructions (emulated bf16 is many times slower than float32: it would time
the emulation), each with the reason. --variants picks
some; the baseline always runs first, and a cached variant brings the run
that fills its cache. $BARBERSHOP_STEPS overrides the step counts, as everywhere.
  --batch N   instead: one face with N hairstyles (say 10), as N separate
              transfers and as one batch (the face embedded once), in
              transfers per hour (bench/batch_case.h)
)";

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct StageTime {
  int steps = 0;
  double seconds = 0;
  double peak_mb = 0;  // CUDA: reserved; CPU: resident
};

// The peak memory of what ran since the last reset: the CUDA allocator's
// reserved bytes on a GPU, the process's resident memory on the CPU.
double memory_peak_mb(const std::string& device) {
  if (const auto cuda = cuda_peak(device)) return cuda->reserved_mb;
  return resident_peak_mb();
}
void reset_memory_peak(const std::string& device) {
  reset_cuda_peak(device);
  reset_resident_peak();
}

// Times each stage from its first to its last reported step, waiting for the
// device at stage changes so GPU work is counted where it belongs, and takes
// each stage's peak memory.
class StageClock {
 public:
  explicit StageClock(std::string device) : device_(std::move(device)), started_(Clock::now()) {
    reset_memory_peak(device_);
  }
  void step(const std::string& stage) {
    if (stage != current_) {
      close_stage();
      current_ = stage;
      order_.push_back(stage);
    }
    ++stages_[stage].steps;
  }
  void close_stage() {
    synchronize(device_);
    if (!current_.empty()) {
      StageTime& time = stages_[current_];
      time.seconds += seconds_since(started_);
      time.peak_mb = std::max(time.peak_mb, memory_peak_mb(device_));
    }
    reset_memory_peak(device_);
    started_ = Clock::now();
  }
  // Stages in first-seen order, repeated names merged.
  std::vector<std::pair<std::string, StageTime>> stages() const {
    std::vector<std::pair<std::string, StageTime>> out;
    for (const auto& name : order_)
      if (std::none_of(out.begin(), out.end(), [&](const auto& e) { return e.first == name; }))
        out.emplace_back(name, stages_.at(name));
    return out;
  }

 private:
  std::string device_;
  Clock::time_point started_;
  std::string current_;
  std::vector<std::string> order_;
  std::map<std::string, StageTime> stages_;
};

// Everything off: the float32 eager baseline's speed options.
SpeedOptions baseline_speed() {
  SpeedOptions off;
  off.fused_adam = false;
  return off;
}

// One way of running the pipeline. The baseline is the plain float32 eager
// pipeline (one image embedded at a time, torch::optim::Adam); every other
// variant turns on one speed measure, or several, measured in the same
// process on the same inputs.
struct Variant {
  std::string name;
  int embedding_batch = 1;  // 0: the engine's choice (all at once on a GPU)
  SpeedOptions speed = baseline_speed();
  bool tf32 = false;  // TensorFloat-32 matmuls and convolutions
  // The embedding cache: "fill" starts it empty and stores the embeddings
  // (nothing cached yet), "use" finds them there: the `cached` run, right
  // after the "fill" run of the same settings.
  enum class Cache { None, Fill, Use } cache = Cache::None;
  bool cuda_only = false;
  // >= 0: previews asked for, at most this often (0: at every moment), and
  // shown nowhere, so the run measures what making them costs.
  double preview_interval = -1;
};

Variant with(Variant variant, const std::string& name, const std::function<void(Variant&)>& change) {
  variant.name = name;
  change(variant);
  return variant;
}

// The engine's defaults (what a user gets), and everything on at once.
Variant defaults_variant() {
  Variant defaults{"defaults", 0, SpeedOptions{}};
  defaults.cache = Variant::Cache::Fill;
  return defaults;
}
Variant everything_variant() {
  Variant all{"all on", 0, SpeedOptions{}};
  all.speed.bf16 = all.speed.channels_last = all.speed.cuda_graphs = true;
  all.tf32 = true;  // CUDA graphs and TF32 do nothing on the CPU
  all.cache = Variant::Cache::Fill;
  return all;
}
const auto kNoChange = [](Variant&) {};

// In the order they run; each cached variant right after the run that fills
// its cache.
std::vector<Variant> all_variants() {
  const Variant base{"baseline"};
  using V = Variant;
  return {
      base,
      with(base, "batched embeddings", [](V& v) { v.embedding_batch = 3; }),
      with(base, "fused Adam", [](V& v) { v.speed.fused_adam = true; }),
      with(base, "bf16", [](V& v) { v.speed.bf16 = true; }),
      with(base, "channels-last", [](V& v) { v.speed.channels_last = true; }),
      with(base, "TF32", [](V& v) { v.tf32 = v.cuda_only = true; }),
      with(base, "CUDA graphs", [](V& v) { v.speed.fused_adam = v.speed.cuda_graphs = v.cuda_only = true; }),
      defaults_variant(),
      with(defaults_variant(), "cached embeddings", [](V& v) { v.cache = V::Cache::Use; }),
      with(defaults_variant(), "memory cap 8 GB", [](V& v) { v.speed.memory_cap_mb = 8192; v.cache = V::Cache::None; }),
      with(defaults_variant(), "previews", [](V& v) { v.preview_interval = 0; }),
      with(everything_variant(), "all on", kNoChange),
      with(everything_variant(), "all on + cached", [](V& v) { v.cache = V::Cache::Use; }),
  };
}

std::string variant_names() {
  std::string names;
  for (const Variant& variant : all_variants()) names += (names.empty() ? "" : ", ") + variant.name;
  return names;
}

std::string usage() { return kUsage + variant_names() + kUsageEnd; }

// The variants asked for (all when `list` is empty), in their order, the
// baseline first; a cached variant brings the run that fills its cache.
// Throws naming an unknown one.
std::vector<Variant> chosen_variants(const std::string& list) {
  const std::vector<Variant> all = all_variants();
  if (list.empty()) return all;
  std::set<std::string> names{"baseline"};
  std::stringstream entries(list);
  std::string name;
  while (std::getline(entries, name, ',')) {
    if (std::none_of(all.begin(), all.end(), [&](const Variant& v) { return v.name == name; }))
      throw Error("unknown variant '" + name + "'; the variants are " + variant_names(), "variants");
    names.insert(name);
  }
  if (names.count("cached embeddings")) names.insert("defaults");
  if (names.count("all on + cached")) names.insert("all on");
  std::vector<Variant> chosen;
  for (const Variant& variant : all)
    if (names.count(variant.name)) chosen.push_back(variant);
  return chosen;
}

struct Run {
  std::string name;
  bool tf32 = false;  // TF32 matmuls and convolutions were allowed
  bool cached = false;  // the embeddings came from the cache
  std::vector<std::pair<std::string, StageTime>> stages;
  double seconds = 0;
  std::optional<CudaMemory> cuda;  // the whole transfer's peaks
  ImageBuffer image;
};

Run run_variant(const Variant& variant, Engine& engine, const TransferImages& images, const std::string& cache_dir) {
  engine.set_embedding_batch(variant.embedding_batch);
  if (variant.cache == Variant::Cache::Fill) std::filesystem::remove_all(cache_dir);  // nothing cached yet
  engine.set_embedding_cache(variant.cache == Variant::Cache::None ? "" : cache_dir);
  engine.set_speed(variant.speed);
  use_tf32(variant.tf32);  // a switch of the whole process: every variant sets it
  const std::string device = engine.device();
  synchronize(device);
  // The blocks earlier variants left cached would make this one's reserved
  // peak (and the batch the memory cap picks) depend on the order of runs.
  release_cached_cuda_memory(device);
  reset_cuda_peak(device);  // the peak of this transfer, with the networks already loaded
  StageClock clock(device);
  Progress progress([&](const std::string& stage, int, int) { clock.step(stage); }, nullptr,
                    [&](const std::string& warning) {
                      std::fprintf(stderr, "%s: warning: %s\n", variant.name.c_str(), warning.c_str());
                    });
  if (variant.preview_interval >= 0) progress.show_previews([](const Preview&) {}, variant.preview_interval);
  const auto start = Clock::now();
  const TransferResult result = engine.transfer(images, progress);
  clock.close_stage();
  const bool cached = variant.cache == Variant::Cache::Use;
  return {variant.name, variant.tf32, cached, clock.stages(), seconds_since(start), cuda_peak(device), result.image};
}

double seconds_of(const Run& run, const std::string& stage) {
  for (const auto& [name, time] : run.stages)
    if (name == stage) return time.seconds;
  return 0;
}

double largest_stage_peak(const Run& run) {
  double peak = 0;
  for (const auto& stage : run.stages) peak = std::max(peak, stage.second.peak_mb);
  return peak;
}

// Largest difference of the final image from the baseline's, in 8-bit levels.
double levels_apart(const Run& run, const Run& baseline) {
  return barbershop::levels_apart(run.image, baseline.image);
}

std::string json_number(double value) { return std::to_string(value); }
std::string json_string(const std::string& text) { return "\"" + text + "\""; }

// What every run of one benchmark shares: the machine and the preset.
struct Setting {
  std::string gpu;     // the CUDA device's name, or "cpu"
  std::string torch;   // LibTorch's version
  std::string cuda;    // the CUDA version LibTorch was built with, or ""
  std::string preset;  // "paper", "fast" or "custom" (steps changed)
  int64_t size = 0;    // the generator's resolution
};

// One run as bench/results/*.json holds it (README, "Performance"): the keys
// gpu, torch, cuda, preset, size, cached, variant, steps and stage_s (per
// stage), total_s, stage_peak_mb (per stage: CUDA reserved, or resident on
// the CPU, as `memory` says), tf32 (TensorFloat-32 allowed in cuBLAS and
// cuDNN: off in the baseline, as in bench/reference/run_reference.py),
// peak_allocated_mb and peak_reserved_mb (CUDA; null on the CPU), and
// against the baseline run of the same process speedup and
// max_difference_levels.
std::string run_json(const Run& run, const Run& baseline, const Setting& setting) {
  std::string steps, seconds, peaks;
  for (const auto& [name, time] : run.stages) {
    const std::string sep = steps.empty() ? "" : ", ";
    steps += sep + json_string(name) + ": " + std::to_string(time.steps);
    seconds += sep + json_string(name) + ": " + json_number(time.seconds);
    peaks += sep + json_string(name) + ": " + json_number(time.peak_mb);
  }
  const auto peak = [&](double megabytes) { return run.cuda ? json_number(megabytes) : std::string("null"); };
  return "{\"gpu\": " + json_string(setting.gpu) + ", \"torch\": " + json_string(setting.torch) +
         ", \"cuda\": " + (setting.cuda.empty() ? std::string("null") : json_string(setting.cuda)) +
         ", \"preset\": " + json_string(setting.preset) + ", \"size\": " + std::to_string(setting.size) +
         ", \"cached\": " + (run.cached ? "true" : "false") + ", \"variant\": " + json_string(run.name) +
         ", \"tf32\": " + (run.tf32 ? "true" : "false") +
         ", \"steps\": {" + steps + "}, \"stage_s\": {" + seconds + "}, \"total_s\": " + json_number(run.seconds) +
         ", \"stage_peak_mb\": {" + peaks + "}, \"memory\": " + json_string(run.cuda ? "cuda reserved" : "resident") +
         ", \"peak_allocated_mb\": " + peak(run.cuda ? run.cuda->allocated_mb : 0) +
         ", \"peak_reserved_mb\": " + peak(run.cuda ? run.cuda->reserved_mb : 0) +
         ", \"speedup\": " + json_number(baseline.seconds / run.seconds) +
         ", \"max_difference_levels\": " + json_number(levels_apart(run, baseline)) + "}";
}

void print_run(const Run& run, const Run& baseline) {
  std::printf("\n%s\n%-22s %6s %10s %9s %9s %9s\n", run.name.c_str(), "stage", "steps", "seconds", "steps/s",
              "speed-up", "peak MB");
  for (const auto& [name, time] : run.stages)
    std::printf("%-22s %6d %10.3f %9.2f %8.2fx %9.0f\n", name.c_str(), time.steps, time.seconds,
                time.steps / time.seconds, seconds_of(baseline, name) / time.seconds, time.peak_mb);
  std::printf("%-22s %6s %10.3f %9s %8.2fx %9.0f\n", "total", "", run.seconds, "", baseline.seconds / run.seconds,
              largest_stage_peak(run));
  std::printf("final image differs from the baseline's by at most %.3f levels of 255\n", levels_apart(run, baseline));
  if (run.cuda)
    std::printf("peak CUDA memory %.0f MB allocated, %.0f MB reserved\n", run.cuda->allocated_mb, run.cuda->reserved_mb);
}

std::string runs_json(const Setting& setting, const std::vector<Run>& runs) {
  std::string json = "[";
  for (size_t i = 0; i < runs.size(); ++i) json += (i ? ", " : "") + run_json(runs[i], runs.front(), setting);
  return json + "]\n";
}

void report(const Setting& setting, const std::string& device, double load_seconds, const std::vector<Run>& runs,
            const std::string& json_path) {
  std::printf("device %s (%s), LibTorch %s, generator %lldx%lld, models loaded in %.2f s\n", device.c_str(),
              setting.gpu.c_str(), setting.torch.c_str(), (long long)setting.size, (long long)setting.size,
              load_seconds);
  std::printf("peak memory per stage: %s\n", device == "cpu" ? "resident (VmHWM)" : "CUDA reserved");
  const Run& baseline = runs.front();
  for (const Run& run : runs) print_run(run, baseline);
  const std::string json = runs_json(setting, runs);
  std::cout << json;
  if (!json_path.empty()) std::ofstream(json_path) << json;
}

std::string preset_name(const std::string& preset, const StepCounts& steps) {
  return steps == preset_steps(parse_preset(preset)) ? preset : "custom";
}

// The generator's own faces are aligned crops already, and the cache stays
// off (but where a variant fills and then uses its own) so every variant embeds.
TransferOptions options_from(const cli::Args& args) {
  TransferOptions options;
  options.preset = parse_preset(args.get_or("preset", "paper"));
  options.steps = args.get_or("steps", "");
  options.device = args.get_or("device", "auto");
  options.weights_dir = args.required("weights");
  options.use_cache = false;
  options.align = AlignMode::Off;
  return options;
}

int run(const cli::Args& args) {
  Engine engine(options_from(args));
  const auto load_start = Clock::now();
  engine.load();
  const double load_seconds = seconds_since(load_start);
  if (args.get("batch")) return run_batch_case(engine, static_cast<int>(args.integer("batch", 10)), args.get_or("json", ""));
  const std::vector<ImageBuffer> faces = engine.generated_faces(3);
  const TransferImages images{faces[0], faces[1], faces[2]};

  const std::string device = engine.device();
  const bool on_cuda = device.rfind("cuda", 0) == 0;
  const std::string preset = args.get_or("preset", "paper");
  Setting setting{device_model(device), libtorch_version(), cuda_compiled_version(),
                  preset_name(preset, engine.steps()), engine.generator_size()};

  const std::string cache_dir = (std::filesystem::temp_directory_path() /
                                 ("barbershop-bench-cache-" + std::to_string(getpid()))).string();
  std::vector<Run> runs;
  for (const Variant& variant : chosen_variants(args.get_or("variants", ""))) {
    if (variant.cuda_only && !on_cuda) {
      std::printf("skipped: %s: CUDA only, and this run is on %s\n", variant.name.c_str(), device.c_str());
      continue;
    }
    if (variant.speed.bf16 && !on_cuda && !cpu_has_native_bf16()) {
      std::printf("skipped: %s: bf16, and this CPU has no bf16 instructions (avx512_bf16, amx_bf16)\n",
                  variant.name.c_str());
      continue;
    }
    std::fprintf(stderr, "running %s\n", variant.name.c_str());
    // One variant that fails (out of memory, a CUDA graph the device
    // refuses) leaves the others' runs: a device call is too dear to lose.
    try {
      runs.push_back(run_variant(variant, engine, images, cache_dir));
      // Written after every run, so a run cut short by a time limit keeps
      // what it measured.
      if (!args.get_or("json", "").empty()) std::ofstream(args.get_or("json", "")) << runs_json(setting, runs);
    } catch (const std::exception& error) {
      if (runs.empty()) throw;  // no baseline, nothing to compare with
      std::printf("failed: %s: %s\n", variant.name.c_str(), error.what());
    }
  }
  std::filesystem::remove_all(cache_dir);
  report(setting, device, load_seconds, runs, args.get_or("json", ""));
  return 0;
}

}  // namespace
}  // namespace barbershop

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  for (const auto& word : words)
    if (word == "--help" || word == "-h") return std::cout << barbershop::usage(), 0;
  try {
    return barbershop::run(barbershop::cli::Args("bench", words, {"weights", "preset", "steps", "device", "json", "variants", "batch"}));
  } catch (const std::exception& error) {
    std::cerr << "barbershop-bench: error: " << error.what() << "\n";
    return 2;
  }
}
