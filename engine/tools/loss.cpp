// `barbershop loss` (engine/tools.h): one perceptual loss between two images.
#include "engine/tools.h"

#include <torch/torch.h>

#include <sstream>

#include "engine/error.h"
#include "engine/io/npy.h"
#include "engine/losses/lpips.h"
#include "engine/losses/style_loss.h"
#include "engine/networks/vgg16.h"

namespace barbershop::tools {
namespace {

// An image as [1,3,H,W] float.
at::Tensor read_image(const std::string& path) {
  at::Tensor image = read_npy(path).to(at::kFloat);
  if (image.dim() == 4 && image.size(0) == 1) image = image[0];
  if (image.dim() != 3 || image.size(0) != 3)
    throw Error(path + ": image has shape " + shape_string(image.sizes().vec()) +
                ", expected [3,H,W] or [1,3,H,W]");
  return image.unsqueeze(0);
}

// A mask as [1,1,H,W] float matching the image; all ones when not given.
at::Tensor read_mask(const std::optional<std::string>& path, const at::Tensor& image) {
  if (!path) return at::ones({1, 1, image.size(2), image.size(3)});
  at::Tensor mask = read_npy(*path).to(at::kFloat);
  while (mask.dim() > 2 && mask.size(0) == 1) mask = mask[0];
  if (mask.dim() != 2 || mask.size(0) != image.size(2) || mask.size(1) != image.size(3))
    throw Error(*path + ": mask has shape " + shape_string(mask.sizes().vec()) + ", expected [" +
                std::to_string(image.size(2)) + ", " + std::to_string(image.size(3)) + "]");
  return mask.view({1, 1, mask.size(0), mask.size(1)});
}

std::vector<int64_t> parse_blocks(const std::string& text) {
  std::vector<int64_t> blocks;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      const int64_t block = std::stoll(item, &used);
      if (used == item.size() && block >= 1 && block <= Lpips::kBlocks) {
        blocks.push_back(block);
        continue;
      }
    } catch (const std::exception&) {
    }
    throw Error("--blocks takes comma-separated numbers in 1..5, not '" + text + "'");
  }
  if (blocks.empty()) throw Error("--blocks needs at least one block");
  return blocks;
}

// A path the loss needs, as the CLI's message for a missing flag says it.
std::string required(const std::optional<std::string>& path, const std::string& flag) {
  if (!path) throw Error("`barbershop loss` needs --" + flag + "; see `barbershop loss --help`");
  return *path;
}

at::Tensor lpips_value(const LossRequest& request, const at::Tensor& a, const at::Tensor& b) {
  const bool masked = request.kind == "masked-lpips";
  if (!masked && request.mask) throw Error("`loss lpips` takes no --mask; use masked-lpips");
  const Lpips lpips(Vgg16::load(required(request.vgg, "vgg")), required(request.lpips, "lpips"));
  const auto blocks = parse_blocks(request.blocks.value_or(masked ? "1,2,3" : "1,2,3,4,5"));
  const at::Tensor mask = masked ? read_mask(required(request.mask, "mask"), a) : at::Tensor();
  return lpips(a, b, mask, blocks);
}

at::Tensor style_value(const LossRequest& request, const at::Tensor& a, const at::Tensor& b) {
  const StyleLoss style(Vgg16::load(required(request.vgg, "vgg")));
  return style(a, read_mask(request.mask, a), b, read_mask(request.mask_b, b));
}

}  // namespace

double loss(const LossRequest& request) {
  const std::string& kind = request.kind;
  if (kind != "lpips" && kind != "masked-lpips" && kind != "style" && kind != "l2")
    throw Error("unknown loss '" + kind + "'; use lpips, masked-lpips, style or l2");
  const at::Tensor a = read_image(request.a);
  const at::Tensor b = read_image(request.b);
  if (a.sizes() != b.sizes())
    throw Error("--a and --b differ in shape: " + shape_string(a.sizes().vec()) + " vs " +
                shape_string(b.sizes().vec()));

  torch::NoGradGuard no_grad;
  at::Tensor value;
  if (kind == "l2") value = at::mse_loss(a, b);
  else if (kind == "style") value = style_value(request, a, b);
  else value = lpips_value(request, a, b);
  return value.sum().item<double>();
}

}  // namespace barbershop::tools
