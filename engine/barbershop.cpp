#include "engine/barbershop.h"

#include <ATen/ATen.h>
#include <torch/torch.h>

#include <c10/util/Exception.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "engine/device.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/image_tensor.h"
#include "engine/io/npy.h"
#include "engine/ops/lanczos.h"
#include "engine/photo/ffhq_align.h"
#include "engine/photo/photo_transfer.h"
#include "engine/pipeline/hair_mask.h"
#include "engine/pipeline/images.h"
#include "engine/pipeline/models.h"
#include "engine/pipeline/progress.h"
#include "engine/weights/catalogue.h"
#include "engine/weights/download.h"
#include "engine/weights/manifest.h"
#include "engine/pipeline/speed.h"

namespace barbershop {
namespace {

const char* const kRoles[] = {"identity", "structure", "appearance"};

void use_seed(TransferSettings& settings, int64_t seed) {
  settings.noise = noise_of_seed(seed);
  settings.seed = static_cast<uint64_t>(seed);
}

TransferSettings settings_of(const TransferOptions& options) {
  TransferSettings settings;
  settings.steps = resolve_steps(options.preset, options.steps);
  settings.mode = options.mode;
  settings.smooth = options.smooth;
  use_seed(settings, options.seed);
  if (options.use_cache) settings.cache_dir = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
  settings.embedding_batch = options.embedding_batch;
  settings.speed = options.speed;
  return settings;
}

FaceChoice face_choice_of(const TransferOptions& options) {
  FaceChoice choice;
  choice.index = options.face_index;
  if (const auto& area = options.face_area) choice.within = FaceBox{area->left, area->top, area->right, area->bottom};
  return choice;
}

PhotoOptions photo_options_of(const TransferOptions& options) {
  PhotoOptions photo;
  photo.align = options.align;
  photo.identity_face = face_choice_of(options);
  return photo;
}

bool is_square(const at::Tensor& image) { return image.size(1) == image.size(2); }

// The door's images as the engine's tensors ([3,H,W] in [-1,1], masks [H,W]).
TransferTensors tensors_of(const TransferImages& images) {
  return {tensor_of_image(images.identity),      tensor_of_image(images.structure),
          tensor_of_image(images.appearance),    tensor_of_mask(images.identity_hair),
          tensor_of_mask(images.structure_hair), tensor_of_mask(images.appearance_hair),
          tensor_of_mask(images.target_hair)};
}

// A buffer's shape [C,H,W] as a tensor without data (LibTorch's meta
// device), for the checks that look only at shapes; empty: undefined.
at::Tensor shape_of(const ImageBuffer& image) {
  if (image.empty()) return {};
  const auto no_data = at::TensorOptions().device(c10::Device(c10::DeviceType::Meta));
  return at::empty({image.channels, image.height, image.width}, no_data);
}

// A folder of its own in the system's temporary folder, removed with it.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "barbershop-run-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw Error("cannot make a folder in " + std::filesystem::temp_directory_path().string() +
                  " for this run's embeddings; free space there or give a cache folder", "cache_dir");
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};
void check_speed(const SpeedOptions& speed) {
  if (speed.memory_cap_mb < 0)
    throw Error("the memory cap takes 0 (none) or more MiB, not " + std::to_string(speed.memory_cap_mb), "speed");
}

}  // namespace

void check_options(const TransferOptions& options) {
  resolve_steps(options.preset, options.steps);  // throws naming a bad entry
  if (options.smooth < 0)
    throw Error("smoothing takes 0 or more iterations, not " + std::to_string(options.smooth), "smooth");
  noise_of_seed(options.seed);  // throws for a seed out of range
  if (options.face_index < 0)
    throw Error("faces are numbered from 0 (the largest), not " + std::to_string(options.face_index), "face_index");
  if (options.align == AlignMode::Off && (options.face_index != 0 || options.face_area))
    throw Error("a face of the identity image was chosen, but alignment is off, so no face is looked for; "
                "turn alignment on or leave the face choice out",
                "face_index");
  if (options.embedding_batch < 0)
    throw Error("the embedding batch takes 0 (automatic) or more, not " + std::to_string(options.embedding_batch),
                "embedding_batch");
  check_speed(options.speed);
  if (!(options.time_limit >= 0) || !std::isfinite(options.time_limit))
    throw Error("the time limit takes 0 (none) or more seconds, not " + std::to_string(options.time_limit),
                "time_limit");
  parse_device(options.device);  // throws for an unknown or absent device
}

void check_inputs(const TransferOptions& options, const TransferImages& images, const std::string& output) {
  check_options(options);
  const ImageBuffer* role_images[] = {&images.identity, &images.structure, &images.appearance};
  for (int i = 0; i < 3; ++i) {
    if (options.align == AlignMode::Off)
      check_face_crop(shape_of(*role_images[i]), kRoles[i]);
    else
      check_photo(shape_of(*role_images[i]), kRoles[i]);
  }
  if (!output.empty()) check_image_output(output);
}

void write_intermediates(const TransferResult& result, const std::string& dir) {
  if (!result.intermediates) return;
  std::filesystem::create_directories(dir);
  for (const auto& [name, tensor] : result.intermediates->tensors) write_npy(dir + "/" + name + ".npy", tensor);
}

std::vector<WeightFileStatus> weight_files_in(const std::string& dir) {
  weights::Manifest manifest;
  try {
    manifest = weights::read_manifest(dir);
  } catch (const Error&) {
    // An unreadable manifest says nothing about the files themselves.
  }
  std::vector<WeightFileStatus> status;
  for (const std::string& name : official_weight_names()) {
    const std::filesystem::path path = std::filesystem::path(dir) / name;
    std::error_code no_file;
    const auto size = std::filesystem::file_size(path, no_file);
    const bool found = !no_file && std::filesystem::is_regular_file(path);
    const auto record = manifest.find(name);
    status.push_back({name, found, found && record != manifest.end() && record->second.size != size});
  }
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

struct Engine::State {
  TransferOptions options;
  TransferSettings settings;
  WeightFiles weights;
  c10::Device device = c10::kCPU;
  mutable std::optional<Models> models;
  mutable std::optional<FaceParser> parser;  // when only the parser was needed

  const Models& loaded() const {
    if (!models) {
      models = load_models(weights, device, settings.cache_dir);
      if (settings.speed.channels_last) set_memory_format(*models, true);
    }
    return *models;
  }
  const FaceParser& face_parser() const {
    if (models) return models->parser;
    if (!parser) parser = FaceParser::load(weights.parser, device);
    return *parser;
  }
  at::Tensor hair_mask(const at::Tensor& image, const Progress& progress) const;
};

Engine::Engine(const TransferOptions& options) : state_(std::make_unique<State>()) {
  check_options(options);
  use_all_cpu_cores();
  state_->options = options;
  state_->settings = settings_of(options);
  state_->weights =
      find_weight_files(options.weights_dir.empty() ? default_weights_dir() : options.weights_dir, options.generator);
  state_->device = parse_device(options.device);
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::load() const { state_->loaded(); }

TransferResult Engine::transfer(const TransferImages& buffers, const Progress& progress) const {
  check_inputs(state_->options, buffers);
  const TransferTensors images = tensors_of(buffers);
  using Clock = TransferProgress::Clock;
  std::optional<Clock::time_point> deadline;
  if (const double limit = state_->options.time_limit; limit > 0)
    deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
  // An aligned crop comes back at the generator's size: back to the
  // identity image's, resampled as the inputs were; previews too.
  const int64_t height = images.identity.size(1), width = images.identity.size(2);
  auto at_identity_size = [height, width](const at::Tensor& image, const at::Tensor&) {
    if (image.size(1) == height && image.size(2) == width) return image;
    return lanczos_resize(image.unsqueeze(0), height, width)[0];
  };
  const TransferProgress run = TransferProgress(progress).for_one_transfer(deadline).with_composer(at_identity_size);
  TransferOutput output =
      transfer_photos(state_->loaded(), images, state_->settings, run, photo_options_of(state_->options));
  const at::Tensor image = at_identity_size(output.image, {});
  run.deliver(PreviewMoment::Final, image, output.stopped.value_or(run.last_step()));
  return {image_of_tensor(image), output.stopped,
          std::make_shared<const Intermediates>(Intermediates{std::move(output.intermediates)})};
}

void Engine::transfer_each(const std::vector<TransferJob>& jobs, const Progress& progress,
                           const std::function<void(size_t job, const JobOutcome&)>& done) const {
  load();
  std::optional<TemporaryFolder> run_cache;
  struct RestoreSettings {  // the run's cache and the jobs' seeds, however the run ends
    State& state;
    TransferSettings saved;
    ~RestoreSettings() { state.settings = saved; }
  } restore{*state_, state_->settings};
  if (state_->settings.cache_dir.empty()) state_->settings.cache_dir = run_cache.emplace().path();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto started = std::chrono::steady_clock::now();
    JobOutcome outcome;
    try {
      use_seed(state_->settings, jobs[i].seed.value_or(state_->options.seed));
      const TransferResult result = transfer(jobs[i].images(), progress);
      jobs[i].keep(result);
      outcome.stopped = result.stopped;
      outcome.ok = true;
    } catch (const Cancelled&) {
      throw;
    } catch (const Error& error) {
      outcome.error = error.what();
      outcome.setting = error.setting();
    } catch (const c10::Error& error) {
      const std::string text = error.what_without_backtrace();
      outcome.error = text.substr(0, text.find('\n'));
    } catch (const std::exception& error) {
      outcome.error = error.what();
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    done(i, outcome);
  }
}

// Checked before the buffer is converted, so a wrong image is named as
// transfer() names it.
ImageBuffer Engine::hair_mask(const ImageBuffer& image, const Progress& progress) const {
  if (state_->options.align == AlignMode::Off) check_face_crop(shape_of(image), "face");
  else check_photo(shape_of(image), "face");
  return mask_of_tensor(state_->hair_mask(tensor_of_image(image), progress));
}

// A checked face image [3,H,W] -> its hair [H,W] float 0/1.
at::Tensor Engine::State::hair_mask(const at::Tensor& image, const Progress& progress) const {
  const FaceParser& parser = face_parser();
  if (options.align == AlignMode::Off || !face_detection_available()) return barbershop::hair_mask(parser, image);
  const std::vector<FaceLandmarks> faces = FaceFinder().find(image);
  if (faces.empty() && is_square(image)) {
    progress.warn("no face found in the face image; using it as it is, as an aligned face crop");
    return barbershop::hair_mask(parser, image);
  }
  const FaceLandmarks& face = choose_face(faces, face_choice_of(options), "the face image");
  if (is_aligned_crop(face, image.size(2), image.size(1))) return barbershop::hair_mask(parser, image);
  // Parsed in FFHQ's square at the parser's own size, then warped back.
  const AlignedFace aligned = align_face(face, image, FaceParser::kSize);
  const at::Tensor hair = barbershop::hair_mask(parser, aligned.image);
  return unalign(hair, aligned.transform, false).ge(0.5).to(at::kFloat);
}

std::vector<ImageBuffer> Engine::generated_faces(int count) const {
  const Models& models = state_->loaded();
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  std::vector<ImageBuffer> faces;
  for (int i = 0; i < count; ++i) {
    const at::Tensor z = at::randn({1, 512}).to(models.device);
    const at::Tensor w = models.generator->mapping(z).unsqueeze(1).repeat({1, models.n_latent(), 1});
    faces.push_back(image_of_tensor(models.generator->synthesize(w).clamp(-1, 1)[0].cpu()));
  }
  return faces;
}

void Engine::set_embedding_batch(int batch) {
  state_->options.embedding_batch = batch;
  state_->settings.embedding_batch = batch;
}

void Engine::set_speed(const SpeedOptions& speed) {
  check_speed(speed);
  const bool relayout = state_->models && speed.channels_last != state_->settings.speed.channels_last;
  state_->options.speed = speed;
  state_->settings.speed = speed;
  if (relayout) set_memory_format(*state_->models, speed.channels_last);
}

StepCounts Engine::steps() const { return state_->settings.steps; }

void Engine::set_embedding_cache(const std::string& dir) { state_->settings.cache_dir = dir; }

int64_t Engine::generator_size() const { return state_->loaded().size(); }

std::string Engine::device() const { return state_->device.str(); }

}  // namespace barbershop
