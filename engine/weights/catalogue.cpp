#include "engine/weights/catalogue.h"

#include <algorithm>
#include <filesystem>

#include "engine/error.h"

namespace barbershop::weights {
namespace {

// Google Drive files of the Barbershop project (its utils/model_utils.py
// names them); the direct-download form of a Drive link.
std::string drive(const std::string& id) { return "https://drive.google.com/uc?export=download&id=" + id; }

const char kBarbershopProject[] = "the Barbershop project's Google Drive";

}  // namespace

const std::vector<CatalogueEntry>& catalogue() {
  static const std::vector<CatalogueEntry> entries{
      {"ffhq.pt", Role::Generator, drive("1AT6bNR2ppK8f2ETL_evT27f3R_oyWNHS"), kBarbershopProject, true},
      {"seg.pth", Role::Parser, drive("1lIKvQaFKHT5zC7uS4p17O9ZpfwmwlS62"), kBarbershopProject, true},
      {"vgg16-397923af.pth", Role::Vgg16, "https://download.pytorch.org/models/vgg16-397923af.pth", "torchvision",
       true},
      {"vgg.pth", Role::Lpips,
       "https://raw.githubusercontent.com/richzhang/PerceptualSimilarity/master/lpips/weights/v0.1/vgg.pth",
       "the LPIPS project (richzhang/PerceptualSimilarity)", true},
      {"afhqcat.pt", Role::Generator, drive("1HXLER5R3EMI8DSYDBZafoqpX4EtyOf2R"), kBarbershopProject, false},
      {"afhqdog.pt", Role::Generator, drive("16v6jPtKVlvq8rg2Sdi3-R9qZEVDgvvEA"), kBarbershopProject, false},
      {"afhqwild.pt", Role::Generator, drive("14OnzO4QWaAytKXVqcfWo_o2MzoR4ygnr"), kBarbershopProject, false},
      {"metfaces.pt", Role::Generator, drive("16wM2PwVWzaMsRgPExvRGsq6BWw_muKbf"), kBarbershopProject, false},
  };
  return entries;
}

const CatalogueEntry& catalogue_entry(const std::string& name) {
  std::string known;
  for (const CatalogueEntry& entry : catalogue()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw Error("unknown weights file '" + name + "'; the known ones are " + known);
}

std::vector<std::string> required_names() {
  std::vector<std::string> names;
  for (const CatalogueEntry& entry : catalogue())
    if (entry.required) names.push_back(entry.name);
  return names;
}

std::vector<std::string> generator_files_in(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> known, others;
  for (const CatalogueEntry& entry : catalogue()) {
    std::error_code error;
    if (entry.role == Role::Generator && fs::is_regular_file(fs::path(dir) / entry.name, error))
      known.push_back(entry.name);
  }
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    std::error_code stat_error;
    if (it->path().extension() == ".pt" && it->is_regular_file(stat_error) &&
        std::find(known.begin(), known.end(), name) == known.end())
      others.push_back(name);
  }
  std::sort(others.begin(), others.end());
  known.insert(known.end(), others.begin(), others.end());
  return known;
}

std::string source_url(const CatalogueEntry& entry, const std::string& url_base) {
  if (url_base.empty()) return entry.official_url;
  const bool ends_with_slash = url_base.back() == '/';
  return url_base + (ends_with_slash ? "" : "/") + entry.name;
}

}  // namespace barbershop::weights
