#include "plugin/common/engine_bridge.h"

#include "engine/barbershop.h"
#include "engine/image_buffer.h"

namespace barbershop::plugin {
namespace {

ImageBuffer image_of(const Pixels& pixels) { return buffer_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width); }

ImageBuffer mask_of(const Pixels& pixels) {
  return pixels.empty() ? ImageBuffer() : mask_buffer_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width);
}

Pixels pixels_of(const ImageBuffer& image) {
  return {static_cast<int>(image.width), static_cast<int>(image.height), rgb8_from_buffer(image)};
}

// A mask (1 channel, 0 or 1) as grey RGB pixels: hair white, the rest black.
Pixels pixels_of_mask(const ImageBuffer& mask) {
  ImageBuffer grey{mask.width, mask.height, 3, {}};
  grey.values.reserve(mask.values.size() * 3);
  for (const float value : mask.values) grey.values.insert(grey.values.end(), 3, value);
  return pixels_of(grey);
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

// The host's Progress: its stage callback, and with `controls` the cancel
// flag, the stop flag and previews captioned by `caption_prefix()`.
Progress engine_progress(const StageProgress& progress, const Warning& warn, RunControls* controls,
                         const std::function<std::string()>& caption_prefix) {
  Progress engine_progress([progress](const std::string& stage, int step,
                                      int total) { progress(stage, static_cast<double>(step) / total); },
                           controls ? &controls->cancel : nullptr, warn);
  if (!controls) return engine_progress;
  engine_progress.stop_and_keep(&controls->stop);
  if (controls->preview)
    engine_progress.show_previews(
        [controls, caption_prefix](const Preview& preview) {
          controls->preview(pixels_of(preview.image),
                            caption_prefix() + moment_name(preview.moment) + ", " + preview.at.text());
        },
        controls->preview_interval);
  return engine_progress;
}

}  // namespace

void run_styles(const StylesJob& job, const StageProgress& progress, const Warning& warn, const StyleDone& done,
                RunControls* controls) {
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
                           [&, k](const TransferResult& result) { results[k] = pixels_of(result.image); },
                           std::nullopt});  // every style the options' seed
  const auto style_text = [&] { return style_progress_text(current + 1, count) + ": "; };
  const Progress styles_progress = engine_progress(
      [&](const std::string& stage, double fraction) { progress(style_text() + stage, fraction); }, warn, controls,
      style_text);
  // After a stop the style being made is kept (or fails, with nothing to
  // keep yet) and the run ends there: the next style is cancelled at once.
  bool stopped_here = false;
  try {
    engine.transfer_each(engine_jobs, styles_progress, [&](size_t k, const JobOutcome& outcome) {
      if (outcome.ok) {
        done(k, &results[k], "", outcome.stopped);
        results[k] = Pixels();  // the host has it now
      } else {
        done(k, nullptr, outcome.error, std::nullopt);
      }
      if (controls && controls->stop.load() && !controls->cancel.load()) {
        stopped_here = true;
        controls->cancel = true;
      }
    });
  } catch (const Cancelled&) {
    if (!stopped_here) throw;
  }
}

TransferOutcome run_transfer(const TransferJob& job, const StageProgress& progress, const Warning& warn,
                             RunControls* controls) {
  const TransferImages images{image_of(job.identity),      image_of(job.structure),     image_of(job.appearance),
                              mask_of(job.identity_mask),  mask_of(job.structure_mask), mask_of(job.appearance_mask),
                              mask_of(job.target_mask)};
  check_inputs(job.options, images);
  const Engine engine(job.options);
  const TransferResult result =
      engine.transfer(images, engine_progress(progress, warn, controls, [] { return std::string(); }));
  return {pixels_of(result.image), result.stopped};
}

Pixels run_hair_mask(const Pixels& face, const TransferOptions& options, const Warning& warn) {
  const Engine engine(options);
  return pixels_of_mask(engine.hair_mask(image_of(face), Progress(nullptr, nullptr, warn)));
}

}  // namespace barbershop::plugin
