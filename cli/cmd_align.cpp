// `barbershop align`: finds a face in a photo and cuts out its FFHQ-aligned crop
// (engine/tools.h).
#include "cli/commands.h"
#include "engine/error.h"
#include "engine/tools.h"

namespace barbershop::cli {
namespace {

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
  tools::AlignRequest request;
  request.image = args.required("image");
  request.out = args.required("out");
  request.transform = args.get("transform");
  request.size = args.integer("size", request.size);
  request.face_index = args.integer("face-index", 0);
  tools::align(request);
  return 0;
}

}  // namespace

const Command align_command{"align", kUsage, {"image", "out", "transform", "face-index", "size"}, {}, &run};

}  // namespace barbershop::cli
