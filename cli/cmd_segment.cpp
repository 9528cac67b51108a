// `barbershop segment`: runs the face parser on one image (engine/tools.h).
#include "cli/commands.h"
#include "engine/error.h"
#include "engine/tools.h"

namespace barbershop::cli {
namespace {

const char kUsage[] =
    "usage: barbershop segment --parser seg.pth --image IMAGE --labels OUT.png\n"
    "                          [--logits OUT.npy] [--device auto|cpu|cuda[:N]]\n"
    "\n"
    "Labels a face image with Barbershop's 16-class BiSeNet face parser\n"
    "(0 = background, 10 = hair) at 512x512.\n"
    "\n"
    "  --parser PATH   Barbershop's seg.pth (16 classes)\n"
    "  --image PATH    aligned face, .png/.jpg or .npy ([3,H,W] in [-1,1]); square,\n"
    "                  side a multiple of 512 (bicubic downsampled) or a power of two\n"
    "                  below 512 (bicubic upsampled). A .png/.jpg is a photo: its\n"
    "                  resized pixels are clamped to [0,1] as the reference does for\n"
    "                  images read from disk. A .npy is a generator's output: no clamp,\n"
    "                  as the reference does for the generator's images.\n"
    "  --labels PATH   label map, 8-bit grey .png (values 0..15) or .npy\n"
    "  --logits PATH   also write the logits, float32 .npy [16,512,512]\n"
    "  --device NAME   where to run (default auto: cuda when available)\n";

int run(const Args& args) {
  tools::SegmentRequest request;
  request.parser = args.required("parser");
  request.image = args.required("image");
  request.labels = args.required("labels");
  request.logits = args.get("logits");
  request.device = args.get_or("device", "auto");
  tools::segment(request);
  return 0;
}

}  // namespace

const Command segment_command{"segment", kUsage, {"parser", "image", "labels", "logits", "device"}, {}, &run};

}  // namespace barbershop::cli
