#include "engine/losses/lpips.h"

#include <torch/torch.h>

#include <algorithm>

#include "engine/error.h"

namespace barbershop {
namespace {

constexpr int64_t kLayers[Lpips::kBlocks] = {vgg16_layer::relu1_2, vgg16_layer::relu2_2,
                                             vgg16_layer::relu3_3, vgg16_layer::relu4_3,
                                             vgg16_layer::relu5_3};
constexpr int64_t kChannels[Lpips::kBlocks] = {64, 128, 256, 512, 512};

// The fixed input scaling of LPIPS v0.1 (its "ScalingLayer"), per channel.
at::Tensor input_shift(c10::Device device) {
  return torch::tensor({-0.030, -0.088, -0.188}, at::TensorOptions(device).dtype(at::kFloat)).view({1, 3, 1, 1});
}
at::Tensor input_scale(c10::Device device) {
  return torch::tensor({0.458, 0.448, 0.450}, at::TensorOptions(device).dtype(at::kFloat)).view({1, 3, 1, 1});
}

// x / (|x| + 1e-10) over channels. The 1e-20 under the root changes no float
// value but keeps the gradient finite where a whole feature vector is zero
// (after a ReLU), which would otherwise turn into NaN.
at::Tensor normalise_channels(const at::Tensor& x) {
  const at::Tensor norm = (x.pow(2).sum(1, /*keepdim=*/true) + 1e-20).sqrt();
  return x / (norm + 1e-10);
}

std::vector<at::Tensor> read_heads(const std::string& path) {
  const StateDict state = Checkpoint::load(path).state_dict();
  std::vector<at::Tensor> heads;
  for (int64_t k = 0; k < Lpips::kBlocks; ++k) {
    const std::string key = "lin" + std::to_string(k) + ".model.1.weight";
    const auto found = state.find(key);
    if (found == state.end())
      throw Error(path + ": key '" + key + "' is missing; is this LPIPS' vgg.pth (v0.1)?");
    heads.push_back(found->second);
  }
  return heads;
}

// Nearest resizing of a [N,1,h,w] mask, as torch's interpolate(mode="nearest").
at::Tensor resize_nearest(const at::Tensor& mask, int64_t height, int64_t width) {
  namespace F = torch::nn::functional;
  return F::interpolate(mask, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{height, width})
                                  .mode(torch::kNearest));
}

at::Tensor as_4d_mask(const at::Tensor& mask) {
  if (mask.dim() == 2) return mask.view({1, 1, mask.size(0), mask.size(1)});
  if (mask.dim() == 3 && mask.size(0) == 1) return mask.unsqueeze(0);
  if (mask.dim() == 4 && mask.size(1) == 1) return mask;
  throw Error("LPIPS mask must be [H,W], [1,H,W] or [B,1,H,W], got " +
              shape_string(mask.sizes().vec()));
}

// sum(x * mask) / sum(mask) per image; 0 where the mask is empty. The
// denominator is made safe before dividing so the gradient stays finite too.
at::Tensor masked_mean(const at::Tensor& x, const at::Tensor& mask) {
  const at::Tensor total = (x * mask).sum({1, 2, 3});
  const at::Tensor area = mask.sum({1, 2, 3}).expand_as(total);
  const at::Tensor empty = area <= 0;
  return at::where(empty, at::zeros_like(total), total / at::where(empty, at::ones_like(area), area));
}

}  // namespace

Lpips::Lpips(Vgg16 vgg, const std::string& heads_path) : Lpips(std::move(vgg), read_heads(heads_path)) {}

Lpips::Lpips(Vgg16 vgg, std::vector<at::Tensor> heads) : vgg_(std::move(vgg)), heads_(std::move(heads)) {
  if (heads_.size() != kBlocks) throw Error("LPIPS needs 5 heads");
  for (int64_t k = 0; k < kBlocks; ++k) {
    if (heads_[k].sizes() != at::IntArrayRef({1, kChannels[k], 1, 1}))
      throw Error("LPIPS head lin" + std::to_string(k) + " has shape " +
                  shape_string(heads_[k].sizes().vec()) + ", expected " +
                  shape_string({1, kChannels[k], 1, 1}));
    heads_[k] = heads_[k].to(vgg_.device(), at::kFloat).detach();
  }
  shift_ = input_shift(vgg_.device());
  scale_ = input_scale(vgg_.device());
}

void Lpips::to(c10::Device device) {
  vgg_.to(device);
  for (auto& head : heads_) head = head.to(device);
  shift_ = shift_.to(device);
  scale_ = scale_.to(device);
}

at::Tensor Lpips::scale_input(const at::Tensor& images) const {
  // In the images' precision, as the reference's constants take it: float32
  // values cast on the device give the same bf16 (or half) ones that casting
  // the decimal constants gives, since c10 casts doubles to those via float.
  const at::ScalarType dtype = images.scalar_type();
  return (images - shift_.to(dtype)) / scale_.to(dtype);
}

std::vector<at::Tensor> Lpips::features(const at::Tensor& images, int64_t up_to) const {
  if (up_to < 1 || up_to > kBlocks) throw Error("LPIPS blocks are 1..5");
  std::vector<at::Tensor> out =
      vgg_.activations(scale_input(images), std::vector<int64_t>(kLayers, kLayers + up_to));
  for (auto& f : out) f = normalise_channels(f);
  return out;
}

at::Tensor Lpips::distance(const std::vector<at::Tensor>& features_a,
                           const std::vector<at::Tensor>& features_b, const at::Tensor& mask,
                           const std::vector<int64_t>& blocks) const {
  if (blocks.empty()) throw Error("LPIPS needs at least one block");
  const int64_t up_to = *std::max_element(blocks.begin(), blocks.end());
  if (*std::min_element(blocks.begin(), blocks.end()) < 1 || up_to > kBlocks)
    throw Error("LPIPS blocks are 1..5");
  if (static_cast<int64_t>(std::min(features_a.size(), features_b.size())) < up_to)
    throw Error("LPIPS features do not reach block " + std::to_string(up_to));

  // The reference resizes the mask level by level, each from the previous one.
  at::Tensor level_mask = mask.defined() ? as_4d_mask(mask).to(features_a[0].options()) : mask;
  at::Tensor total;
  for (int64_t k = 0; k < up_to; ++k) {
    const at::Tensor& a = features_a[k];
    if (mask.defined()) level_mask = resize_nearest(level_mask, a.size(2), a.size(3));
    if (std::find(blocks.begin(), blocks.end(), k + 1) == blocks.end()) continue;
    const at::Tensor weighted = at::conv2d((a - features_b[k]).pow(2), heads_[k]);
    const at::Tensor term = mask.defined() ? masked_mean(weighted, level_mask)
                                           : weighted.mean({1, 2, 3});
    total = total.defined() ? total + term : term;
  }
  return total;
}

at::Tensor Lpips::operator()(const at::Tensor& a, const at::Tensor& b, const at::Tensor& mask,
                             const std::vector<int64_t>& blocks) const {
  const int64_t up_to = blocks.empty() ? kBlocks : *std::max_element(blocks.begin(), blocks.end());
  return distance(features(a, up_to), features(b, up_to), mask, blocks);
}

}  // namespace barbershop
