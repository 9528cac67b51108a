#pragma once
// How the optimisation steps run (SpeedOptions, engine/settings.h): the fused Adam
// update, bf16 autocast of the networks' forwards, the networks' memory
// format and the size of the embedding micro-batches.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

#include "engine/settings.h"

namespace barbershop {

struct Models;

// Adam with torch::optim::Adam's defaults (betas 0.9 / 0.999, eps 1e-8, no
// weight decay) as one _fused_adam_ call over all parameters. Its step
// counts live in tensors on the parameters' device, so a CUDA graph can
// record the update and replay it.
class FusedAdam {
 public:
  FusedAdam(std::vector<at::Tensor> parameters, double learning_rate);
  // Drops the gradients (the next backward allocates them anew).
  void zero_grad();
  void step();

 private:
  std::vector<at::Tensor> parameters_, exp_avg_, exp_avg_sq_, steps_;
  double learning_rate_;
};

// While alive (and `on`), the forwards of the networks run in bfloat16
// autocast on `device`'s type: convolutions and matrix products in bf16,
// reductions and losses in float32 (LibTorch's autocast lists). `for_graph`
// turns off autocast's weight cache, which a CUDA graph cannot hold.
class Bf16Forward {
 public:
  Bf16Forward(bool on, c10::Device device, bool for_graph = false);
  ~Bf16Forward();
  Bf16Forward(const Bf16Forward&) = delete;
  Bf16Forward& operator=(const Bf16Forward&) = delete;

 private:
  bool on_;
  c10::DeviceType type_;
  bool was_enabled_;
  at::ScalarType was_dtype_;
  bool cache_was_enabled_;
};

// The generator's and the parser's 4-D weights and buffers (so their
// convolutions' activations) in channels-last layout, or back in the
// contiguous one.
void set_memory_format(const Models& models, bool channels_last);

// How many distinct images to embed together under `speed.memory_cap_mb`
// (at least 1, at most `wanted`): an estimate of what one image's
// embedding step holds on the device at the generator's size, against the cap
// less what the device holds already. `wanted` unchanged without a cap.
size_t images_per_batch_under_cap(const Models& models, const SpeedOptions& speed, size_t wanted);

// MiB an embedding step holds per image at the generator's `size`
// (activations for the backward of the generator, LPIPS' VGG at 256 and the
// losses), in float32 or bf16.
double embedding_mb_per_image(int64_t size, bool bf16);

}  // namespace barbershop
