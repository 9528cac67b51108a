#pragma once
// The weights files the engine knows by name: what each is for and where its
// publisher serves it. Plain data, no LibTorch, so hosts can list and
// describe files cheaply.
#include <string>
#include <vector>

namespace barbershop::weights {

enum class Role { Generator, Parser, Vgg16, Lpips };

struct CatalogueEntry {
  std::string name;          // file name in the weights folder, e.g. "ffhq.pt"
  Role role;
  std::string official_url;  // the publisher's own address
  std::string publisher;     // who publishes it, for messages
  bool required;             // one of the four a transfer needs
};

// Every known file: the four a transfer needs first (ffhq.pt, seg.pth,
// vgg16-397923af.pth, vgg.pth), then the other generators of the
// Barbershop project (afhqcat.pt, afhqdog.pt, afhqwild.pt, metfaces.pt).
const std::vector<CatalogueEntry>& catalogue();

// The entry named `name`; throws barbershop::Error listing the known names.
const CatalogueEntry& catalogue_entry(const std::string& name);

// The four files a transfer needs, in catalogue order.
std::vector<std::string> required_names();

// Generator files in `dir`: the catalogue's generators that are present,
// then any other *.pt file, sorted; ffhq.pt first when present.
std::vector<std::string> generator_files_in(const std::string& dir);

// Where `name` is fetched from: `url_base` + "/" + name when `url_base` is
// not empty (a mirror, or a test server), else the official address.
std::string source_url(const CatalogueEntry& entry, const std::string& url_base);

}  // namespace barbershop::weights
