// `barbershop generate`: runs the StyleGAN2 generator on W+ codes.
#include <torch/torch.h>

#include "cli/commands.h"
#include "engine/device.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/networks/stylegan2.h"
#include "engine/pipeline/settings.h"

namespace barbershop::cli {
namespace {

namespace sg2 = barbershop::stylegan2;

const char kUsage[] =
    "usage: barbershop generate --checkpoint G.pt --latent W.npy --out OUT.npy|OUT.png\n"
    "                           [--seed N]\n"
    "                           [--stop-after-block K]\n"
    "                           [--start-from-block K --features F.npy]\n"
    "                           [--device auto|cpu|cuda[:N]]\n"
    "\n"
    "Synthesises an image (or a feature map) with a StyleGAN2 generator.\n"
    "Block 0 is the 4x4 stage; block k >= 1 works at 4*2^k (F = block 3's output).\n"
    "\n"
    "  --checkpoint PATH     generator in rosinality's layout (ffhq.pt: g_ema, latent_avg);\n"
    "                        the size (64..1024) is read from the weights\n"
    "  --latent PATH         W+ codes, float .npy [n,512] or [1,n,512] with\n"
    "                        n = 2*log2(size)-2 (18 at 1024); [512] = one w for all n\n"
    "  --out PATH            .npy: the image [3,R,R] in [-1,1] (not clamped), or with\n"
    "                        --stop-after-block the feature map [C,H,W]; .png: 8-bit RGB\n"
    "  --seed N              0 (default): the checkpoint's noise buffers; 1 to 2147483647:\n"
    "                        fresh N(0,1) noise drawn from that seed, as in `transfer`\n"
    "  --stop-after-block K  write the feature map after block K instead of the image\n"
    "  --start-from-block K  start at block K >= 1 from --features, the output of\n"
    "                        block K-1; as in the Barbershop reference the RGB skip\n"
    "                        starts at zero there\n"
    "  --features PATH       feature map .npy [C,H,W] or [1,C,H,W] for --start-from-block\n"
    "  --device NAME         where to run (default auto: cuda when available)\n";

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
sg2::Noise pick_noise(const Args& args) {
  const int64_t seed = args.integer("seed", 0);
  if (noise_of_seed(seed) == NoiseMode::Stored) return sg2::Noise::stored();
  return sg2::Noise::random(sg2::seeded_generator(static_cast<uint64_t>(seed)));
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

int run(const Args& args) {
  const std::string checkpoint = args.required("checkpoint");
  const std::string latent = args.required("latent");
  const std::string out = args.required("out");
  const bool stop = args.get("stop-after-block").has_value();
  const bool start = args.get("start-from-block").has_value();
  const int64_t stop_after = args.integer("stop-after-block", 0);
  const int64_t start_from = args.integer("start-from-block", 0);
  const sg2::Noise noise = pick_noise(args);
  const c10::Device device = parse_device(args.get_or("device", "auto"));
  if (stop && start) throw Error("--stop-after-block and --start-from-block cannot be combined");
  if (start != args.get("features").has_value())
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
  if (start) features = read_features(*args.get("features"), g, start_from);
  g->to(device);

  torch::NoGradGuard no_grad;
  const at::Tensor w = w_plus.to(device);
  if (stop) {
    write_npy(out, g->synthesize_features(w, stop_after, noise)[0].cpu().contiguous());
    return 0;
  }
  const at::Tensor image = start ? g->synthesize_from(features.to(device), start_from, w, noise)
                                 : g->synthesize(w, noise);
  write_image(out, image[0].cpu().contiguous());
  return 0;
}

}  // namespace

const Command generate_command{
    "generate",
    kUsage,
    {"checkpoint", "latent", "out", "seed", "stop-after-block", "start-from-block",
     "features", "device"},
    {},
    &run};

}  // namespace barbershop::cli
