#pragma once
// Faces in ordinary photos and their 68 landmarks (the iBUG 300-W layout),
// found with dlib's HOG face detector and its 68-point shape predictor, the
// tools the FFHQ alignment was made with. dlib stays inside the .cpp: its
// headers are heavy and builds without it (BARBERSHOP_WITH_DLIB=OFF, e.g. the
// GPU machines) still compile everything that includes this header.
#include <ATen/core/Tensor.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace barbershop {

// Pixel coordinates with integers at pixel centres: (0, 0) is the centre of
// the top-left pixel, as dlib reports landmarks.
struct Point {
  double x = 0, y = 0;
};

struct FaceBox {
  double left = 0, top = 0, right = 0, bottom = 0;
  double area() const { return (right - left) * (bottom - top); }
};

struct FaceLandmarks {
  FaceBox box;                  // the detector's rectangle
  std::array<Point, 68> points;  // 36-41 one eye, 42-47 the other, 48 and 54 the mouth corners

  Point eye_left() const;   // centre of points 36-41 (the eye on the image's left)
  Point eye_right() const;  // centre of points 42-47
  Point mouth_left() const { return points[48]; }
  Point mouth_right() const { return points[54]; }
};

// False in builds without dlib.
bool face_detection_available();

// $BARBERSHOP_LANDMARKS, else Debian's libdlib-data file
// /usr/share/dlib/shape_predictor_68_face_landmarks.dat.
std::string default_landmark_model();

// Loads the landmark model once and finds faces in any number of images.
class FaceFinder {
 public:
  // Throws barbershop::Error when the build has no dlib or `model` cannot be
  // read (naming the file and the package that ships it).
  explicit FaceFinder(const std::string& model = default_landmark_model());

  // Every face in `image` ([3,H,W] in [-1,1]), largest detector box first.
  std::vector<FaceLandmarks> find(const at::Tensor& image) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace barbershop
