// `barbershop doctor`: what a transfer would run with, for bug reports and
// setup (engine/tools.h).
#include <iostream>

#include "cli/commands.h"
#include "engine/error.h"
#include "engine/tools.h"

namespace barbershop::cli {
namespace {

const char kUsage[] = R"(usage: barbershop doctor [--weights DIR] [--generator G] [--cache DIR]

Lists what `barbershop transfer` would run with: each weights file, found,
missing or damaged (it does not load as the engine loads it), with its size,
sha256 and whether that matches DIR/manifest.json (written by `barbershop
weights download`); the device; the LibTorch version; whether LibTorch's
CUDA part is loaded, or why not and what to install; the thread count; the
size of the cache folder. Reads files only, changes nothing.
Exit code 0 when every weights file is there and loads, 1 otherwise.

  --weights DIR   folder with ffhq.pt, seg.pth, vgg16-397923af.pth, vgg.pth
                  (default: $BARBERSHOP_WEIGHTS, else ~/.local/share/barbershop/weights)
  --generator G   another generator checkpoint in place of ffhq.pt
  --cache DIR     embedding cache (default: $XDG_CACHE_HOME/barbershop, else ~/.cache/barbershop)

A file named like torchvision's downloads, <name>-<hex>.pth, should have a
sha256 starting with <hex>; a mismatch is a warning (the random-weight test
files use the official names), not an error.
)";

constexpr int kExitSomethingMissing = 1;

int run(const Args& args) {
  tools::DoctorRequest request;
  request.weights_dir = args.get_or("weights", "");
  request.generator = args.get_or("generator", "");
  request.cache_dir = args.get_or("cache", "");
  return tools::doctor(request, std::cout) ? 0 : kExitSomethingMissing;
}

}  // namespace

const Command doctor_command{"doctor", kUsage, {"weights", "generator", "cache"}, {}, &run};

}  // namespace barbershop::cli
