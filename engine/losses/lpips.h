#pragma once
// LPIPS v0.1 "net-lin" on VGG16, plain and masked (docs/method.md, "Networks
// and files", "Blending"). Distances are per image, for images in [-1, 1].
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "engine/networks/vgg16.h"

namespace barbershop {

class Lpips {
 public:
  static constexpr int64_t kBlocks = 5;  // relu1_2 .. relu5_3

  // `heads_path`: the LPIPS project's vgg.pth (v0.1), with
  // `lin0..lin4.model.1.weight` of shape [1,C,1,1]. Throws barbershop::Error
  // naming the file. The heads move to the VGG's device.
  Lpips(Vgg16 vgg, const std::string& heads_path);
  // Heads given directly (tests).
  Lpips(Vgg16 vgg, std::vector<at::Tensor> heads);

  void to(c10::Device device);  // moves the VGG too (it is shared)

  // Channel-normalised VGG features of images [B,3,H,W] at blocks 1..up_to.
  // Precompute these for a fixed reference image that many steps compare to.
  std::vector<at::Tensor> features(const at::Tensor& images, int64_t up_to = kBlocks) const;

  // [B] distances summed over `blocks` (1-based, e.g. {1,2,3}).
  // `mask` undefined: spatial means. `mask` given ([H,W], [1,H,W] or
  // [B|1,1,H,W], any size): resized with nearest to each block in turn and
  // each block's mean becomes sum(x * mask) / sum(mask) per image; a block
  // where the mask is empty contributes 0 (the reference gives NaN there).
  at::Tensor distance(const std::vector<at::Tensor>& features_a,
                      const std::vector<at::Tensor>& features_b, const at::Tensor& mask = {},
                      const std::vector<int64_t>& blocks = {1, 2, 3, 4, 5}) const;
  at::Tensor operator()(const at::Tensor& a, const at::Tensor& b, const at::Tensor& mask = {},
                        const std::vector<int64_t>& blocks = {1, 2, 3, 4, 5}) const;

 private:
  at::Tensor scale_input(const at::Tensor& images) const;

  Vgg16 vgg_;
  std::vector<at::Tensor> heads_;  // [1,C,1,1] per block
  // The input scaling's constants [1,3,1,1], float32 on the VGG's device:
  // made once, so a step (and a recorded CUDA graph) copies nothing from the host.
  at::Tensor shift_, scale_;
};

}  // namespace barbershop
