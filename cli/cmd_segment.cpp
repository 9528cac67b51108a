// `barbershop segment`: runs the face parser on one image.
#include <torch/torch.h>

#include "cli/commands.h"
#include "engine/device.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/networks/bisenet.h"

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
    "                  below 512 (bicubic upsampled)\n"
    "  --labels PATH   label map, 8-bit grey .png (values 0..15) or .npy\n"
    "  --logits PATH   also write the logits, float32 .npy [16,512,512]\n"
    "  --device NAME   where to run (default auto: cuda when available)\n";

int run(const Args& args) {
  const std::string parser_path = args.required("parser");
  const std::string image_path = args.required("image");
  const std::string labels_path = args.required("labels");
  const auto logits_path = args.get("logits");
  const c10::Device device = parse_device(args.get_or("device", "auto"));

  at::Tensor image = read_image(image_path).unsqueeze(0);
  try {
    FaceParser::check_input(image);
  } catch (const Error& error) {
    throw Error(image_path + ": " + error.what());
  }
  const FaceParser parser = FaceParser::load(parser_path, device);

  torch::NoGradGuard no_grad;
  // A file on disk is a photo: Barbershop clamps its resized pixels to [0,1].
  const at::Tensor logits = parser.logits(image.to(device), FaceParser::Source::Photo)[0].cpu();
  write_labels(labels_path, logits.argmax(0).to(torch::kUInt8));
  if (logits_path) write_npy(*logits_path, logits.contiguous());
  return 0;
}

}  // namespace

const Command segment_command{"segment", kUsage, {"parser", "image", "labels", "logits", "device"}, {}, &run};

}  // namespace barbershop::cli
