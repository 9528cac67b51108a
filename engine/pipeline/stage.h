#pragma once
// What every stage of the method shares: the loaded networks, the settings,
// the host's progress/cancel channel and the noise source, plus the few
// operations all stages use in the same way.
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/pipeline/models.h"
#include "engine/pipeline/progress.h"
#include "engine/settings.h"

namespace barbershop {

// F is the feature map after block 3 (32x32 at every generator size);
// S are the codes from index 7 on, the ones the blocks after F use. At 1024
// this is the reference's n - 11; unlike n - 11 it also holds for 64..512.
constexpr int64_t kFBlock = 3;
constexpr int64_t kSIndex = 2 * (kFBlock + 1) - 1;
// The codes the target-mask and alignment optimisations change.
constexpr int64_t kCoarseCodes = 6;
constexpr int64_t kLossSize = 256;  // resolution of the perceptual and style losses

struct StageContext {
  const Models& models;
  const TransferSettings& settings;
  const TransferProgress& progress;
  stylegan2::Noise noise;  // stored buffers, or a seeded generator drawn from at every call
};

// Adam (lr from the settings) on `parameters` for `steps` steps. Each step
// calls `loss` (which builds the codes, renders and keeps whatever it must
// hand on: the reference hands on the state of the last forward), then
// back-propagates, steps, calls `after_step` and reports progress. How, the
// settings' SpeedOptions say: torch::optim::Adam or the fused update, bf16
// autocast of the forward, or (CUDA, stored noise) a recorded CUDA graph, in
// which `loss` runs once and must read and write only device tensors whose
// shapes do not change. No step waits for the device (no host reads).
void optimise(const StageContext& context, const std::string& stage, int steps,
              const std::vector<at::Tensor>& parameters, const std::function<at::Tensor()>& loss,
              const std::function<void()>& after_step = nullptr);

// Whether optimise() records CUDA graphs in this context.
bool records_cuda_graphs(const StageContext& context);

// Generator output [B,3,R,R] -> [B,3,256,256] as the reference does it: the
// bicubic downsampler with factor R/256. Below 256 (small test generators)
// bilinear upsampling, an engine choice: the reference has no such case.
at::Tensor resize_to_loss_size(const at::Tensor& images);

// labels == hair as float 0/1, same shape.
at::Tensor hair_of(const at::Tensor& labels);

// Masks [H,W] or [B,1,H,W] -> [B,1,size,size] float, nearest neighbour.
at::Tensor resize_nearest(const at::Tensor& masks, int64_t size);

// Cross-entropy averaged with per-class weights, as torch's weighted
// CrossEntropyLoss, except that a target with zero total weight gives 0
// instead of NaN. logits [B,C,H,W], target [B,H,W] int64.
at::Tensor cross_entropy(const at::Tensor& logits, const at::Tensor& target,
                         const at::Tensor& class_weights = {});

// The W+ codes [1,n,512] built from `head` for codes below `split` and
// `tail` from there on (both [1,n,512]).
at::Tensor splice_codes(const at::Tensor& head, const at::Tensor& tail, int64_t split);

}  // namespace barbershop
