#include "plugin/engine_bridge.h"

#include <ATen/ATen.h>

#include <filesystem>

#include "engine/device.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/ops/lanczos.h"
#include "engine/photo/photo_transfer.h"
#include "engine/pipeline/barbershop.h"
#include "engine/pipeline/hair_mask.h"
#include "engine/pipeline/models.h"
#include "engine/weights/catalogue.h"
#include "engine/weights/download.h"

namespace barbershop::plugin {
namespace {

at::Tensor image_of(const Pixels& pixels) { return image_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width); }

at::Tensor mask_of(const Pixels& pixels) {
  return pixels.empty() ? at::Tensor() : mask_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width);
}

Pixels pixels_of(const at::Tensor& image) {
  return {static_cast<int>(image.size(2)), static_cast<int>(image.size(1)), rgb8_from_image(image)};
}

TransferSettings settings_of(const TransferJob& job) {
  if (job.preset < 0 || job.preset > 1) throw Error("preset must be 0 (paper) or 1 (fast)");
  if (job.mode < 0 || job.mode > 1) throw Error("mode must be 0 (realistic) or 1 (fidelity)");
  if (job.smooth < 0) throw Error("smooth must be 0 or more");
  TransferSettings settings;
  settings.steps = resolve_steps(job.preset == 0 ? Preset::Paper : Preset::Fast, "");
  settings.mode = job.mode == 0 ? TargetMode::Realistic : TargetMode::Fidelity;
  settings.smooth = job.smooth;
  settings.noise = job.seed == 0 ? NoiseMode::Stored : NoiseMode::Random;
  settings.seed = static_cast<uint64_t>(static_cast<uint32_t>(job.seed));
  settings.cache_dir = default_cache_dir();
  return settings;
}

// What run_transfer needs before it loads the networks.
struct CheckedJob {
  TransferSettings settings;
  WeightFiles weights;
};

// Everything that can be checked without the networks, in the order a user
// fixes things: the layers, the settings, the weights folder.
CheckedJob checked(const TransferJob& job) {
  check_photo(image_of(job.identity), "identity");
  check_photo(image_of(job.structure), "structure");
  check_photo(image_of(job.appearance), "appearance");
  TransferSettings settings = settings_of(job);
  const std::string generator = job.generator.empty() ? "" : job.weights_dir + "/" + job.generator;
  return {std::move(settings), find_weight_files(job.weights_dir, generator)};
}

PhotoOptions photo_options_of(const TransferJob& job) {
  PhotoOptions options;
  if (const auto& area = job.identity_face_area)
    options.identity_face.within = FaceBox{static_cast<double>(area->x), static_cast<double>(area->y),
                                           static_cast<double>(area->x + area->width),
                                           static_cast<double>(area->y + area->height)};
  return options;
}

}  // namespace

Pixels run_transfer(const TransferJob& job, const StageProgress& progress, const Warning& warn) {
  const CheckedJob checked_job = checked(job);
  use_all_cpu_cores();
  const TransferSettings& settings = checked_job.settings;
  const TransferImages images{image_of(job.identity),      image_of(job.structure),     image_of(job.appearance),
                              mask_of(job.identity_mask),  mask_of(job.structure_mask), mask_of(job.appearance_mask),
                              mask_of(job.target_mask)};
  const Models models = load_models(checked_job.weights, parse_device("auto"), settings.cache_dir);
  const Progress engine_progress(
      [&](const std::string& stage, int step, int total) { progress(stage, static_cast<double>(step) / total); },
      nullptr, warn);
  at::Tensor result = transfer_photos(models, images, settings, engine_progress, photo_options_of(job)).image;
  // An aligned crop comes back at the generator's size: back to the layer's,
  // resampled as the inputs were.
  if (result.size(1) != job.identity.height || result.size(2) != job.identity.width)
    result = lanczos_resize(result.unsqueeze(0), job.identity.height, job.identity.width)[0];
  return pixels_of(result);
}

Pixels run_hair_mask(const Pixels& face, const std::string& weights_dir) {
  const at::Tensor image = image_of(face);
  check_face_crop(image, "face");  // before the parser loads
  use_all_cpu_cores();
  const FaceParser parser = FaceParser::load(find_weight_files(weights_dir).parser, parse_device("auto"));
  const at::Tensor hair = hair_mask(parser, image);
  return pixels_of(hair.mul(2).sub(1).unsqueeze(0).expand({3, -1, -1}));
}

std::string default_weights_folder() { return default_weights_dir(); }

std::vector<WeightFileStatus> weight_files_in(const std::string& dir) {
  std::vector<WeightFileStatus> status;
  for (const std::string& name : official_weight_names())
    status.push_back({name, std::filesystem::is_regular_file(std::filesystem::path(dir) / name)});
  return status;
}

std::vector<std::string> generator_files_in(const std::string& dir) { return weights::generator_files_in(dir); }

DownloadSummary download_missing_weights(const std::string& dir, const std::string& url_base,
                                         const DownloadStep& progress) {
  weights::DownloadRequest request;
  request.dir = dir;
  request.url_base = url_base.empty() ? weights::default_url_base() : url_base;
  const auto results = weights::download_weights(request, [&](const std::string& name, uint64_t done, uint64_t total) {
    return progress(name, total ? static_cast<double>(done) / total : -1.0);
  });
  DownloadSummary summary;
  for (const auto& result : results) {
    if (result.outcome == weights::FileResult::Outcome::Downloaded) summary.downloaded.push_back(result.name);
    if (result.outcome == weights::FileResult::Outcome::Failed) summary.failures.push_back(result.message);
  }
  return summary;
}

}  // namespace barbershop::plugin
