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
    "                  below 512 (bicubic upsampled). A .png/.jpg is a photo: its\n"
    "                  resized pixels are clamped to [0,1] as the reference does for\n"
    "                  images read from disk. A .npy is a generator's output: no clamp,\n"
    "                  as the reference does for the generator's images.\n"
    "  --labels PATH   label map, 8-bit grey .png (values 0..15) or .npy\n"
    "  --logits PATH   also write the logits, float32 .npy [16,512,512]\n"
    "  --device NAME   where to run (default auto: cuda when available)\n";

// Where the reference's preprocessing differs: images read from disk are
// clamped after resizing, the generator's outputs (kept as .npy) are not.
FaceParser::Source source_of(const std::string& path) {
  const std::string extension = path.size() >= 4 ? path.substr(path.size() - 4) : "";
  const bool npy = extension == ".npy" || extension == ".NPY";
  return npy ? FaceParser::Source::Render : FaceParser::Source::Photo;
}

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
  const at::Tensor logits = parser.logits(image.to(device), source_of(image_path))[0].cpu();
  write_labels(labels_path, logits.argmax(0).to(torch::kUInt8));
  if (logits_path) write_npy(*logits_path, logits.contiguous());
  return 0;
}

}  // namespace

const Command segment_command{"segment", kUsage, {"parser", "image", "labels", "logits", "device"}, {}, &run};

}  // namespace barbershop::cli
