#pragma once
// The plug-in's one door into the engine. Plain types only (pixels as packed
// 8-bit RGB, settings as numbers), so the GIMP glue never includes LibTorch
// and the engine never sees GIMP. Errors are barbershop::Error with a
// message meant for the user.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace barbershop::plugin {

// Packed 8-bit RGB rows, top row first; empty when a layer was not given.
struct Pixels {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
  bool empty() const { return rgb.empty(); }
};

// A rectangle in a layer's pixels.
struct Area {
  int x = 0, y = 0, width = 0, height = 0;
};

struct TransferJob {
  // Ordinary photos or aligned face crops: faces are found and aligned where
  // needed, and the result is pasted back into the identity photo.
  Pixels identity, structure, appearance;
  // The selection on the identity layer, if any: of several faces, the one
  // inside it is used.
  std::optional<Area> identity_face_area;
  // Optional hair masks (hair where the first channel is >= 128).
  Pixels identity_mask, structure_mask, appearance_mask, target_mask;
  int preset = 0;  // 0 paper, 1 fast; BARBERSHOP_STEPS overrides both
  int mode = 0;    // 0 realistic, 1 fidelity
  int smooth = 5;
  // 0: the generator's stored noise (deterministic, as the reference);
  // any other value: random noise drawn from this seed.
  int seed = 0;
  std::string weights_dir;
  // A generator file in weights_dir (metfaces.pt, ...); empty: ffhq.pt.
  std::string generator;
};

// Called for every optimisation step: the engine's stage name and how far
// that stage is, in [0, 1].
using StageProgress = std::function<void(const std::string& stage, double fraction)>;
using Warning = std::function<void(const std::string& message)>;

// The whole method; the result has the identity layer's size (a photo comes
// back whole, with only its hair changed). Layer sizes, settings and the
// weights folder are checked first, before the networks load, so wrong input
// fails at once. Throws barbershop::Error.
Pixels run_transfer(const TransferJob& job, const StageProgress& progress, const Warning& warn);

// The parser's hair region of `face` as white (255) on black, at its size.
Pixels run_hair_mask(const Pixels& face, const std::string& weights_dir);

// $BARBERSHOP_WEIGHTS, else ~/.local/share/barbershop/weights.
std::string default_weights_folder();

// The official weight files and whether each is present in `dir`, for the
// dialog's found / missing lines.
struct WeightFileStatus {
  std::string name;
  bool found = false;
};
std::vector<WeightFileStatus> weight_files_in(const std::string& dir);

// The generator files in `dir` for the dialog's picker: ffhq.pt first when
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
// damaged), checked and recorded as `barbershop weights download` does,
// from `url_base`/<file> when given, else $BARBERSHOP_WEIGHTS_URL_BASE, else
// the official addresses. Throws barbershop::Error when there is no network
// or when cancelled (a partial file stays and is resumed next time).
DownloadSummary download_missing_weights(const std::string& dir, const std::string& url_base,
                                         const DownloadStep& progress);

}  // namespace barbershop::plugin
