// `barbershop weights download`: fetches the weights files a transfer needs
// (or other generators by name) from their publishers or a mirror, checks
// each with the engine's own reader and records it in DIR/manifest.json
// (engine/tools.h).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "engine/error.h"
#include "engine/tools.h"
#include "engine/weight_files.h"

namespace barbershop::cli {
namespace {

constexpr int kExitSomeFailed = 1;

const char kUsage[] = R"(usage: barbershop weights download [--weights DIR] [--from URL] [--replace] [FILE...]

Downloads the weights files that are missing (or unusable) in DIR: by
default the four a transfer needs, ffhq.pt, seg.pth, vgg16-397923af.pth and
vgg.pth; name others to fetch them too (afhqcat.pt, afhqdog.pt, afhqwild.pt,
metfaces.pt: the Barbershop project's other generators). Each file is
downloaded as FILE.part (resumed where an earlier run stopped), checked by
loading it as the engine does, and only then renamed into place and
recorded, with its sha256 and size, in DIR/manifest.json. A file that fails
the check is not installed; the file already there is kept.

  --weights DIR   the weights folder (default: $BARBERSHOP_WEIGHTS, else
                  ~/.local/share/barbershop/weights)
  --from URL      fetch each file from URL/FILE (a mirror) instead of the
                  official addresses (default: $BARBERSHOP_WEIGHTS_URL_BASE)
  --replace       download named files even when a usable one is there

Official addresses:
)";

std::string usage_with_addresses() {
  std::string text = kUsage;
  for (const tools::WeightsCatalogueEntry& entry : tools::weights_catalogue())
    text += "  " + entry.name + "  " + entry.official_url + "\n";
  text += "\nExit code 0 when every file is there, 1 when one could not be had.\n";
  return text;
}

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  return text;
}

// A one-line bar redrawn in place on a terminal; silent when stderr is a
// file or pipe, where the result lines say all.
class ProgressBar {
 public:
  bool operator()(const std::string& name, uint64_t done, uint64_t total) {
    if (!on_terminal_) return true;
    const int percent = total ? static_cast<int>(100 * done / total) : -1;
    if (name == name_ && percent == percent_ && total) return true;
    name_ = name;
    percent_ = percent;
    const int filled = percent < 0 ? 0 : percent / 5;
    std::fprintf(stderr, "\r  %-20s [%-20s] %3d%%  %s", name.c_str(), std::string(filled, '#').c_str(),
                 percent < 0 ? 0 : percent, megabytes(done).c_str());
    std::fflush(stderr);
    return true;
  }
  void end_line() {
    if (on_terminal_ && !name_.empty()) std::fprintf(stderr, "\n");
    name_.clear();
  }

 private:
  bool on_terminal_ = ::isatty(STDERR_FILENO);
  std::string name_;
  int percent_ = -2;
};

void report(const tools::WeightsDownloadResult& result, const std::string& dir) {
  using Outcome = tools::WeightsDownloadResult::Outcome;
  if (result.outcome == Outcome::AlreadyThere)
    std::cout << result.name << ": already in " << dir << "\n";
  else if (result.outcome == Outcome::Downloaded)
    std::cout << result.name << ": downloaded, " << result.size << " bytes, sha256 " << result.sha256
              << ", checked\n";
  else
    std::cerr << "barbershop: error: " << result.message << "\n";
}

int download(const Args& args) {
  tools::WeightsDownloadRequest request;
  request.dir = args.get_or("weights", "");
  request.names = {args.positional().begin() + 1, args.positional().end()};
  request.url_base = args.get_or("from", "");
  request.replace = args.flag("replace");

  ProgressBar bar;
  std::vector<tools::WeightsDownloadResult> results;
  try {
    results = tools::download_weights(request, std::ref(bar));
  } catch (...) {
    bar.end_line();
    throw;
  }
  bar.end_line();
  bool all_there = true;
  for (const auto& result : results) {
    report(result, request.dir.empty() ? default_weights_dir() : request.dir);
    all_there = all_there && result.outcome != tools::WeightsDownloadResult::Outcome::Failed;
  }
  return all_there ? 0 : kExitSomeFailed;
}

int run(const Args& args) {
  if (args.positional().empty() || args.positional().front() != "download")
    throw Error("`barbershop weights` needs the action `download`; see `barbershop weights --help`");
  return download(args);
}

}  // namespace

const Command weights_command{"weights", usage_with_addresses(), {"weights", "from"}, {"replace"}, &run};

}  // namespace barbershop::cli
