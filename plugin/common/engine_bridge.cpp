#include "plugin/common/engine_bridge.h"

#include <ATen/ATen.h>

#include "engine/barbershop.h"
#include "engine/io/image.h"

namespace barbershop::plugin {
namespace {

at::Tensor image_of(const Pixels& pixels) { return image_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width); }

at::Tensor mask_of(const Pixels& pixels) {
  return pixels.empty() ? at::Tensor() : mask_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width);
}

Pixels pixels_of(const at::Tensor& image) {
  return {static_cast<int>(image.size(2)), static_cast<int>(image.size(1)), rgb8_from_image(image)};
}

TransferImages style_images(const StylesJob& job, const StylePair& style) {
  return {image_of(job.identity),
          image_of(job.structures.at(style.structure)),
          image_of(job.appearances.at(style.appearance)),
          mask_of(job.identity_mask),
          mask_of(job.structure_mask),
          mask_of(job.appearance_mask),
          mask_of(job.target_mask)};
}

}  // namespace

void run_styles(const StylesJob& job, const StageProgress& progress, const Warning& warn, const StyleDone& done) {
  for (const StylePair& style : job.styles) check_inputs(job.options, style_images(job, style));
  const Engine engine(job.options);
  size_t current = 0;  // the style whose turn it is, for the progress text
  const size_t count = job.styles.size();
  std::vector<Pixels> results(count);
  std::vector<barbershop::TransferJob> engine_jobs;
  for (size_t k = 0; k < count; ++k)
    engine_jobs.push_back({[&, k] {
                             current = k;
                             return style_images(job, job.styles[k]);
                           },
                           [&, k](const TransferResult& result) { results[k] = pixels_of(result.image); }});
  const Progress engine_progress(
      [&](const std::string& stage, int step, int total) {
        progress(style_progress_text(current + 1, count) + ": " + stage, static_cast<double>(step) / total);
      },
      nullptr, warn);
  engine.transfer_each(engine_jobs, engine_progress, [&](size_t k, const JobOutcome& outcome) {
    if (outcome.ok) {
      done(k, &results[k], "");
      results[k] = Pixels();  // the host has it now
    } else {
      done(k, nullptr, outcome.error);
    }
  });
}

Pixels run_transfer(const TransferJob& job, const StageProgress& progress, const Warning& warn) {
  const TransferImages images{image_of(job.identity),      image_of(job.structure),     image_of(job.appearance),
                              mask_of(job.identity_mask),  mask_of(job.structure_mask), mask_of(job.appearance_mask),
                              mask_of(job.target_mask)};
  check_inputs(job.options, images);
  const Engine engine(job.options);
  const Progress engine_progress(
      [&](const std::string& stage, int step, int total) { progress(stage, static_cast<double>(step) / total); },
      nullptr, warn);
  return pixels_of(engine.transfer(images, engine_progress).image);
}

Pixels run_hair_mask(const Pixels& face, const TransferOptions& options, const Warning& warn) {
  const Engine engine(options);
  const at::Tensor hair = engine.hair_mask(image_of(face), Progress(nullptr, nullptr, warn));
  return pixels_of(hair.mul(2).sub(1).unsqueeze(0).expand({3, -1, -1}));
}

}  // namespace barbershop::plugin
