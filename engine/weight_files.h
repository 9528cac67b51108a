#pragma once
// Where the four weight files are and what they are called. A door header
// (plain types, no LibTorch header), so hosts can list and check a weights
// folder without LibTorch.
#include <string>
#include <vector>

namespace barbershop {

struct WeightFiles {
  std::string generator;  // ffhq.pt (or another rosinality-layout checkpoint)
  std::string parser;     // seg.pth
  std::string vgg16;      // vgg16-397923af.pth
  std::string lpips;      // vgg.pth
};

// $BARBERSHOP_WEIGHTS, else ~/.local/share/barbershop/weights.
std::string default_weights_dir();
// Cache folder for embeddings and the PCA prior: $XDG_CACHE_HOME/barbershop,
// else ~/.cache/barbershop.
std::string default_cache_dir();

// The official file names a weights folder holds, in WeightFiles' order:
// ffhq.pt, seg.pth, vgg16-397923af.pth, vgg.pth.
std::vector<std::string> official_weight_names();

// The official file names in `dir` (`generator` overrides ffhq.pt). Throws
// barbershop::Error listing every missing file, its size and where users
// get it, and the folder searched.
WeightFiles find_weight_files(const std::string& dir, const std::string& generator = "");

}  // namespace barbershop
