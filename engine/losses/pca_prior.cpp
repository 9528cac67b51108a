#include "engine/losses/pca_prior.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <random>

#include "engine/error.h"
#include "engine/files.h"
#include "engine/io/npy.h"

namespace barbershop {
namespace {

uint64_t little_endian(const std::string& bytes, size_t offset, size_t width) {
  if (offset + width > bytes.size()) throw Error("zip structure runs past the end of the file");
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) value |= uint64_t(uint8_t(bytes[offset + i])) << (8 * i);
  return value;
}

// The members of an uncompressed zip (numpy.savez), by name. Reads the
// central directory, including its zip64 forms, since numpy may write them.
std::map<std::string, std::string> read_stored_zip(const std::string& path) {
  const std::string bytes = read_file(path);
  const size_t end = bytes.rfind(std::string("PK\x05\x06", 4));
  if (end == std::string::npos) throw Error(path + ": not a zip/.npz file");
  uint64_t entries = little_endian(bytes, end + 10, 2);
  uint64_t directory = little_endian(bytes, end + 16, 4);
  if (directory == 0xffffffff && end >= 20) {  // zip64: the locator points at the real record
    const uint64_t record = little_endian(bytes, end - 20 + 8, 8);
    entries = little_endian(bytes, record + 32, 8);
    directory = little_endian(bytes, record + 48, 8);
  }
  std::map<std::string, std::string> members;
  size_t at = directory;
  for (uint64_t e = 0; e < entries; ++e) {
    if (little_endian(bytes, at, 4) != 0x02014b50) throw Error(path + ": broken zip directory");
    const uint64_t method = little_endian(bytes, at + 10, 2);
    uint64_t size = little_endian(bytes, at + 20, 4);
    const size_t name_length = little_endian(bytes, at + 28, 2);
    const size_t extra_length = little_endian(bytes, at + 30, 2);
    const size_t comment_length = little_endian(bytes, at + 32, 2);
    uint64_t local = little_endian(bytes, at + 42, 4);
    const std::string name = bytes.substr(at + 46, name_length);
    // zip64 extra field: 64-bit values for the fields saturated above, in order.
    for (size_t x = at + 46 + name_length; x + 4 <= at + 46 + name_length + extra_length;) {
      const uint64_t id = little_endian(bytes, x, 2), length = little_endian(bytes, x + 2, 2);
      if (id == 1) {
        size_t field = x + 4;
        if (little_endian(bytes, at + 24, 4) == 0xffffffff) field += 8;  // uncompressed size
        if (size == 0xffffffff) size = little_endian(bytes, field, 8), field += 8;
        if (local == 0xffffffff) local = little_endian(bytes, field, 8);
      }
      x += 4 + length;
    }
    if (method != 0) throw Error(path + ": member '" + name + "' is compressed; save with numpy.savez");
    const size_t data = local + 30 + little_endian(bytes, local + 26, 2) + little_endian(bytes, local + 28, 2);
    if (data + size > bytes.size()) throw Error(path + ": member '" + name + "' is truncated");
    members[name] = bytes.substr(data, size);
    at += 46 + name_length + extra_length + comment_length;
  }
  return members;
}

// read_npy reads files only: pass a member through a temporary one.
at::Tensor read_npy_bytes(const std::string& bytes) {
  std::random_device entropy;
  const auto temporary = std::filesystem::temp_directory_path() /
                         ("barbershop-npz-" + std::to_string(entropy()) + ".npy");
  write_file_atomically(temporary.string(), bytes);
  try {
    at::Tensor tensor = read_npy(temporary.string());
    std::filesystem::remove(temporary);
    return tensor;
  } catch (...) {
    std::filesystem::remove(temporary);
    throw;
  }
}

PcaPrior read_reference_npz(const std::string& path) {
  const auto members = read_stored_zip(path);
  auto member = [&](const std::string& name) {
    const auto found = members.find(name + ".npy");
    if (found == members.end()) throw Error(path + ": no '" + name + "' in this PCA file");
    return read_npy_bytes(found->second).to(at::kFloat);
  };
  return {member("X_mean"), member("X_comp"), member("X_stdev")};
}

PcaPrior checked(PcaPrior prior, const std::string& path) {
  const int64_t d = prior.mean.numel();
  const bool shapes = prior.mean.dim() == 1 && prior.stdev.sizes() == at::IntArrayRef({d}) &&
                      prior.components.sizes() == at::IntArrayRef({d, d});
  if (!shapes || d == 0) throw Error(path + ": PCA prior has inconsistent shapes");
  const bool finite = prior.mean.isfinite().all().item<bool>() &&
                      prior.components.isfinite().all().item<bool>() &&
                      prior.stdev.isfinite().all().item<bool>();
  if (!finite || !(prior.stdev > 0).all().item<bool>())
    throw Error(path + ": PCA prior holds non-finite values or a zero deviation");
  return prior;
}

}  // namespace

at::Tensor PcaPrior::p_norm(const at::Tensor& w) const {
  const at::Tensor centred = at::leaky_relu(w, kPcaLeakySlope) - mean;
  return (at::matmul(centred, components.t()) / stdev).pow(2).mean();
}

PcaPrior PcaPrior::to(c10::Device device) const {
  return {mean.to(device), components.to(device), stdev.to(device)};
}

void PcaAccumulator::add(const at::Tensor& rows) {
  if (rows.dim() != 2 || rows.size(0) == 0)
    throw Error("PCA expects rows [n, D], got " + shape_string(rows.sizes().vec()));
  at::Tensor x = rows.detach().to(at::kDouble);
  if (!shift_.defined()) {
    shift_ = x.mean(0);
    sum_ = at::zeros_like(shift_);
    outer_ = at::zeros({x.size(1), x.size(1)}, x.options());
  }
  if (x.size(1) != shift_.size(0))
    throw Error("PCA rows changed width from " + std::to_string(shift_.size(0)) + " to " +
                std::to_string(x.size(1)));
  x = x - shift_;
  sum_ += x.sum(0);
  outer_ += at::mm(x.t(), x);
  count_ += rows.size(0);
}

PcaPrior PcaAccumulator::finish() const {
  if (count_ < 2) throw Error("PCA needs at least two samples");
  const double n = static_cast<double>(count_);
  at::Tensor covariance = ((outer_ - at::outer(sum_, sum_) / n) / (n - 1)).cpu();
  covariance = (covariance + covariance.t()) / 2;  // exactly symmetric for eigh
  const auto eigen = at::linalg_eigh(covariance);
  // eigh sorts ascending; PCA lists the largest variance first.
  const at::Tensor variance = std::get<0>(eigen).flip(0).clamp_min(0);
  const at::Tensor axes = std::get<1>(eigen).flip(1).t().contiguous();
  return {(shift_ + sum_ / n).cpu().to(at::kFloat), axes.to(at::kFloat),
          variance.sqrt().to(at::kFloat)};
}

PcaPrior fit_pca_prior(const MappingFunction& mapping, const PcaPriorOptions& options) {
  if (options.samples < 2 || options.batch < 1 || options.z_dim < 1)
    throw Error("PCA prior: samples must be >= 2 and batch, z_dim >= 1");
  torch::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(options.seed);
  PcaAccumulator accumulator;
  for (int64_t done = 0; done < options.samples;) {
    const int64_t n = std::min(options.batch, options.samples - done);
    const at::Tensor z = at::randn({n, options.z_dim}, generator, at::kFloat).to(options.device);
    accumulator.add(at::leaky_relu(mapping(z), kPcaLeakySlope));
    done += n;
  }
  return accumulator.finish();
}

PcaPrior read_pca_prior(const std::string& path) {
  const std::string head = read_file(path).substr(0, 4);
  if (head == std::string("PK\x03\x04", 4)) return checked(read_reference_npz(path), path);
  const at::Tensor stacked = read_npy(path).to(at::kFloat);
  if (stacked.dim() != 2 || stacked.size(0) != stacked.size(1) + 2)
    throw Error(path + ": not a PCA prior file (expected [D + 2, D], got " +
                shape_string(stacked.sizes().vec()) + ")");
  return checked({stacked[0], stacked.slice(0, 2), stacked[1]}, path);
}

void write_pca_prior(const std::string& path, const PcaPrior& prior) {
  write_npy(path, at::cat({prior.mean.unsqueeze(0), prior.stdev.unsqueeze(0), prior.components})
                      .to(at::kCPU, at::kFloat));
}

std::string pca_cache_path(const std::string& checkpoint_sha256, const std::string& cache_dir,
                           const PcaPriorOptions& options) {
  const std::string name = "pca-" + checkpoint_sha256 + "-n" +
                           std::to_string(options.samples) + "-s" + std::to_string(options.seed) + ".npy";
  return (std::filesystem::path(cache_dir) / name).string();
}

PcaPrior cached_pca_prior(const std::string& checkpoint_sha256, const std::string& cache_dir,
                          const MappingFunction& mapping, const PcaPriorOptions& options) {
  const std::string path = pca_cache_path(checkpoint_sha256, cache_dir, options);
  if (std::filesystem::exists(path)) {
    try {
      return read_pca_prior(path).to(options.device);
    } catch (const Error&) {
      // A damaged entry (interrupted copy, disk error) is refitted and replaced.
    }
  }
  const PcaPrior prior = fit_pca_prior(mapping, options);
  try {
    std::filesystem::create_directories(cache_dir);
    write_pca_prior(path, prior);
  } catch (const std::exception& error) {
    // The prior is still good; only the next run pays for it again.
    std::cerr << "barbershop: warning: PCA prior not cached: " << error.what() << "\n";
  }
  return prior.to(options.device);
}

}  // namespace barbershop
