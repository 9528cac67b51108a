// `barbershop transfer`: the whole method on three images.
#include <ATen/ATen.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "engine/barbershop.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"

namespace barbershop::cli {
namespace {

constexpr int kExitCancelled = 130;

const char kUsage[] = R"(usage: barbershop transfer --identity A.png --structure B.png --appearance C.png --out OUT.png
    [--weights DIR] [--generator G.pt] [--preset paper|fast] [--steps w=..,fs=..,mask=..,align1=..,align2=..,blend=..]
    [--mode realistic|fidelity] [--smooth N] [--noise stored|random] [--seed N] [--device auto|cpu|cuda]
    [--cache DIR | --no-cache] [--identity-mask M.png] [--structure-mask M.png] [--appearance-mask M.png]
    [--target-mask M.png] [--dump DIR] [--align auto|off] [--face-index N]

Puts the hair shape of the structure image and the hair colour and texture of
the appearance image on the face of the identity image (Barbershop, Zhu et al.
2021). Images are photos or aligned face crops (PNG/JPEG, or .npy [3,H,W] in
[-1,1]). Photos are FFHQ-aligned first; then the output is the whole identity
photo with only its hair replaced. Given aligned crops, the output has the
identity crop's size (resampled from the generator's resolution when they
differ; --dump keeps result.npy at the generator's).

  --weights DIR   folder with ffhq.pt, seg.pth, vgg16-397923af.pth, vgg.pth
                  (default: $BARBERSHOP_WEIGHTS, else ~/.local/share/barbershop/weights)
  --generator G   another generator checkpoint in the same layout
  --preset        paper (1100/250/80/140/100/400 steps) or fast (250/80/30/40/30/100)
  --steps         override step counts; $BARBERSHOP_STEPS overrides everything
  --mode          target mask mode (default realistic)
  --smooth N      dilation/erosion of the alignment masks (default 5)
  --noise         stored (default, deterministic) or random (drawn from --seed)
  --cache DIR     embedding cache (default ~/.cache/barbershop); --no-cache: none
  --*-mask M      a hair mask (hair = value >= 128) replacing the parser's for that image,
                  or for the target mask
  --dump DIR      also write the intermediate values as float32 .npy: wplus_, F_, S_ and
                  labels_<role> (the parser's labels after any --*-mask) for identity,
                  structure, appearance; initial_target (inpainted, before the GAN rounds),
                  target_round1, target_labels, fmix, blend_u, result
  --align MODE    auto (default): align each image that is not already an FFHQ-aligned crop
                  of its face; off: take the images as they are (square aligned crops)
  --face-index N  which face of the identity photo, numbered by size: 0 (default) is the largest
Ctrl-C stops at the next step without writing anything (exit code 130).
)";

std::atomic<bool> g_cancel{false};

void on_interrupt(int) {
  g_cancel = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// A bar with stage name and ETA on a terminal; a line per stage and per
// tenth of it otherwise (logs, pipes).
class ProgressPrinter {
 public:
  ProgressPrinter() : terminal_(isatty(STDERR_FILENO)) {}

  void operator()(const std::string& stage, int step, int total) {
    if (stage != stage_) start_stage(stage);
    if (terminal_) return draw_bar(step, total);
    const int tenth = step * 10 / total;
    if (tenth != last_tenth_) {
      std::cerr << stage << ": " << tenth * 10 << "%\n";
      last_tenth_ = tenth;
    }
  }
  void finish() const {
    if (terminal_ && !stage_.empty()) std::cerr << "\n";
  }

 private:
  void start_stage(const std::string& stage) {
    if (terminal_ && !stage_.empty()) std::cerr << "\n";
    stage_ = stage;
    last_tenth_ = -1;
    started_ = std::chrono::steady_clock::now();
  }
  void draw_bar(int step, int total) const {
    constexpr int kWidth = 30;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const double eta = elapsed / step * (total - step);
    const int filled = step * kWidth / total;
    std::fprintf(stderr, "\r%-20s [%s%s] %d/%d  ETA %4.0fs", stage_.c_str(), std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '.').c_str(), step, total, eta);
  }

  bool terminal_;
  std::string stage_;
  int last_tenth_ = -1;
  std::chrono::steady_clock::time_point started_;
};

at::Tensor optional_mask(const Args& args, const std::string& option) {
  auto path = args.get(option);
  return path ? read_mask(*path) : at::Tensor();
}

TransferOptions options_from(const Args& args) {
  TransferOptions options;
  options.preset = parse_preset(args.get_or("preset", "paper"));
  options.steps = args.get_or("steps", "");
  options.mode = parse_target_mode(args.get_or("mode", "realistic"));
  options.smooth = static_cast<int>(args.integer("smooth", 5));
  options.noise = parse_noise(args.get_or("noise", "stored"));
  options.seed = static_cast<uint64_t>(args.integer("seed", 0));
  if (args.flag("no-cache") && args.get("cache")) throw Error("give --cache DIR or --no-cache, not both");
  options.use_cache = !args.flag("no-cache");
  options.cache_dir = args.get_or("cache", "");
  options.align = parse_align_mode(args.get_or("align", "auto"));
  options.face_index = args.integer("face-index", 0);
  if (options.align == AlignMode::Off && args.get("face-index"))
    throw Error("--face-index picks the face to align; it has no effect with --align off");
  options.device = args.get_or("device", "auto");
  options.weights_dir = args.get_or("weights", "");
  options.generator = args.get_or("generator", "");
  return options;
}

void write_dump(const std::string& dir, const TransferResult& result) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, tensor] : result.intermediates) write_npy(dir + "/" + name + ".npy", tensor);
}

int run(const Args& args) {
  const std::string out = args.required("out");
  const TransferOptions options = options_from(args);
  TransferImages images{read_image(args.required("identity")), read_image(args.required("structure")),
                        read_image(args.required("appearance")), optional_mask(args, "identity-mask"),
                        optional_mask(args, "structure-mask"), optional_mask(args, "appearance-mask"),
                        optional_mask(args, "target-mask")};
  check_inputs(options, images, out);
  const Engine engine(options);
  engine.load();

  ProgressPrinter printer;
  std::signal(SIGINT, on_interrupt);
  const Progress progress([&](const std::string& stage, int step, int total) { printer(stage, step, total); },
                          &g_cancel, [](const std::string& message) { std::cerr << "barbershop: warning: " << message << "\n"; });
  try {
    const TransferResult result = engine.transfer(images, progress);
    printer.finish();
    if (auto dump = args.get("dump")) write_dump(*dump, result);
    write_image(out, result.image);
  } catch (const Cancelled&) {
    printer.finish();
    std::cerr << "barbershop: cancelled; nothing was written\n";
    return kExitCancelled;
  }
  return 0;
}

}  // namespace

const Command transfer_command{"transfer", kUsage,
                               {"identity", "structure", "appearance", "out", "weights", "generator", "preset",
                                "steps", "mode", "smooth", "noise", "seed", "device", "cache", "identity-mask",
                                "structure-mask", "appearance-mask", "target-mask", "dump", "align", "face-index"},
                               {"no-cache"},
                               &run};

}  // namespace barbershop::cli
