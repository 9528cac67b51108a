#pragma once
// The P-norm prior of the W+ embedding (docs/method.md, "Embedding"): a PCA of
// LeakyReLU_5(mapping(z)) over many z ~ N(0, I), fitted once per generator
// checkpoint and cached on disk under the checkpoint's SHA-256.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <string>

namespace barbershop {

// z [n, z_dim] -> w [n, D], e.g. the generator's mapping network. Kept as a
// function so this file does not depend on the generator.
using MappingFunction = std::function<at::Tensor(const at::Tensor&)>;

constexpr double kPcaLeakySlope = 5.0;  // LeakyReLU(5) undoes the mapping's last LeakyReLU(0.2)

struct PcaPrior {
  at::Tensor mean;        // [D]
  at::Tensor components;  // [D, D]: principal axes as rows, by decreasing variance
  at::Tensor stdev;       // [D]: sqrt of the variance along each axis (n - 1 denominator)

  // mean over all codes and axes of (((LeakyReLU_5(w) - mean) @ components^T) / stdev)^2,
  // for w [..., D]. Differentiable w.r.t. w.
  at::Tensor p_norm(const at::Tensor& w) const;
  PcaPrior to(c10::Device device) const;
};

// Streaming mean and covariance of rows, in double precision; finish() gives
// the full PCA (as sklearn's PCA / IncrementalPCA up to each axis' sign).
class PcaAccumulator {
 public:
  void add(const at::Tensor& rows);  // [n, D]
  PcaPrior finish() const;           // float32, on the CPU
  int64_t count() const { return count_; }

 private:
  at::Tensor shift_;  // first batch's mean: keeps the sums well conditioned
  at::Tensor sum_, outer_;
  int64_t count_ = 0;
};

struct PcaPriorOptions {
  int64_t samples = 1000000;
  int64_t batch = 10000;
  uint64_t seed = 0;
  int64_t z_dim = 512;
  c10::Device device = c10::kCPU;  // where `mapping` runs; z is drawn on the CPU
};

// Fits the prior: z from a generator seeded with options.seed, so a given
// mapping and options always give the same prior.
PcaPrior fit_pca_prior(const MappingFunction& mapping, const PcaPriorOptions& options = {});

// Our cache file (.npy, float32 [D + 2, D]: mean, stdev, then components) or
// the reference's .npz (X_mean, X_comp, X_stdev). Throws barbershop::Error.
PcaPrior read_pca_prior(const std::string& path);
void write_pca_prior(const std::string& path, const PcaPrior& prior);  // atomic

// `cache_dir`/pca-<checkpoint_sha256>-n<samples>-s<seed>.npy, where
// checkpoint_sha256 is the hex SHA-256 of the checkpoint file (the caller
// has it already: it keys the embedding cache too).
std::string pca_cache_path(const std::string& checkpoint_sha256, const std::string& cache_dir,
                           const PcaPriorOptions& options);
// Reads the cache entry, or fits and writes it when absent or unreadable.
PcaPrior cached_pca_prior(const std::string& checkpoint_sha256, const std::string& cache_dir,
                          const MappingFunction& mapping, const PcaPriorOptions& options = {});

}  // namespace barbershop
