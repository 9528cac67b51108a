#pragma once
// The engine's second door, beside barbershop.h: the developer tools the
// CLI's commands generate, segment, loss, align, doctor and weights run, to
// compare the engine's parts with other implementations and to set up a
// machine. Plain types only (no LibTorch header), so the CLI compiles
// without LibTorch's include paths; the implementations are in tools/.
// The requests are named after the CLI's flags, and their messages name
// those flags: these tools have no other host.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace barbershop::tools {

// `barbershop generate`: the StyleGAN2 generator on W+ codes.
struct GenerateRequest {
  std::string checkpoint;  // rosinality's layout (g_ema, latent_avg)
  std::string latent;      // .npy [n,512], [1,n,512] or one w [512]
  std::string out;         // .npy (image or feature map) or an image file
  int64_t seed = 0;        // 0: the stored noise; else random noise from it (noise_of_seed)
  std::optional<int64_t> stop_after_block;  // write this block's feature map instead
  std::optional<int64_t> start_from_block;  // start here from `features`
  std::optional<std::string> features;      // .npy, the output of block start_from_block - 1
  std::string device = "auto";
};
void generate(const GenerateRequest& request);

// `barbershop segment`: the face parser's labels (and logits) of one image.
struct SegmentRequest {
  std::string parser;  // seg.pth
  std::string image;   // image file (a photo: clamped) or .npy (a render: not)
  std::string labels;  // label map out, 8-bit grey image or .npy
  std::optional<std::string> logits;  // .npy [16,512,512] out
  std::string device = "auto";
};
void segment(const SegmentRequest& request);

// `barbershop loss`: one perceptual loss between two .npy images.
struct LossRequest {
  std::string kind;  // lpips, masked-lpips, style or l2
  std::string a, b;  // [3,H,W] or [1,3,H,W] .npy
  std::optional<std::string> vgg, lpips;  // VGG16 and LPIPS weights, for all but l2
  std::optional<std::string> mask, mask_b;  // [H,W] .npy masks
  std::optional<std::string> blocks;        // LPIPS blocks, "1,2,3"
};
double loss(const LossRequest& request);  // summed over the batch

// `barbershop align`: a photo's face as FFHQ aligns it.
struct AlignRequest {
  std::string image;  // the photo
  std::string out;    // the aligned crop
  std::optional<std::string> transform;  // JSON: where the crop lies in the photo
  int64_t face_index = 0;
  int64_t size = 1024;
};
void align(const AlignRequest& request);

// `barbershop doctor`: the weight files (found, damaged, missing, their
// sha256 against the manifest), the device, LibTorch, CUDA, BLAS, threads
// and the cache, written to `out`. Returns whether every file is usable.
struct DoctorRequest {
  std::string weights_dir;  // empty: default_weights_dir()
  std::string generator;    // another generator file; empty: ffhq.pt of weights_dir
  std::string cache_dir;    // empty: default_cache_dir()
};
bool doctor(const DoctorRequest& request, std::ostream& out);

// `barbershop weights download`.
struct WeightsCatalogueEntry {
  std::string name;
  std::string official_url;
};
std::vector<WeightsCatalogueEntry> weights_catalogue();
// $BARBERSHOP_WEIGHTS_URL_BASE, or "" for the official addresses.
std::string default_weights_url_base();

struct WeightsDownloadRequest {
  std::string dir;                 // empty: default_weights_dir()
  std::vector<std::string> names;  // empty: the four a transfer needs
  std::string url_base;            // empty: default_weights_url_base()
  bool replace = false;            // download named files even when a usable one is there
};
struct WeightsDownloadResult {
  enum class Outcome { AlreadyThere, Downloaded, Failed };
  std::string name;
  Outcome outcome = Outcome::Failed;
  uint64_t size = 0;     // when downloaded
  std::string sha256;    // when downloaded
  std::string message;   // when failed: one line, the file and what went wrong
};
// Which file, bytes done and total (0 while unknown); false cancels.
using WeightsDownloadStep = std::function<bool(const std::string& name, uint64_t done, uint64_t total)>;
// Throws barbershop::Error for a name not in the catalogue before anything
// downloads, and when there is no network or it was cancelled.
std::vector<WeightsDownloadResult> download_weights(const WeightsDownloadRequest& request,
                                                    const WeightsDownloadStep& progress);

}  // namespace barbershop::tools
