// `barbershop weights download` (engine/tools.h): the catalogue and the
// downloader of engine/weights/, in the door's plain types.
#include "engine/tools.h"

#include "engine/weight_files.h"
#include "engine/weights/catalogue.h"
#include "engine/weights/download.h"

namespace barbershop::tools {
namespace {

WeightsDownloadResult plain(const weights::FileResult& result) {
  using Outcome = weights::FileResult::Outcome;
  WeightsDownloadResult plain;
  plain.name = result.name;
  plain.outcome = result.outcome == Outcome::AlreadyThere ? WeightsDownloadResult::Outcome::AlreadyThere
                  : result.outcome == Outcome::Downloaded ? WeightsDownloadResult::Outcome::Downloaded
                                                          : WeightsDownloadResult::Outcome::Failed;
  plain.size = result.record.size;
  plain.sha256 = result.record.sha256;
  plain.message = result.message;
  return plain;
}

}  // namespace

std::vector<WeightsCatalogueEntry> weights_catalogue() {
  std::vector<WeightsCatalogueEntry> entries;
  for (const weights::CatalogueEntry& entry : weights::catalogue()) entries.push_back({entry.name, entry.official_url});
  return entries;
}

std::string default_weights_url_base() { return weights::default_url_base(); }

std::vector<WeightsDownloadResult> download_weights(const WeightsDownloadRequest& request,
                                                    const WeightsDownloadStep& progress) {
  weights::DownloadRequest inner;
  inner.dir = request.dir.empty() ? default_weights_dir() : request.dir;
  inner.names = request.names;
  inner.url_base = request.url_base.empty() ? weights::default_url_base() : request.url_base;
  inner.replace = request.replace;
  for (const std::string& name : inner.names) weights::catalogue_entry(name);  // a typo fails before any download
  std::vector<WeightsDownloadResult> results;
  for (const weights::FileResult& result : weights::download_weights(inner, progress)) results.push_back(plain(result));
  return results;
}

}  // namespace barbershop::tools
