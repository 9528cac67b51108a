// `barbershop loss`: one perceptual loss between two images, printed alone,
// so scripts can compare the engine with other implementations.
#include <torch/torch.h>

#include <cstdio>
#include <sstream>

#include "cli/commands.h"
#include "engine/error.h"
#include "engine/io/npy.h"
#include "engine/losses/lpips.h"
#include "engine/losses/style_loss.h"
#include "engine/networks/vgg16.h"

namespace barbershop::cli {
namespace {

const char kUsage[] =
    "usage: barbershop loss lpips|masked-lpips|style|l2 --a A.npy --b B.npy\n"
    "                       [--vgg vgg16.pth] [--lpips vgg.pth]\n"
    "                       [--mask M.npy] [--mask-b M.npy] [--blocks 1,2,3]\n"
    "\n"
    "Prints the loss between images A and B (float .npy [3,H,W] or [1,3,H,W] in [-1,1]).\n"
    "\n"
    "  lpips         LPIPS v0.1 (VGG, net-lin) over --blocks (default 1,2,3,4,5)\n"
    "  masked-lpips  LPIPS with spatial means restricted to --mask, over --blocks\n"
    "                (default 1,2,3, as in blending); an empty mask gives 0\n"
    "  style         mean over relu1_2, relu2_2, relu3_3, relu4_3 of the MSE between\n"
    "                Gram matrices of the masked images (without the 4e4 weight)\n"
    "  l2            mean squared error\n"
    "\n"
    "  --vgg PATH     torchvision's vgg16-397923af.pth (lpips, masked-lpips, style)\n"
    "  --lpips PATH   the LPIPS heads, vgg.pth v0.1 (lpips, masked-lpips)\n"
    "  --mask PATH    mask .npy [H,W], 1 inside the region: masked-lpips' mask, or\n"
    "                 style's mask for A (default: everywhere)\n"
    "  --mask-b PATH  style's mask for B (default: everywhere)\n"
    "  --blocks LIST  comma-separated LPIPS blocks in 1..5\n";

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

at::Tensor lpips_value(const Args& args, const std::string& kind, const at::Tensor& a,
                       const at::Tensor& b) {
  const bool masked = kind == "masked-lpips";
  if (!masked && args.get("mask")) throw Error("`loss lpips` takes no --mask; use masked-lpips");
  const Lpips lpips(Vgg16::load(args.required("vgg")), args.required("lpips"));
  const auto blocks = parse_blocks(args.get_or("blocks", masked ? "1,2,3" : "1,2,3,4,5"));
  const at::Tensor mask = masked ? read_mask(args.required("mask"), a) : at::Tensor();
  return lpips(a, b, mask, blocks);
}

at::Tensor style_value(const Args& args, const at::Tensor& a, const at::Tensor& b) {
  const StyleLoss style(Vgg16::load(args.required("vgg")));
  return style(a, read_mask(args.get("mask"), a), b, read_mask(args.get("mask-b"), b));
}

int run(const Args& args) {
  if (args.positional().size() != 1)
    throw Error("`barbershop loss` takes one kind: lpips, masked-lpips, style or l2");
  const std::string kind = args.positional()[0];
  if (kind != "lpips" && kind != "masked-lpips" && kind != "style" && kind != "l2")
    throw Error("unknown loss '" + kind + "'; use lpips, masked-lpips, style or l2");
  const at::Tensor a = read_image(args.required("a"));
  const at::Tensor b = read_image(args.required("b"));
  if (a.sizes() != b.sizes())
    throw Error("--a and --b differ in shape: " + shape_string(a.sizes().vec()) + " vs " +
                shape_string(b.sizes().vec()));

  torch::NoGradGuard no_grad;
  at::Tensor value;
  if (kind == "l2") value = at::mse_loss(a, b);
  else if (kind == "style") value = style_value(args, a, b);
  else value = lpips_value(args, kind, a, b);
  std::printf("%.9g\n", value.sum().item<double>());
  return 0;
}

}  // namespace

const Command loss_command{"loss", kUsage, {"a", "b", "vgg", "lpips", "mask", "mask-b", "blocks"}, {}, &run};

}  // namespace barbershop::cli
