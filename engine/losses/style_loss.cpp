#include "engine/losses/style_loss.h"

#include <torch/torch.h>

#include <cmath>

#include "engine/error.h"

namespace barbershop {
namespace {

namespace F = torch::nn::functional;

at::Tensor as_4d_mask(const at::Tensor& mask, const at::Tensor& images) {
  at::Tensor m = mask;
  if (m.dim() == 2) m = m.view({1, 1, m.size(0), m.size(1)});
  else if (m.dim() == 3 && m.size(0) == 1) m = m.unsqueeze(0);
  if (m.dim() != 4 || m.size(1) != 1 || m.size(2) != images.size(2) || m.size(3) != images.size(3))
    throw Error("style loss: mask " + shape_string(mask.sizes().vec()) +
                " does not match images " + shape_string(images.sizes().vec()));
  return m.to(images.options());
}

// The reference scales both sides by 256 / H (PyTorch computes the output
// size as floor(size * scale) in double); align_corners makes the source
// positions depend on the sizes only.
at::Tensor resize_to_style_height(const at::Tensor& images) {
  const double scale = static_cast<double>(StyleLoss::kSize) / images.size(2);
  const auto width = static_cast<int64_t>(std::floor(images.size(3) * scale));
  if (images.size(2) == StyleLoss::kSize && width == images.size(3)) return images;
  return F::interpolate(images, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{StyleLoss::kSize, width})
                                    .mode(torch::kBilinear)
                                    .align_corners(true));
}

}  // namespace

at::Tensor gram_matrix(const at::Tensor& activations) {
  const at::Tensor rows = activations.reshape({activations.size(0) * activations.size(1), -1});
  return at::mm(rows, rows.t()) / static_cast<double>(activations.numel());
}

StyleLoss::StyleLoss(Vgg16 vgg, std::vector<int64_t> layers)
    : vgg_(std::move(vgg)), layers_(std::move(layers)) {}

std::vector<at::Tensor> StyleLoss::grams(const at::Tensor& images, const at::Tensor& mask) const {
  const at::Tensor m = as_4d_mask(mask, images);
  std::vector<at::Tensor> out = vgg_.activations(resize_to_style_height(images * m), layers_);
  for (auto& activation : out) {
    const at::Tensor level_mask = F::interpolate(
        m, F::InterpolateFuncOptions()
               .size(std::vector<int64_t>{activation.size(2), activation.size(3)})
               .mode(torch::kNearest));
    activation = gram_matrix(activation * level_mask);
  }
  return out;
}

at::Tensor StyleLoss::operator()(const std::vector<at::Tensor>& reference_grams,
                                 const at::Tensor& images, const at::Tensor& mask) const {
  const std::vector<at::Tensor> current = grams(images, mask);
  if (reference_grams.size() != current.size())
    throw Error("style loss: " + std::to_string(reference_grams.size()) +
                " reference Grams for " + std::to_string(current.size()) + " layers");
  at::Tensor total = at::zeros({}, images.options());
  for (size_t i = 0; i < current.size(); ++i) total = total + at::mse_loss(current[i], reference_grams[i]);
  return total / static_cast<double>(current.size());
}

at::Tensor StyleLoss::operator()(const at::Tensor& reference, const at::Tensor& reference_mask,
                                 const at::Tensor& images, const at::Tensor& mask) const {
  std::vector<at::Tensor> reference_grams;
  {
    torch::NoGradGuard no_grad;
    reference_grams = grams(reference, reference_mask);
  }
  return (*this)(reference_grams, images, mask);
}

}  // namespace barbershop
