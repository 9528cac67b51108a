#include "engine/pipeline/speed.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/device.h"
#include "engine/pipeline/models.h"

namespace barbershop {

namespace {
// torch::optim::AdamOptions' defaults, which the float32 baseline uses.
constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;
}  // namespace

FusedAdam::FusedAdam(std::vector<at::Tensor> parameters, double learning_rate)
    : parameters_(std::move(parameters)), learning_rate_(learning_rate) {
  for (const at::Tensor& parameter : parameters_) {
    exp_avg_.push_back(at::zeros_like(parameter, at::MemoryFormat::Preserve));
    exp_avg_sq_.push_back(at::zeros_like(parameter, at::MemoryFormat::Preserve));
    steps_.push_back(at::zeros({}, parameter.options().dtype(at::kFloat)));
  }
}

void FusedAdam::zero_grad() {
  for (at::Tensor& parameter : parameters_) parameter.mutable_grad().reset();
}

void FusedAdam::step() {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> gradients;
  for (const at::Tensor& parameter : parameters_) gradients.push_back(parameter.grad());
  // The kernel reads the step from the tensors (bias corrections on the
  // device, no host value that a recorded graph would freeze).
  at::_foreach_add_(steps_, 1);
  at::_fused_adam_(parameters_, gradients, exp_avg_, exp_avg_sq_, /*max_exp_avg_sqs=*/{}, steps_, learning_rate_,
                   kBeta1, kBeta2, /*weight_decay=*/0, kEpsilon, /*amsgrad=*/false, /*maximize=*/false);
}

Bf16Forward::Bf16Forward(bool on, c10::Device device, bool for_graph)
    : on_(on),
      type_(device.type()),
      was_enabled_(at::autocast::is_autocast_enabled(device.type())),
      was_dtype_(at::autocast::get_autocast_dtype(device.type())),
      cache_was_enabled_(at::autocast::is_autocast_cache_enabled()) {
  if (!on_) return;
  at::autocast::set_autocast_dtype(type_, at::kBFloat16);
  at::autocast::set_autocast_enabled(type_, true);
  if (for_graph) at::autocast::set_autocast_cache_enabled(false);
}

Bf16Forward::~Bf16Forward() {
  if (!on_) return;
  at::autocast::set_autocast_enabled(type_, was_enabled_);
  at::autocast::set_autocast_dtype(type_, was_dtype_);
  at::autocast::set_autocast_cache_enabled(cache_was_enabled_);
  // Cast weights are cached while autocast is on; they belong to this forward.
  if (!was_enabled_) at::autocast::clear_cache();
}

namespace {
void set_format(const torch::nn::Module& module, at::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  for (at::Tensor tensor : module.parameters())
    if (tensor.dim() == 4) tensor.set_data(tensor.contiguous(format));
  for (at::Tensor tensor : module.buffers())
    if (tensor.dim() == 4) tensor.set_data(tensor.contiguous(format));
}
}  // namespace

void set_memory_format(const Models& models, bool channels_last) {
  const at::MemoryFormat format = channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  set_format(*models.generator, format);
  set_format(*models.parser.network(), format);
}

double embedding_mb_per_image(int64_t size, bool bf16) {
  // About 2 GiB per image at 1024 in float32: the generator's saved
  // activations (about 8 maps per resolution, 32 channels at 1024, twice as
  // many each halving) dominate and scale with the pixels. bf16 halves the
  // maps autocast casts, not the float32 ones beside them. bench/gpu.sh
  // reports each stage's measured peak against this.
  const double pixels = static_cast<double>(size) * size / (1024.0 * 1024.0);
  return 2048.0 * pixels * (bf16 ? 0.6 : 1.0);
}

size_t images_per_batch_under_cap(const Models& models, const SpeedOptions& speed, size_t wanted) {
  if (speed.memory_cap_mb <= 0 || wanted <= 1) return std::max<size_t>(wanted, 1);
  const std::optional<CudaMemory> held = cuda_current(models.device);
  // 10% of the cap for the allocator's fragmentation.
  const double room = 0.9 * static_cast<double>(speed.memory_cap_mb) - (held ? held->reserved_mb : 0.0);
  const double fits = std::floor(room / embedding_mb_per_image(models.size(), speed.bf16));
  return static_cast<size_t>(std::clamp<double>(fits, 1, static_cast<double>(wanted)));
}

}  // namespace barbershop
