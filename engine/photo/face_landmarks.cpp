#include "engine/photo/face_landmarks.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "engine/error.h"

#ifdef BARBERSHOP_WITH_DLIB
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <dlib/matrix.h>
#include <dlib/pixel.h>
#include <dlib/serialize.h>
#endif

namespace barbershop {
namespace {

constexpr int kPoints = 68;

Point mean_of(const std::array<Point, kPoints>& points, int first, int count) {
  Point sum;
  for (int i = first; i < first + count; ++i) {
    sum.x += points[i].x;
    sum.y += points[i].y;
  }
  return {sum.x / count, sum.y / count};
}

}  // namespace

Point FaceLandmarks::eye_left() const { return mean_of(points, 36, 6); }
Point FaceLandmarks::eye_right() const { return mean_of(points, 42, 6); }

std::string default_landmark_model() {
  const char* path = std::getenv("BARBERSHOP_LANDMARKS");
  return path && *path ? path : "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
}

#ifdef BARBERSHOP_WITH_DLIB

namespace {

// The detector looks at the photo at most this many pixels on its longer
// side (upsampled once, as the reference does, it still finds faces of about
// 40 px there); the landmarks are placed on the full-size photo.
constexpr int64_t kDetectionSide = 1024;

using RgbImage = dlib::matrix<dlib::rgb_pixel>;

RgbImage to_dlib(const at::Tensor& image) {
  static_assert(sizeof(dlib::rgb_pixel) == 3, "dlib::rgb_pixel is packed R, G, B bytes");
  const at::Tensor hwc =
      ((image.detach().to(at::kCPU, at::kFloat) + 1) * 127.5).round().clamp(0, 255).to(at::kByte).permute({1, 2, 0}).contiguous();
  RgbImage out(hwc.size(0), hwc.size(1));
  std::copy_n(hwc.data_ptr<uint8_t>(), hwc.numel(), reinterpret_cast<uint8_t*>(&out(0, 0)));
  return out;
}

// `image` shrunk (area average) so its longer side is at most kDetectionSide.
at::Tensor detection_view(const at::Tensor& image) {
  const int64_t h = image.size(1), w = image.size(2);
  const double scale = std::min(1.0, double(kDetectionSide) / double(std::max(h, w)));
  if (scale == 1.0) return image;
  const int64_t small_h = std::max<int64_t>(1, std::llround(h * scale));
  const int64_t small_w = std::max<int64_t>(1, std::llround(w * scale));
  return at::adaptive_avg_pool2d(image.unsqueeze(0), {small_h, small_w}).squeeze(0);
}

void check_image(const at::Tensor& image) {
  if (!image.defined() || image.dim() != 3 || image.size(0) != 3)
    throw Error("face detection needs an RGB image [3, H, W], got " +
                (image.defined() ? shape_string(image.sizes().vec()) : std::string("nothing")));
}

}  // namespace

struct FaceFinder::Impl {
  mutable dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();  // not const-callable
  dlib::shape_predictor predictor;

  // Detector boxes in the coordinates of `image`, after one pyramid-up step.
  std::vector<dlib::rectangle> detect(const at::Tensor& image) const {
    RgbImage pixels = to_dlib(image);
    dlib::pyramid_down<2> pyramid;
    dlib::pyramid_up(pixels, pyramid);
    std::vector<dlib::rectangle> boxes;
    for (const dlib::rectangle& box : detector(pixels)) boxes.push_back(pyramid.rect_down(box));
    return boxes;
  }
};

bool face_detection_available() { return true; }

FaceFinder::FaceFinder(const std::string& model) {
  if (!std::ifstream(model))
    throw Error("cannot read the face landmark model " + model +
                "; install Debian's libdlib-data or point $BARBERSHOP_LANDMARKS at shape_predictor_68_face_landmarks.dat");
  auto impl = std::make_shared<Impl>();
  try {
    dlib::deserialize(model) >> impl->predictor;
  } catch (const dlib::error& error) {
    throw Error(model + " is not a dlib shape predictor (" + error.what() +
                "); reinstall libdlib-data or fix $BARBERSHOP_LANDMARKS");
  }
  if (impl->predictor.num_parts() != kPoints)
    throw Error(model + " predicts " + std::to_string(impl->predictor.num_parts()) +
                " landmarks; the FFHQ alignment needs the 68-point model");
  impl_ = impl;
}

std::vector<FaceLandmarks> FaceFinder::find(const at::Tensor& image) const {
  check_image(image);
  const at::Tensor view = detection_view(image);
  const double scale_x = double(image.size(2)) / double(view.size(2));
  const double scale_y = double(image.size(1)) / double(view.size(1));
  const RgbImage full = to_dlib(image);
  std::vector<FaceLandmarks> faces;
  for (const dlib::rectangle& found : impl_->detect(view)) {
    const dlib::rectangle box(std::lround(found.left() * scale_x), std::lround(found.top() * scale_y),
                              std::lround(found.right() * scale_x), std::lround(found.bottom() * scale_y));
    const dlib::full_object_detection shape = impl_->predictor(full, box);
    FaceLandmarks face;
    face.box = {double(box.left()), double(box.top()), double(box.right()), double(box.bottom())};
    for (int i = 0; i < kPoints; ++i) face.points[i] = {double(shape.part(i).x()), double(shape.part(i).y())};
    faces.push_back(face);
  }
  std::stable_sort(faces.begin(), faces.end(),
                   [](const FaceLandmarks& a, const FaceLandmarks& b) { return a.box.area() > b.box.area(); });
  return faces;
}

#else

struct FaceFinder::Impl {};

bool face_detection_available() { return false; }

FaceFinder::FaceFinder(const std::string&) {
  throw Error("this build has no dlib, so it cannot find faces in photos; give aligned square face crops "
              "with alignment off, or rebuild with libdlib-dev installed and -DBARBERSHOP_WITH_DLIB=ON",
              "align");
}

std::vector<FaceLandmarks> FaceFinder::find(const at::Tensor&) const { return {}; }

#endif

}  // namespace barbershop
