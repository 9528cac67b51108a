// `barbershop transfer`: the whole method on three images.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/transfer_options.h"
#include "engine/barbershop.h"
#include "engine/error.h"
#include "engine/image_buffer.h"

namespace barbershop::cli {
namespace {

constexpr int kExitCancelled = 130;

const std::string kUsage = std::string(R"(usage: barbershop transfer --identity A.png --structure B.png --appearance C.png --out OUT.png
    [--weights DIR] [--generator G.pt] [--preset paper|fast] [--steps w=..,fs=..,mask=..,align1=..,align2=..,blend=..]
    [--mode realistic|fidelity] [--smooth N] [--seed N] [--device auto|cpu|cuda]
    [--cache DIR | --no-cache] [--identity-mask M.png] [--structure-mask M.png] [--appearance-mask M.png]
    [--target-mask M.png] [--dump DIR] [--align auto|off] [--face-index N] [--preview DIR] [--time-limit S]

Puts the hair shape of the structure image and the hair colour and texture of
the appearance image on the face of the identity image (Barbershop, Zhu et al.
2021). Images are photos or aligned face crops (PNG/JPEG, or .npy [3,H,W] in
[-1,1]). Photos are FFHQ-aligned first; then the output is the whole identity
photo with only its hair replaced. Given aligned crops, the output has the
identity crop's size (resampled from the generator's resolution when they
differ; --dump keeps result.npy at the generator's).

  --*-mask M      a hair mask (hair = value >= 128) replacing the parser's for that image,
                  or for the target mask
  --dump DIR      also write the intermediate values as float32 .npy: wplus_, F_, S_ and
                  labels_<role> (the parser's labels after any --*-mask) for identity,
                  structure, appearance; initial_target (inpainted, before the GAN rounds),
                  target_round1, target_labels, fmix, blend_u, result
  --preview DIR   also write the result as it forms, each file whole when it appears (made
                  under a temporary name, then renamed), numbered from 01, at the output's
                  size: DIR/NN-layout.png (the identity image with the new hair region
                  tinted, before anything is generated), NN-shape.png (after alignment, the
                  new hair shape), NN-colour.png (during blending, every few steps) and
                  NN-final.png, the same image as --out
)") + kTransferOptionsHelp + R"(Ctrl-C stops at the next step without writing anything (exit code 130).
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

ImageBuffer optional_mask(const Args& args, const std::string& option) {
  auto path = args.get(option);
  return path ? read_mask_buffer(*path) : ImageBuffer();
}

// --preview DIR: made before anything loads, so a folder that cannot be
// made fails at once.
std::string preview_folder(const Args& args) {
  const std::string dir = args.get_or("preview", "");
  if (dir.empty()) return dir;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error || !std::filesystem::is_directory(dir))
    throw Error("cannot make the preview folder " + dir + (error ? " (" + error.message() + ")" : "") +
                "; give a folder you can write (--preview)");
  check_image_output(dir + "/01-layout.png");
  return dir;
}

// DIR/01-layout.png, DIR/02-shape.png, ...
std::string preview_file(const std::string& dir, int number, const Preview& preview) {
  char name[16];
  std::snprintf(name, sizeof name, "%02d-", number);
  return dir + "/" + name + moment_name(preview.moment) + ".png";
}

int run(const Args& args) {
  const std::string out = args.required("out");
  const TransferOptions options = transfer_options_from(args);
  check_options(options);  // a wrong setting is named before the images are read
  TransferImages images{read_image_buffer(args.required("identity")), read_image_buffer(args.required("structure")),
                        read_image_buffer(args.required("appearance")), optional_mask(args, "identity-mask"),
                        optional_mask(args, "structure-mask"), optional_mask(args, "appearance-mask"),
                        optional_mask(args, "target-mask")};
  check_inputs(options, images, out);
  const std::string previews = preview_folder(args);
  const Engine engine(options);
  engine.load();

  ProgressPrinter printer;
  std::signal(SIGINT, on_interrupt);
  Progress progress([&](const std::string& stage, int step, int total) { printer(stage, step, total); },
                    &g_cancel, [](const std::string& message) { std::cerr << "barbershop: warning: " << message << "\n"; });
  int previews_written = 0;
  if (!previews.empty())
    progress.show_previews([&](const Preview& preview) {
      write_image_buffer(preview_file(previews, ++previews_written, preview), preview.image);
    });
  try {
    const TransferResult result = engine.transfer(images, progress);
    printer.finish();
    if (result.stopped)
      std::cerr << "barbershop: the time limit (" << options.time_limit << " s) stopped the transfer at "
                << result.stopped->text() << "; the output is the composite made by then\n";
    if (auto dump = args.get("dump")) write_intermediates(result, *dump);
    write_image_buffer(out, result.image);
  } catch (const Cancelled&) {
    printer.finish();
    std::cerr << "barbershop: cancelled; nothing was written\n";
    return kExitCancelled;
  }
  return 0;
}

}  // namespace

const Command transfer_command{"transfer", kUsage,
                               with_transfer_options({"identity", "structure", "appearance", "out", "identity-mask",
                                                      "structure-mask", "appearance-mask", "target-mask", "dump", "preview"}),
                               {"no-cache"},
                               &run};

}  // namespace barbershop::cli
