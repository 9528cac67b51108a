#include "engine/pipeline/models.h"

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>

#include "engine/error.h"
#include "engine/io/sha256.h"

namespace barbershop {
namespace {

struct OfficialFile {
  const char* name;
  const char* size;
  const char* source;
};

const OfficialFile kGenerator{"ffhq.pt", "at least 120 MB",
                              "the Barbershop project's pretrained models (StyleGAN2 FFHQ, rosinality layout)"};
const OfficialFile kParser{"seg.pth", "about 50 MB", "the Barbershop project's pretrained models (16-class BiSeNet)"};
const OfficialFile kVgg16{"vgg16-397923af.pth", "553433881 bytes",
                          "torchvision's ImageNet VGG16 weights (what vgg16(pretrained=True) downloads)"};
const OfficialFile kLpips{"vgg.pth", "7289 bytes", "the LPIPS project, weights/v0.1/vgg.pth"};

std::string home_dir() {
  const char* home = std::getenv("HOME");
  return home && *home ? home : ".";
}

std::string environment_or(const char* variable, const std::string& fallback) {
  const char* value = std::getenv(variable);
  return value && *value ? value : fallback;
}

int64_t pca_samples() {
  // Tests with small random generators set this to keep the prior cheap.
  return std::atoll(environment_or("BARBERSHOP_PCA_SAMPLES", "1000000").c_str());
}

// The reference keeps the prior beside the generator as <name>_PCA.npz; use
// that file when the user has it, else fit (10^6 mapped samples, minutes on
// a CPU) once and cache it.
PcaPrior pca_prior_for(const std::string& generator_path, const std::string& generator_sha256, c10::Device device,
                       const std::string& cache_dir, const MappingFunction& mapping) {
  const std::string stem = generator_path.substr(0, generator_path.rfind('.'));
  if (std::filesystem::is_regular_file(stem + "_PCA.npz")) return read_pca_prior(stem + "_PCA.npz");
  PcaPriorOptions options;
  options.samples = pca_samples();
  options.device = device;
  return cache_dir.empty() ? fit_pca_prior(mapping, options)
                           : cached_pca_prior(generator_sha256, cache_dir, mapping, options);
}

}  // namespace

std::string default_weights_dir() {
  return environment_or("BARBERSHOP_WEIGHTS", home_dir() + "/.local/share/barbershop/weights");
}

std::string default_cache_dir() {
  return environment_or("XDG_CACHE_HOME", home_dir() + "/.cache") + "/barbershop";
}

std::vector<std::string> official_weight_names() {
  return {kGenerator.name, kParser.name, kVgg16.name, kLpips.name};
}

WeightFiles find_weight_files(const std::string& dir, const std::string& generator) {
  std::string missing;
  auto locate = [&](const OfficialFile& file, const std::string& override_path = "") {
    const std::string path = override_path.empty() ? dir + "/" + file.name : override_path;
    if (!std::filesystem::is_regular_file(path))
      missing += std::string(missing.empty() ? "" : "; ") + path + " (" + file.size + ", from " + file.source + ")";
    return path;
  };
  WeightFiles files{locate(kGenerator, generator), locate(kParser), locate(kVgg16), locate(kLpips)};
  if (!missing.empty())
    throw Error("missing weights in " + dir + ": " + missing +
                    ". Put the files there, or choose the folder that has them",
                "weights_dir");
  return files;
}

Models load_models(const WeightFiles& files, c10::Device device, const std::string& cache_dir) {
  // Hashed once: it keys both the PCA prior and the embedding caches.
  const std::string generator_sha256 = sha256_file(files.generator);
  auto loaded = stylegan2::load_generator(files.generator);
  loaded.generator->to(device);
  Vgg16 vgg = Vgg16::load(files.vgg16, device);
  Lpips lpips(vgg, files.lpips);
  lpips.to(device);

  stylegan2::Generator generator = loaded.generator;
  auto mapping = [generator](const at::Tensor& z) { return generator->mapping(z); };
  PcaPrior prior = pca_prior_for(files.generator, generator_sha256, device, cache_dir, mapping);

  return Models{generator,
                loaded.latent_avg.to(device),
                FaceParser::load(files.parser, device),
                vgg,
                lpips,
                StyleLoss(vgg),
                prior.to(device),
                generator_sha256,
                device};
}

}  // namespace barbershop
