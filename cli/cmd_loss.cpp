// `barbershop loss`: one perceptual loss between two images, printed alone,
// so scripts can compare the engine with other implementations (engine/tools.h).
#include <cstdio>

#include "cli/commands.h"
#include "engine/error.h"
#include "engine/tools.h"

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

int run(const Args& args) {
  if (args.positional().size() != 1)
    throw Error("`barbershop loss` takes one kind: lpips, masked-lpips, style or l2");
  tools::LossRequest request;
  request.kind = args.positional()[0];
  request.a = args.required("a");
  request.b = args.required("b");
  request.vgg = args.get("vgg");
  request.lpips = args.get("lpips");
  request.mask = args.get("mask");
  request.mask_b = args.get("mask-b");
  request.blocks = args.get("blocks");
  std::printf("%.9g\n", tools::loss(request));
  return 0;
}

}  // namespace

const Command loss_command{"loss", kUsage, {"a", "b", "vgg", "lpips", "mask", "mask-b", "blocks"}, {}, &run};

}  // namespace barbershop::cli
