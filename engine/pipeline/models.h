#pragma once
// The four networks a transfer needs, loaded once from the user's weights
// folder and shared by every stage, plus the PCA prior of the generator.
#include <c10/core/Device.h>

#include <string>

#include "engine/losses/lpips.h"
#include "engine/losses/pca_prior.h"
#include "engine/losses/style_loss.h"
#include "engine/networks/bisenet.h"
#include "engine/networks/stylegan2.h"
#include "engine/networks/vgg16.h"
#include "engine/weight_files.h"

namespace barbershop {

struct Models {
  stylegan2::Generator generator{nullptr};
  at::Tensor latent_avg;  // [512]
  FaceParser parser;
  Vgg16 vgg;
  Lpips lpips;
  StyleLoss style;
  PcaPrior prior;
  std::string generator_sha256;  // identifies the generator in cache keys
  c10::Device device = c10::kCPU;

  int64_t size() const { return generator->size(); }
  int64_t n_latent() const { return generator->n_latent(); }
};

// Loads and moves everything to `device`; the PCA prior comes from
// `cache_dir` or is computed from the generator (and cached there when
// `cache_dir` is not empty).
Models load_models(const WeightFiles& files, c10::Device device, const std::string& cache_dir);

}  // namespace barbershop
