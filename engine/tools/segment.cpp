// `barbershop segment` (engine/tools.h): runs the face parser on one image.
#include "engine/tools.h"

#include <torch/torch.h>

#include "engine/device.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/networks/bisenet.h"

namespace barbershop::tools {
namespace {

// Where the reference's preprocessing differs: images read from disk are
// clamped after resizing, the generator's outputs (kept as .npy) are not.
FaceParser::Source source_of(const std::string& path) {
  const std::string extension = path.size() >= 4 ? path.substr(path.size() - 4) : "";
  const bool npy = extension == ".npy" || extension == ".NPY";
  return npy ? FaceParser::Source::Render : FaceParser::Source::Photo;
}

}  // namespace

void segment(const SegmentRequest& request) {
  const std::string& image_path = request.image;
  const c10::Device device = parse_device(request.device);

  at::Tensor image = read_image(image_path).unsqueeze(0);
  try {
    FaceParser::check_input(image);
  } catch (const Error& error) {
    throw Error(image_path + ": " + error.what());
  }
  const FaceParser parser = FaceParser::load(request.parser, device);

  torch::NoGradGuard no_grad;
  const at::Tensor logits = parser.logits(image.to(device), source_of(image_path))[0].cpu();
  write_labels(request.labels, logits.argmax(0).to(torch::kUInt8));
  if (request.logits) write_npy(*request.logits, logits.contiguous());
}

}  // namespace barbershop::tools
