// `barbershop generate` (engine/tools.h): runs the StyleGAN2 generator on W+ codes.
#include "engine/tools.h"

#include <torch/torch.h>

#include "engine/device.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/networks/stylegan2.h"
#include "engine/settings.h"

namespace barbershop::tools {
namespace {

namespace sg2 = barbershop::stylegan2;

std::string shape_of(const at::Tensor& t) { return shape_string(t.sizes().vec()); }

// W+ codes as [1, n, 512]: from [n, 512], [1, n, 512], or one w [512].
at::Tensor read_w_plus(const std::string& path, int64_t n) {
  const at::Tensor codes = read_npy(path).to(at::kFloat);
  const auto shape = codes.sizes();
  if (shape == at::IntArrayRef{sg2::kStyleDim}) return codes.expand({1, n, sg2::kStyleDim});
  if (shape == at::IntArrayRef{n, sg2::kStyleDim}) return codes.unsqueeze(0);
  if (shape == at::IntArrayRef{1, n, sg2::kStyleDim}) return codes;
  const std::string want = std::to_string(n) + ", 512]";
  throw Error(path + ": latent has shape " + shape_of(codes) + ", expected [" + want + " or [1, " +
              want + " (or one w [512]) for this generator");
}

// A feature map as [1, C, H, W] from [C, H, W] or [1, C, H, W].
at::Tensor read_features(const std::string& path, const sg2::Generator& g, int64_t block) {
  if (block < 1 || block >= g->num_blocks())
    throw Error("--start-from-block takes 1.." + std::to_string(g->num_blocks() - 1) +
                " for this generator, not " + std::to_string(block));
  const at::Tensor features = read_npy(path).to(at::kFloat);
  const int64_t r = g->block_resolution(block - 1);
  const std::vector<int64_t> expected = {g->channels(r), r, r};
  if (features.sizes() == at::IntArrayRef(expected)) return features.unsqueeze(0);
  if (features.dim() == 4 && features.size(0) == 1 && features[0].sizes() == at::IntArrayRef(expected))
    return features;
  throw Error(path + ": feature map has shape " + shape_of(features) + ", expected " +
              shape_string(expected) + " (the output of block " + std::to_string(block - 1) +
              ") to start from block " + std::to_string(block));
}

// --seed as every host reads it (noise_of_seed).
sg2::Noise pick_noise(int64_t seed) {
  if (noise_of_seed(seed) == NoiseMode::Stored) return sg2::Noise::stored();
  return sg2::Noise::random(sg2::seeded_generator(static_cast<uint64_t>(seed)));
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

void generate(const GenerateRequest& request) {
  const std::string& checkpoint = request.checkpoint;
  const std::string& latent = request.latent;
  const std::string& out = request.out;
  const bool stop = request.stop_after_block.has_value();
  const bool start = request.start_from_block.has_value();
  const int64_t stop_after = request.stop_after_block.value_or(0);
  const int64_t start_from = request.start_from_block.value_or(0);
  const sg2::Noise noise = pick_noise(request.seed);
  const c10::Device device = parse_device(request.device);
  if (stop && start) throw Error("--stop-after-block and --start-from-block cannot be combined");
  if (start != request.features.has_value())
    throw Error("--start-from-block and --features go together; see `barbershop generate --help`");
  if (stop && !ends_with(out, ".npy"))
    throw Error("--out must be a .npy file for a feature map (--stop-after-block), not '" + out + "'");

  // Check every input before the slow work, so a mistake costs nothing.
  const sg2::LoadedGenerator loaded = sg2::load_generator(checkpoint);
  sg2::Generator g = loaded.generator;
  const at::Tensor w_plus = read_w_plus(latent, g->n_latent());
  if (stop && (stop_after < 0 || stop_after >= g->num_blocks()))
    throw Error("--stop-after-block takes 0.." + std::to_string(g->num_blocks() - 1) +
                " for this generator, not " + std::to_string(stop_after));
  at::Tensor features;
  if (start) features = read_features(*request.features, g, start_from);
  g->to(device);

  torch::NoGradGuard no_grad;
  const at::Tensor w = w_plus.to(device);
  if (stop) {
    write_npy(out, g->synthesize_features(w, stop_after, noise)[0].cpu().contiguous());
    return;
  }
  const at::Tensor image = start ? g->synthesize_from(features.to(device), start_from, w, noise)
                                 : g->synthesize(w, noise);
  write_image(out, image[0].cpu().contiguous());
}


}  // namespace barbershop::tools
