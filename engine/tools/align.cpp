// `barbershop align` (engine/tools.h): finds a face in a photo and cuts out its
// FFHQ-aligned crop.
#include "engine/tools.h"

#include <ATen/ATen.h>

#include "engine/error.h"
#include "engine/files.h"
#include "engine/io/image.h"
#include "engine/photo/ffhq_align.h"

namespace barbershop::tools {
void align(const AlignRequest& request) {
  const std::string& image_path = request.image;
  const int64_t size = request.size;
  if (size < 1) throw Error("--size takes a positive number of pixels");
  FaceChoice choice;
  choice.index = request.face_index;

  const at::Tensor photo = read_image(image_path);
  const FaceFinder finder;
  const AlignedFace aligned = align_face(finder, photo, size, choice, image_path);
  write_image(request.out, aligned.image);
  if (request.transform) write_file_atomically(*request.transform, aligned.transform.to_json());
}

}  // namespace barbershop::tools
