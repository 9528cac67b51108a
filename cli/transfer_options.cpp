#include "cli/transfer_options.h"

#include <cmath>
#include <cstdlib>

#include "engine/error.h"

namespace barbershop::cli {

const char kTransferOptionsHelp[] = R"(  --weights DIR   folder with ffhq.pt, seg.pth, vgg16-397923af.pth, vgg.pth
                  (default: $BARBERSHOP_WEIGHTS, else ~/.local/share/barbershop/weights)
  --generator G   another generator checkpoint in the same layout
  --preset        paper (1100/250/80/140/100/400 steps) or fast (250/80/30/40/30/100)
  --steps         override step counts; $BARBERSHOP_STEPS overrides everything
  --mode          target mask mode (default realistic)
  --smooth N      dilation/erosion of the alignment masks (default 5)
  --seed N        0 (default): the generator's stored noise, deterministic; 1 to 2147483647:
                  random noise drawn from that seed (the same image again for the same seed)
  --cache DIR     embedding cache (default ~/.cache/barbershop); --no-cache: none
  --align MODE    auto (default): align each image that is not already an FFHQ-aligned crop
                  of its face; off: take the images as they are (square aligned crops)
  --face-index N  which face of the identity photo, numbered by size: 0 (default) is the largest
  --time-limit S  stop after S seconds (0, the default: no limit) and keep the latest generated
                  composite as the result, or the first one (after alignment) when none exists
                  by then; exit code 0, and stderr says where it stopped. In a batch: per job
)";

namespace {

// Seconds as a plain number, 0 or more.
double seconds_of(const Args& args, const std::string& name) {
  const std::optional<std::string> text = args.get(name);
  if (!text) return 0;
  char* end = nullptr;
  const double seconds = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !(seconds >= 0) || !std::isfinite(seconds))
    throw Error("--" + name + " takes seconds, a number 0 or more (0: no limit), e.g. 600; not '" + *text + "'");
  return seconds;
}

}  // namespace

TransferOptions transfer_options_from(const Args& args) {
  TransferOptions options;
  options.preset = parse_preset(args.get_or("preset", "paper"));
  options.steps = args.get_or("steps", "");
  options.mode = parse_target_mode(args.get_or("mode", "realistic"));
  options.smooth = static_cast<int>(args.integer("smooth", 5));
  options.seed = args.integer("seed", 0);  // its range: the engine's check_options
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
  options.time_limit = seconds_of(args, "time-limit");
  return options;
}

std::set<std::string> with_transfer_options(std::set<std::string> names) {
  names.insert({"weights", "generator", "preset", "steps", "mode", "smooth", "seed", "device", "cache",
                "align", "face-index", "time-limit"});
  return names;
}

}  // namespace barbershop::cli
