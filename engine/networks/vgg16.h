#pragma once
// VGG16's convolutional part (`features.0..30` in torchvision's layout): the
// backbone of LPIPS and of the masked style loss. Kept free of <torch/torch.h>.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/checkpoint/checkpoint.h"

namespace barbershop {

// Indices into `features` of the ReLU outputs the losses read.
namespace vgg16_layer {
constexpr int64_t relu1_2 = 3, relu2_2 = 8, relu3_3 = 15, relu4_3 = 22, relu5_3 = 29;
constexpr int64_t last = 30;  // the final max-pool
}  // namespace vgg16_layer

// Copies share one network, so LPIPS and the style loss can use the same weights.
class Vgg16 {
 public:
  // PyTorch's default (random) initialisation; for tests.
  Vgg16();
  // Reads `features.*` from torchvision's vgg16-397923af.pth (any checkpoint
  // format Checkpoint reads); `classifier.*` is ignored. Throws barbershop::Error
  // naming the file when a key or shape does not match.
  static Vgg16 load(const std::string& path, c10::Device device = c10::kCPU);
  void load_state(const StateDict& state, const std::string& file);

  void to(c10::Device device);
  c10::Device device() const;

  // Outputs of the `features` layers listed in `layers` (0..30, ascending),
  // for x [B,3,H,W] on the network's device; stops after the last one.
  // The weights are frozen: gradients flow to x only.
  std::vector<at::Tensor> activations(const at::Tensor& x, const std::vector<int64_t>& layers) const;

 private:
  struct Net;
  std::shared_ptr<Net> net_;
};

}  // namespace barbershop
