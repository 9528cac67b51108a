// `barbershop align`: finds a face in a photo and cuts out its FFHQ-aligned crop.
#include <ATen/ATen.h>

#include "cli/commands.h"
#include "engine/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/image.h"
#include "engine/photo/ffhq_align.h"

namespace barbershop::cli {
namespace {

constexpr int64_t kFfhqSize = 1024;

const char kUsage[] = R"(usage: barbershop align --image PHOTO --out ALIGNED.png [--transform T.json] [--face-index N] [--size N]

Finds the faces in a photo (dlib's detector and 68 landmarks) and writes the
chosen face as FFHQ aligns it: a square around eyes and mouth, rotated
upright, padded by blurred reflection where it leaves the photo.

  --image PHOTO      .png/.jpg (or .npy [3,H,W] in [-1,1])
  --out PATH         the aligned crop, .png or .npy
  --transform PATH   also write where the crop lies in the photo, as JSON: "quad" holds
                     the crop's top-left, bottom-left, bottom-right, top-right corners in
                     photo pixels (pixel centres on integers); "aligned_to_photo" the
                     affine map [[a, b, c], [d, e, f]] of crop pixel (x, y) to the photo
  --face-index N     which face, numbered by size: 0 (default) is the largest
  --size N           side of the crop in pixels (default 1024, FFHQ's)
$BARBERSHOP_LANDMARKS names another shape_predictor_68_face_landmarks.dat.
)";

int run(const Args& args) {
  const std::string image_path = args.required("image");
  const std::string out = args.required("out");
  const auto transform_path = args.get("transform");
  const int64_t size = args.integer("size", kFfhqSize);
  if (size < 1) throw Error("--size takes a positive number of pixels");
  FaceChoice choice;
  choice.index = args.integer("face-index", 0);

  const at::Tensor photo = read_image(image_path);
  const FaceFinder finder;
  const AlignedFace aligned = align_face(finder, photo, size, choice, image_path);
  write_image(out, aligned.image);
  if (transform_path) write_file_atomically(*transform_path, aligned.transform.to_json());
  return 0;
}

}  // namespace

const Command align_command{"align", kUsage, {"image", "out", "transform", "face-index", "size"}, {}, &run};

}  // namespace barbershop::cli
