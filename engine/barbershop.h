#pragma once
// The engine's door for transfers and hair masks, one of the door headers
// at the top of engine/ (beside tools.h, the CLI's developer commands, and
// command_line.h, the command-line hosts' parser; docs/architecture.md,
// "The door"). A host turns its own inputs into TransferOptions and
// TransferImages, calls check_inputs() before anything loads, opens an
// Engine and asks it for a transfer or a hair mask, then turns the result
// back into its own form. Errors are barbershop::Error in words that fit
// every host; Error::setting() names the TransferOptions field that fixes
// one, so each host can add its own hint (a flag, a dialog field).
//
// Door headers include no LibTorch header (hosts compile without its
// include paths): images cross the door as ImageBuffers
// (engine/image_buffer.h) and the engine's own state stays behind a pimpl.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/image_buffer.h"
#include "engine/progress.h"
#include "engine/settings.h"
#include "engine/weight_files.h"

namespace barbershop {

// The three images of a transfer: photos or aligned face crops, RGB
// (channels 3); the engine aligns photos as TransferOptions::align says.
struct TransferImages {
  ImageBuffer identity, structure, appearance;
  // Optional hair masks (channels 1, hair >= 0.5), replacing the parser's
  // hair region of that image, or (target_hair) of the target mask; empty:
  // none.
  ImageBuffer identity_hair, structure_hair, appearance_hair, target_hair;
};

// The values a transfer computed on its way, kept for write_intermediates;
// opaque to hosts (engine/pipeline/images.h).
struct Intermediates;

struct TransferResult {
  ImageBuffer image;  // RGB, at the identity image's size
  // Set when the host stopped the transfer (Progress::stop_and_keep) or its
  // time limit ran out: where it stopped. `image` is then the latest
  // generated composite (shape or colour) and the intermediates are those
  // made by then.
  std::optional<StepPoint> stopped;
  std::shared_ptr<const Intermediates> intermediates;
};

// Writes a result's intermediate values into `dir` (made when missing), one
// .npy file each, by name: wplus_<role>, F_<role>, S_<role>, labels_<role>
// (the parser's labels after any user mask), initial_target (inpainted,
// before the GAN rounds), target_round1 (after the first round),
// target_labels, fmix, blend_u, result (at the generator's size); for a
// photo also aligned_identity, aligned_result and paste_mask. The
// target-mask values are those of (identity, structure). Atomic per file.
void write_intermediates(const TransferResult& result, const std::string& dir);

// A rectangle in an image's pixels.
struct PixelBox {
  double left = 0, top = 0, right = 0, bottom = 0;
};

// Everything a transfer can be asked, in plain types. Field names are the
// names Error::setting() reports.
struct TransferOptions {
  Preset preset = Preset::Paper;
  std::string steps;  // step counts over the preset, "w=2,fs=2,..."; $BARBERSHOP_STEPS wins over both
  TargetMode mode = TargetMode::Realistic;
  int smooth = 5;  // dilation / erosion iterations of the alignment masks, 0 or more
  // 0: the generator's stored noise; 1 to kLargestSeed: random noise drawn
  // from this seed (noise_of_seed, engine/settings.h).
  int64_t seed = 0;
  bool use_cache = true;  // keep embeddings and the PCA prior in cache_dir
  std::string cache_dir;  // empty: default_cache_dir()
  AlignMode align = AlignMode::Auto;
  int64_t face_index = 0;             // which face of the identity photo, by size: 0 is the largest
  std::optional<PixelBox> face_area;  // or the largest face whose box centre lies in this area
  std::string device = "auto";        // auto, cpu, cuda or cuda:N
  std::string weights_dir;            // empty: default_weights_dir()
  std::string generator;              // another generator checkpoint; empty: ffhq.pt of weights_dir
  // Distinct images embedded together (the result is the same); 0: all at
  // once on a GPU, one at a time on the CPU.
  int embedding_batch = 0;
  // How the steps are computed (SpeedOptions, engine/settings.h):
  // bf16, channels-last, fused Adam, CUDA graphs, a memory cap.
  SpeedOptions speed;
  // Seconds a transfer may run (each job of transfer_each on its own); 0:
  // no limit. When the time is up it stops and keeps, as
  // Progress::stop_and_keep does, and where no generated composite exists
  // yet, at the first one (after alignment).
  double time_limit = 0;
};

// Throws barbershop::Error, with its setting(), for the first option that
// cannot work. The one place options are validated.
void check_options(const TransferOptions& options);

// Everything that can be checked before anything loads, in the order users
// fix things: the options, the three images (RGB and large enough; square
// aligned crops where alignment is off or this build cannot find faces) and,
// when `output` is not empty, the file the host will write: its folder
// exists and is writable and its format is one the engine writes
// (check_image_output, engine/image_buffer.h).
void check_inputs(const TransferOptions& options, const TransferImages& images, const std::string& output = "");

// One of many transfers (Engine::transfer_each).
struct TransferJob {
  // Reads the job's images when its turn comes; a barbershop::Error from it
  // (a missing or unreadable file) fails this job alone.
  std::function<TransferImages()> images;
  // Keeps the result (writes it, shows it); a failure here fails the job too.
  std::function<void(const TransferResult&)> keep;
  // This job's own seed instead of the options' (a batch row's); one out of
  // range fails this job alone.
  std::optional<int64_t> seed;
};

// How one job of Engine::transfer_each ended.
struct JobOutcome {
  bool ok = false;
  std::string error;    // one line, when not ok
  std::string setting;  // the error's Error::setting(), for the host's hint
  double seconds = 0;   // reading, transferring and keeping
  std::optional<StepPoint> stopped;  // where the time limit stopped it (its result kept)
};

// Which of the official weight files `dir` holds, for a host's found /
// missing / damaged lines. Damaged: its size differs from the one
// dir/manifest.json recorded when it was downloaded and checked (a cheap
// test, for dialogs; loading the file checks it fully).
struct WeightFileStatus {
  std::string name;
  bool found = false;
  bool damaged = false;
};
std::vector<WeightFileStatus> weight_files_in(const std::string& dir);

// The generator files in `dir`, for a host's picker: ffhq.pt first when
// there, then the project's other generators, then any other *.pt.
std::vector<std::string> generator_files_in(const std::string& dir);

// Which file is downloading and how far it is, in [0, 1] (-1 while its size
// is unknown); returning false cancels.
using DownloadStep = std::function<bool(const std::string& file, double fraction)>;

struct DownloadSummary {
  std::vector<std::string> downloaded;  // file names
  std::vector<std::string> failures;    // one line each: the file, what went wrong
};

// Fetches the weight files a transfer needs that `dir` lacks (or holds
// damaged), each checked by loading it and recorded in dir/manifest.json,
// from `url_base`/<file> when given, else $BARBERSHOP_WEIGHTS_URL_BASE, else
// the publishers' own addresses. Throws barbershop::Error when there is no
// network or when cancelled (a partial file stays and is resumed next time).
DownloadSummary download_missing_weights(const std::string& dir, const std::string& url_base,
                                         const DownloadStep& progress);

// The networks and the PCA prior, opened from options.
class Engine {
 public:
  // Checks the options, finds the weight files and picks the device, so a
  // wrong folder or device fails at once; the networks load on first use
  // (or load()).
  explicit Engine(const TransferOptions& options);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  // Loads all networks and the PCA prior now, for hosts that show or time
  // loading apart from the transfer.
  void load() const;

  // Photos or aligned crops in (faces found and aligned as options.align
  // says); the result at the identity image's size: a photo comes back whole
  // with only its hair changed, a crop of another size is resampled to it.
  // Throws barbershop::Error on unusable input, Cancelled when cancelled.
  // Previews (Progress::show_previews) come at the result's size and form,
  // the last (final) equal to the result; a stop (Progress::stop_and_keep,
  // or options.time_limit) returns the latest generated composite, with
  // TransferResult::stopped saying where.
  TransferResult transfer(const TransferImages& images, const Progress& progress) const;

  // Many transfers, one after another, with the networks loaded once and
  // each distinct image embedded once for the whole run: through the
  // options' embedding cache, or, with the cache off, a cache kept for this
  // run alone (removed when it ends). A job that fails (its files, no face,
  // a mask of the wrong size, a result that cannot be kept) fails alone:
  // `done` hears of every job as it ends, and the next one starts.
  // Cancelled (through `progress`) ends the run at once and is rethrown.
  void transfer_each(const std::vector<TransferJob>& jobs, const Progress& progress,
                     const std::function<void(size_t job, const JobOutcome&)>& done) const;

  // The parser's hair region of an RGB face image as a mask (channels 1,
  // values 0 and 1) at its size: an aligned crop is parsed as it is; in a
  // photo the face (options.face_index / face_area) is found, aligned,
  // parsed and its hair mapped back into the photo. Loads only the parser
  // (and the face finder).
  ImageBuffer hair_mask(const ImageBuffer& image, const Progress& progress = {}) const;

  // `count` faces (RGB) the generator makes from random latents (a fixed
  // seed): inputs that need no image files, for benchmarks and
  // demonstrations.
  std::vector<ImageBuffer> generated_faces(int count) const;

  // The options' embedding_batch, changed for the next transfer: it changes
  // the speed, not the result.
  void set_embedding_batch(int batch);
  // Where the next transfer keeps and finds embeddings ("" : nowhere), for
  // the benchmark's cached run: it changes the speed, not the result.
  void set_embedding_cache(const std::string& dir);

  // The speed options, changed for the next transfer (barbershop-bench's
  // variants); channels-last re-lays the loaded networks' weights.
  void set_speed(const SpeedOptions& speed);

  // The step counts a transfer runs: the preset, the options' steps and
  // $BARBERSHOP_STEPS, resolved once when the Engine opened.
  StepCounts steps() const;

  int64_t generator_size() const;  // loads the networks
  // Where it computes: "cpu", "cuda" or "cuda:N" (engine/machine.h takes
  // this name).
  std::string device() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace barbershop
