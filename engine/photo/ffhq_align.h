#pragma once
// The FFHQ face alignment (Karras et al. 2019, NVlabs/ffhq-dataset; the
// reference runs it as align_face.py): eye centres and mouth corners define
// an oriented square around the face, which is cut out of the photo (padded
// by reflection with blurred padding where it leaves the photo) and resampled
// to the generator's resolution. The square is kept as an AlignTransform so
// results can be put back into the photo (engine/photo/paste_back.h).
#include <ATen/core/Tensor.h>

#include <array>
#include <optional>
#include <string>

#include "engine/photo/face_landmarks.h"

namespace barbershop {

// x' = a x + b y + c, y' = d x + e y + f.
struct Affine {
  double a = 1, b = 0, c = 0, d = 0, e = 1, f = 0;
  Point operator()(Point p) const { return {a * p.x + b * p.y + c, d * p.x + e * p.y + f}; }
  Affine inverse() const;
  Affine then(const Affine& next) const;  // next(this(p))
};

struct AlignTransform {
  // The aligned square in the photo (pixel centres on integers), in FFHQ's
  // order: the aligned image's top-left, bottom-left, bottom-right and
  // top-right corners (outer pixel edges, not pixel centres).
  std::array<Point, 4> quad;
  int64_t size = 0;  // the aligned image is size x size pixels
  int64_t photo_width = 0, photo_height = 0;

  // Pixel centres of a grid x grid image of the square -> photo pixel
  // centres. Affine: the quad is a square.
  Affine to_photo(int64_t grid) const;
  Affine to_photo() const { return to_photo(size); }
  Affine to_aligned() const { return to_photo().inverse(); }
  double side() const;  // the square's side in photo pixels
  // {"size", "photo_width", "photo_height", "quad": [[x, y] x4], "aligned_to_photo": [[a, b, c], [d, e, f]]}
  std::string to_json() const;
};

// FFHQ's square for `face` in a photo of that size, for a size x size output.
AlignTransform ffhq_transform(const FaceLandmarks& face, int64_t size, int64_t photo_width, int64_t photo_height);

// FFHQ's aligned crop of `photo` ([3,H,W] in [-1,1]) -> [3,size,size]:
// shrink big faces, crop, reflect-pad with blurred padding, bilinear warp at
// 4x the output size and antialiased down to it, as FFHQ does at 4096 -> 1024
// (bicubic where FFHQ has Lanczos: ATen has no fast Lanczos).
at::Tensor align_image(const at::Tensor& photo, const AlignTransform& transform);

// A photo-sized mask [H,W] warped into the square (bilinear, 0 outside the
// photo) -> [size,size].
at::Tensor align_mask(const at::Tensor& mask, const AlignTransform& transform);

// An image or mask of the square ([C,n,n] any n, or [n,n]) warped back into
// the photo -> [C,H,W] (or [H,W]), 0 outside the square. Bicubic (clamped to
// [-1,1]) when `smooth_image`, else bilinear; averaged down first when the
// face is smaller in the photo than n, so nothing aliases.
at::Tensor unalign(const at::Tensor& aligned, const AlignTransform& transform, bool smooth_image);

// Which face of a photo: `index` in order of size (0 = largest), or, when
// `within` is set (a selection in the plug-in), the largest face whose box
// centre lies inside it.
struct FaceChoice {
  int64_t index = 0;
  std::optional<FaceBox> within;
};

struct AlignedFace {
  at::Tensor image;  // [3,size,size] in [-1,1]
  AlignTransform transform;
  FaceLandmarks face;
};

// Finds the faces of `photo`, picks one and aligns it. Throws
// barbershop::Error naming `what` ("the identity image") when there is no
// such face.
AlignedFace align_face(const FaceFinder& finder, const at::Tensor& photo, int64_t size, const FaceChoice& choice = {},
                       const std::string& what = "the photo");
// The same for a face already found.
AlignedFace align_face(const FaceLandmarks& face, const at::Tensor& photo, int64_t size);

// The chosen face of `faces` (largest first); throws barbershop::Error
// naming `what` when there is none.
const FaceLandmarks& choose_face(const std::vector<FaceLandmarks>& faces, const FaceChoice& choice,
                                 const std::string& what);

// True when a width x height image already is FFHQ's crop of `face`: square,
// and aligning it again would move the eyes by at most ~1% of its side.
bool is_aligned_crop(const FaceLandmarks& face, int64_t width, int64_t height);

}  // namespace barbershop
