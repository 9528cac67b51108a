// barbershop-bench: per-stage wall time, steps/s and peak memory of a
// transfer, for a baseline and each speed measure, as a table and as JSON. Inputs are rendered by the generator
// from random latents, so any weights folder (random weights included: time
// does not depend on weight values) is enough.
#include <sys/resource.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#ifdef BARBERSHOP_BENCH_CUDA_MEMORY
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include "bench/batch_case.h"
#include "cli/args.h"
#include "engine/barbershop.h"
#include "engine/device.h"
#include "engine/error.h"

namespace barbershop {
namespace {

const char kUsage[] = R"(usage: barbershop-bench --weights DIR [--preset paper|fast] [--steps w=..,fs=..,...]
                       [--device auto|cpu|cuda] [--json OUT.json]
Runs the same transfer (three distinct inputs rendered by the generator from
random latents) once per variant -- the float32 eager baseline with one
image embedded at a time and nothing cached, then each speed measure
(embeddings as one batch; the same with all three embeddings found in the
cache; on CUDA also TensorFloat-32) -- and prints per-stage
wall time, steps/s, the speed-up over the baseline, how far the final image
moved from the baseline's, and peak memory.
$BARBERSHOP_STEPS overrides the step counts, as everywhere.
  --batch N   instead: one face with N hairstyles (say 10), as N separate
              transfers and as one batch (the face embedded once), in
              transfers per hour (bench/batch_case.h)
)";

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct StageTime {
  int steps = 0;
  double seconds = 0;
};

// Times each stage from its first to its last reported step, waiting for the
// device at stage changes so GPU work is counted where it belongs.
class StageClock {
 public:
  explicit StageClock(c10::Device device) : device_(device), started_(Clock::now()) {}
  void step(const std::string& stage) {
    if (stage != current_) {
      close_stage();
      current_ = stage;
      order_.push_back(stage);
    }
    ++stages_[stage].steps;
  }
  void close_stage() {
    if (device_.is_cuda()) torch::cuda::synchronize();
    if (!current_.empty()) stages_[current_].seconds += seconds_since(started_);
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
  c10::Device device_;
  Clock::time_point started_;
  std::string current_;
  std::vector<std::string> order_;
  std::map<std::string, StageTime> stages_;
};

double peak_resident_megabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux reports kilobytes
}

// Peaks of the CUDA caching allocator since reset_cuda_peak(): what tensors
// held at most (allocated) and what the allocator took from the driver
// (reserved). Only CUDA builds of LibTorch have these statistics;
// bench/CMakeLists.txt defines BARBERSHOP_BENCH_CUDA_MEMORY for them.
struct CudaPeak {
  double allocated_mb = 0, reserved_mb = 0;
};

#ifdef BARBERSHOP_BENCH_CUDA_MEMORY
c10::DeviceIndex cuda_index(c10::Device device) {
  return device.has_index() ? device.index() : c10::cuda::current_device();
}

void reset_cuda_peak(c10::Device device) {
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(cuda_index(device));
}

std::optional<CudaPeak> cuda_peak(c10::Device device) {
  if (!device.is_cuda()) return std::nullopt;
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(cuda_index(device));
  // Index 0 is StatType::AGGREGATE (all pools): the enum's namespace differs
  // between LibTorch 1.13 and 2.x, its value does not.
  constexpr double kMegabyte = 1024.0 * 1024.0;
  return CudaPeak{stats.allocated_bytes[0].peak / kMegabyte, stats.reserved_bytes[0].peak / kMegabyte};
}
#else
void reset_cuda_peak(c10::Device) {}
std::optional<CudaPeak> cuda_peak(c10::Device) { return std::nullopt; }
#endif

// One way of running the pipeline. The baseline is the plain float32 eager
// pipeline with one image embedded at a time; every other variant turns on
// one speed measure, measured in the same process on the same inputs.
struct Variant {
  std::string name;
  int embedding_batch;
  bool tf32 = false;  // TensorFloat-32 matmuls and convolutions: CUDA only, so not run on the CPU
  // The embedding cache: "fill" starts it empty and stores the embeddings
  // (nothing cached yet), "use" finds all three there (the `cached` run).
  enum class Cache { None, Fill, Use } cache = Cache::None;
};
const std::vector<Variant> kVariants = {{"baseline", 1},
                                        {"batched embeddings", 3, false, Variant::Cache::Fill},
                                        {"cached embeddings", 3, false, Variant::Cache::Use},
                                        {"batched + TF32", 3, true}};

// TF32 is a switch of the whole process; every variant sets it.
void use_tf32(bool on) {
  at::globalContext().setAllowTF32CuBLAS(on);
  at::globalContext().setAllowTF32CuDNN(on);
}

struct Run {
  std::string name;
  bool cached = false;  // the embeddings came from the cache
  std::vector<std::pair<std::string, StageTime>> stages;
  double seconds = 0;
  std::optional<CudaPeak> cuda;
  at::Tensor image;
};

Run run_variant(const Variant& variant, Engine& engine, const TransferImages& images, const std::string& cache_dir) {
  engine.set_embedding_batch(variant.embedding_batch);
  engine.set_embedding_cache(variant.cache == Variant::Cache::None ? "" : cache_dir);
  use_tf32(variant.tf32);
  const c10::Device device = engine.device();
  StageClock clock(device);
  const Progress progress([&](const std::string& stage, int, int) { clock.step(stage); }, nullptr);
  reset_cuda_peak(device);  // the peak of this transfer, with the networks already loaded
  const auto start = Clock::now();
  const TransferResult result = engine.transfer(images, progress);
  clock.close_stage();
  return {variant.name, variant.cache == Variant::Cache::Use, clock.stages(), seconds_since(start), cuda_peak(device),
          result.image};
}

double seconds_of(const Run& run, const std::string& stage) {
  for (const auto& [name, time] : run.stages)
    if (name == stage) return time.seconds;
  return 0;
}

// Largest difference of the final image from the baseline's, in 8-bit levels.
double levels_apart(const Run& run, const Run& baseline) {
  return (run.image - baseline.image).abs().max().item<double>() * 127.5;
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
// gpu, torch, cuda, preset, cached, variant, steps and stage_s (per stage),
// total_s, peak_allocated_mb, peak_reserved_mb, and against the baseline run
// of the same process speedup and max_difference_levels.
std::string run_json(const Run& run, const Run& baseline, const Setting& setting) {
  std::string steps, seconds;
  for (const auto& [name, time] : run.stages) {
    const std::string sep = steps.empty() ? "" : ", ";
    steps += sep + json_string(name) + ": " + std::to_string(time.steps);
    seconds += sep + json_string(name) + ": " + json_number(time.seconds);
  }
  const auto peak = [&](double megabytes) { return run.cuda ? json_number(megabytes) : std::string("null"); };
  return "{\"gpu\": " + json_string(setting.gpu) + ", \"torch\": " + json_string(setting.torch) +
         ", \"cuda\": " + (setting.cuda.empty() ? std::string("null") : json_string(setting.cuda)) +
         ", \"preset\": " + json_string(setting.preset) + ", \"size\": " + std::to_string(setting.size) +
         ", \"cached\": " + (run.cached ? "true" : "false") + ", \"variant\": " + json_string(run.name) +
         ", \"steps\": {" + steps + "}, \"stage_s\": {" + seconds + "}, \"total_s\": " + json_number(run.seconds) +
         ", \"peak_allocated_mb\": " + peak(run.cuda ? run.cuda->allocated_mb : 0) +
         ", \"peak_reserved_mb\": " + peak(run.cuda ? run.cuda->reserved_mb : 0) +
         ", \"speedup\": " + json_number(baseline.seconds / run.seconds) +
         ", \"max_difference_levels\": " + json_number(levels_apart(run, baseline)) + "}";
}

void print_run(const Run& run, const Run& baseline) {
  std::printf("\n%s\n%-22s %6s %10s %9s %9s\n", run.name.c_str(), "stage", "steps", "seconds", "steps/s",
              "speed-up");
  for (const auto& [name, time] : run.stages)
    std::printf("%-22s %6d %10.3f %9.2f %8.2fx\n", name.c_str(), time.steps, time.seconds, time.steps / time.seconds,
                seconds_of(baseline, name) / time.seconds);
  std::printf("%-22s %6s %10.3f %9s %8.2fx\n", "total", "", run.seconds, "", baseline.seconds / run.seconds);
  std::printf("final image differs from the baseline's by at most %.3f levels of 255\n", levels_apart(run, baseline));
  if (run.cuda)
    std::printf("peak CUDA memory %.0f MB allocated, %.0f MB reserved\n", run.cuda->allocated_mb, run.cuda->reserved_mb);
}

void report(const Setting& setting, const std::string& device, double load_seconds, const std::vector<Run>& runs,
            const std::string& json_path) {
  std::printf("device %s (%s), LibTorch %s, generator %lldx%lld, models loaded in %.2f s\n", device.c_str(),
              setting.gpu.c_str(), setting.torch.c_str(), (long long)setting.size, (long long)setting.size,
              load_seconds);
  const Run& baseline = runs.front();
  for (const Run& run : runs) print_run(run, baseline);
  // getrusage's peak covers the whole process: the largest of the runs.
  std::printf("\npeak resident memory %.0f MB (the largest run)\n", peak_resident_megabytes());
  std::string json = "[";
  for (size_t i = 0; i < runs.size(); ++i) json += (i ? ", " : "") + run_json(runs[i], baseline, setting);
  json += "]\n";
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
  const std::vector<at::Tensor> faces = engine.generated_faces(3);
  const TransferImages images{faces[0], faces[1], faces[2]};

  const c10::Device device = engine.device();
  const std::string preset = args.get_or("preset", "paper");
  const StepCounts steps = resolve_steps(parse_preset(preset), args.get_or("steps", ""));
  Setting setting{"cpu", TORCH_VERSION, cuda_compiled_version(), preset_name(preset, steps), engine.generator_size()};
  if (device.is_cuda()) setting.gpu = cuda_devices().at(device.has_index() ? device.index() : 0).name;

  const std::string cache_dir = (std::filesystem::temp_directory_path() /
                                 ("barbershop-bench-cache-" + std::to_string(getpid()))).string();
  std::vector<Run> runs;
  for (const Variant& variant : kVariants)
    if (!variant.tf32 || device.is_cuda()) runs.push_back(run_variant(variant, engine, images, cache_dir));
  std::filesystem::remove_all(cache_dir);
  report(setting, device.str(), load_seconds, runs, args.get_or("json", ""));
  return 0;
}

}  // namespace
}  // namespace barbershop

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  for (const auto& word : words)
    if (word == "--help" || word == "-h") return std::cout << barbershop::kUsage, 0;
  try {
    return barbershop::run(barbershop::cli::Args("bench", words, {"weights", "preset", "steps", "device", "json", "batch"}));
  } catch (const std::exception& error) {
    std::cerr << "barbershop-bench: error: " << error.what() << "\n";
    return 2;
  }
}
