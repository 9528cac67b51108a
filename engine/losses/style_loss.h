#pragma once
// The masked style loss of alignment step 2 (docs/method.md, "Alignment"), without its
// 4e4 weight: Gram matrices of VGG16 activations of masked images, compared
// by mean squared error and averaged over the layers.
#include <ATen/core/Tensor.h>

#include <vector>

#include "engine/networks/vgg16.h"

namespace barbershop {

// Activations [N,C,H,W] read as N*C rows of H*W: rows x rows^T / (N*C*H*W).
// (With N > 1 the rows of all images mix, as in the reference.)
at::Tensor gram_matrix(const at::Tensor& activations);

class StyleLoss {
 public:
  static constexpr int64_t kSize = 256;  // images are resized to this height first

  explicit StyleLoss(Vgg16 vgg, std::vector<int64_t> layers = {vgg16_layer::relu1_2,
                                                               vgg16_layer::relu2_2,
                                                               vgg16_layer::relu3_3,
                                                               vgg16_layer::relu4_3});

  // Grams of the region `mask` ([H,W], [1,H,W] or [N,1,H,W]) of images
  // [N,3,H,W] in [-1,1]: the image times the mask, resized bilinearly
  // (align_corners) to height 256, VGG16 activations (no ImageNet
  // normalisation, as the reference) times the mask resized nearest to each.
  std::vector<at::Tensor> grams(const at::Tensor& images, const at::Tensor& mask) const;

  // Mean over layers of MSE(reference Gram, Gram of `images` in `mask`).
  at::Tensor operator()(const std::vector<at::Tensor>& reference_grams, const at::Tensor& images,
                        const at::Tensor& mask) const;
  // The same with the reference's Grams computed here, without gradient.
  at::Tensor operator()(const at::Tensor& reference, const at::Tensor& reference_mask,
                        const at::Tensor& images, const at::Tensor& mask) const;

 private:
  Vgg16 vgg_;
  std::vector<int64_t> layers_;
};

}  // namespace barbershop
