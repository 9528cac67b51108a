// Ordinary photos: face landmarks (dlib), the FFHQ alignment, its inverse
// and the paste-back, checked against FFHQ's own geometry, the dataset
// script's crop (tests/fixtures/photo_files.py) and pixel-exact properties.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/photo/face_landmarks.h"
#include "engine/photo/ffhq_align.h"
#include "engine/photo/paste_back.h"
#include "engine/photo/photo_transfer.h"

namespace barbershop {
namespace {

const std::string kFixtures = std::string(BARBERSHOP_FIXTURE_DIR) + "/photo/";
const std::string kFaces = std::string(BARBERSHOP_TEST_DATA) + "/faces/";
constexpr int64_t kFfhqSize = 1024;
// "Within a few pixels" of a 1024 crop.
constexpr double kFewPixels = 4.0;

double psnr(const at::Tensor& a, const at::Tensor& b) {  // images in [-1, 1]: peak-to-peak 2
  const double mse = (a - b).pow(2).mean().item<double>();
  return 10.0 * std::log10(4.0 / mse);
}

const at::Tensor& photo() {
  static const at::Tensor image = read_image(kFaces + "unaligned-90.jpg");
  return image;
}

const FaceFinder& finder() {
  static const FaceFinder loaded;
  return loaded;
}

#define REQUIRE_DLIB() \
  if (!face_detection_available()) GTEST_SKIP() << "built without dlib (BARBERSHOP_WITH_DLIB=OFF)"

// Where FFHQ puts a photo point in its crop, from the dataset script's
// geometry: the crop is the square centre +- half-side vector x (and x
// turned a quarter, pointing down), so a point's crop coordinates are its
// projections on those axes. Pixel centres on integers.
Point ffhq_position(const FaceLandmarks& face, Point p, int64_t size) {
  const Point eyes{(face.eye_left().x + face.eye_right().x) / 2, (face.eye_left().y + face.eye_right().y) / 2};
  const Point mouth{(face.mouth_left().x + face.mouth_right().x) / 2, (face.mouth_left().y + face.mouth_right().y) / 2};
  const double ex = face.eye_right().x - face.eye_left().x, ey = face.eye_right().y - face.eye_left().y;
  const double mx = mouth.x - eyes.x, my = mouth.y - eyes.y;
  const double half_side = std::max(std::hypot(ex, ey) * 2.0, std::hypot(mx, my) * 1.8);
  const double dx = ex + my, dy = ey - mx, norm = std::hypot(dx, dy);
  const double ux = dx / norm, uy = dy / norm;  // crop's x axis; its y axis is (-uy, ux)
  const double cx = eyes.x + 0.1 * mx, cy = eyes.y + 0.1 * my;
  const double along = (p.x - cx) * ux + (p.y - cy) * uy, across = -(p.x - cx) * uy + (p.y - cy) * ux;
  return {(along / half_side + 1) * size / 2.0 - 0.5, (across / half_side + 1) * size / 2.0 - 0.5};
}

double distance(Point a, Point b) { return std::hypot(a.x - b.x, a.y - b.y); }

FaceLandmarks fixture_landmarks() {
  const at::Tensor points = read_npy(kFixtures + "landmarks.npy").to(at::kDouble);
  FaceLandmarks face;
  for (int i = 0; i < 68; ++i) face.points[i] = {points[i][0].item<double>(), points[i][1].item<double>()};
  return face;
}

TEST(AlignTransform, MapsTheQuadCornersToTheCropsOuterEdgesAndBack) {
  const AlignTransform t = ffhq_transform(fixture_landmarks(), 256, 2592, 3888);
  const Affine to_photo = t.to_photo(), to_aligned = t.to_aligned();
  // The crop's outer corners are pixel centre -0.5 and 255.5.
  const Point corners[4] = {{-0.5, -0.5}, {-0.5, 255.5}, {255.5, 255.5}, {255.5, -0.5}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(distance(to_photo(corners[i]), t.quad[i]), 0.0, 1e-9) << "corner " << i;
    EXPECT_NEAR(distance(to_aligned(t.quad[i]), corners[i]), 0.0, 1e-9) << "corner " << i;
  }
  EXPECT_NEAR(t.side(), distance(t.quad[0], t.quad[1]), 1e-9);  // a square
  EXPECT_NEAR(distance(t.quad[0], t.quad[2]), t.side() * std::sqrt(2.0), 1e-9);
}

TEST(AlignTransform, PutsTheFaceWhereFfhqDoes) {
  const FaceLandmarks face = fixture_landmarks();
  const AlignTransform t = ffhq_transform(face, kFfhqSize, 2592, 3888);
  for (const Point p : {face.eye_left(), face.eye_right(), face.mouth_left(), Point{1000, 2000}})
    EXPECT_NEAR(distance(t.to_aligned()(p), ffhq_position(face, p, kFfhqSize)), 0.0, 1e-6);
}

TEST(AlignImage, MatchesTheFfhqDatasetScriptWithShrinkCropAndPadding) {
  const AlignTransform t = ffhq_transform(fixture_landmarks(), 256, photo().size(2), photo().size(1));
  const at::Tensor expected = read_npy(kFixtures + "ffhq_crop.npy");
  const at::Tensor aligned = align_image(photo(), t);
  ASSERT_EQ(aligned.sizes(), expected.sizes());
  const double match = psnr(aligned, expected);
  std::cout << "PSNR against the dataset script's crop: " << match << " dB\n";
  EXPECT_GE(match, 30.0);
  // The padded corner too (top-left eighth, outside the photo): blurred reflection, not black.
  const double corner = psnr(aligned.slice(1, 0, 32).slice(2, 0, 32), expected.slice(1, 0, 32).slice(2, 0, 32));
  std::cout << "PSNR in the padded corner: " << corner << " dB\n";
  EXPECT_GE(corner, 30.0);
}

TEST(FaceFinder, FindsAndAlignsTheUnalignedPhoto) {
  REQUIRE_DLIB();
  const std::vector<FaceLandmarks> faces = finder().find(photo());
  ASSERT_GE(faces.size(), 1u);
  const AlignedFace aligned = align_face(faces[0], photo(), kFfhqSize);
  EXPECT_FALSE(is_aligned_crop(faces[0], photo().size(2), photo().size(1)));

  // Found again in the crop, the eyes are where FFHQ puts them.
  const std::vector<FaceLandmarks> again = finder().find(aligned.image);
  ASSERT_GE(again.size(), 1u);
  const Point want_left = ffhq_position(faces[0], faces[0].eye_left(), kFfhqSize);
  const Point want_right = ffhq_position(faces[0], faces[0].eye_right(), kFfhqSize);
  std::cout << "eyes in the crop: (" << again[0].eye_left().x << ", " << again[0].eye_left().y << ") and ("
            << again[0].eye_right().x << ", " << again[0].eye_right().y << "); FFHQ: (" << want_left.x << ", "
            << want_left.y << ") and (" << want_right.x << ", " << want_right.y << ")\n";
  EXPECT_LE(distance(again[0].eye_left(), want_left), kFewPixels);
  EXPECT_LE(distance(again[0].eye_right(), want_right), kFewPixels);
  EXPECT_TRUE(is_aligned_crop(again[0], kFfhqSize, kFfhqSize));

  // Warped back, the crop reproduces the photo inside the face box.
  const at::Tensor back = unalign(aligned.image, aligned.transform, true);
  const FaceBox& box = faces[0].box;
  auto face_box = [&](const at::Tensor& image) {
    return image.slice(1, int64_t(box.top), int64_t(box.bottom)).slice(2, int64_t(box.left), int64_t(box.right));
  };
  const double round_trip = psnr(face_box(back), face_box(photo()));
  std::cout << "round trip PSNR in the face box: " << round_trip << " dB\n";
  EXPECT_GE(round_trip, 35.0);
}

TEST(FaceFinder, AligningAnAlignedFaceGivesNearlyTheIdentity) {
  REQUIRE_DLIB();
  const at::Tensor face15 = read_image(kFaces + "15.png");
  const std::vector<FaceLandmarks> faces = finder().find(face15);
  ASSERT_GE(faces.size(), 1u);
  const Affine m = ffhq_transform(faces[0], kFfhqSize, kFfhqSize, kFfhqSize).to_photo();
  std::cout << "aligned -> image: [[" << m.a << ", " << m.b << ", " << m.c << "], [" << m.d << ", " << m.e << ", "
            << m.f << "]]\n";
  // The identity, up to dlib's landmark noise on a 1024 crop: the centre stays
  // within a few pixels, the scale within 2 %, the angle within a degree.
  const Point centre = m({511.5, 511.5});
  EXPECT_LE(distance(centre, {511.5, 511.5}), kFewPixels);
  EXPECT_NEAR(std::hypot(m.a, m.d), 1.0, 0.02);
  EXPECT_NEAR(std::hypot(m.b, m.e), 1.0, 0.02);
  EXPECT_LE(std::abs(std::atan2(m.d, m.a)) * 180 / M_PI, 1.0);
  EXPECT_TRUE(is_aligned_crop(faces[0], kFfhqSize, kFfhqSize));
}

TEST(FaceFinder, NamesTheImageWhenThereIsNoFace) {
  REQUIRE_DLIB();
  const at::Tensor blank = at::zeros({3, 300, 400});
  try {
    align_face(finder(), blank, 64, {}, "the test image");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no face found in the test image"), std::string::npos) << error.what();
  }
}

// What every host checks before loading the networks: both sides at least
// kSmallestFaceCrop; a photo need not be square when faces can be found.
TEST(CheckPhoto, RefusesTooSmallImagesByRoleAndSizeAndTakesOblongPhotos) {
  try {
    check_photo(at::zeros({3, kSmallestFaceCrop - 1, 300}), "structure");
    FAIL() << "a photo 63 pixels high was accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("the structure image is only 300x63"), std::string::npos) << message;
    EXPECT_NE(message.find("at least 64x64"), std::string::npos) << message;
  }
  EXPECT_THROW(check_photo(at::zeros({1, 100, 100}), "identity"), Error);
  const at::Tensor oblong = at::zeros({3, kSmallestFaceCrop, 300});
  if (face_detection_available())
    EXPECT_NO_THROW(check_photo(oblong, "identity"));
  else
    EXPECT_THROW(check_photo(oblong, "identity"), Error);
  EXPECT_NO_THROW(check_photo(at::zeros({3, kSmallestFaceCrop, kSmallestFaceCrop}), "identity"));
}

TEST(ChooseFace, PicksByIndexOrSelectionAndNamesWhatIsMissing) {
  std::vector<FaceLandmarks> faces(2);
  faces[0].box = {100, 100, 300, 300};
  faces[1].box = {500, 100, 600, 200};
  EXPECT_EQ(&choose_face(faces, {1, {}}, "x"), &faces[1]);
  EXPECT_EQ(&choose_face(faces, {0, FaceBox{450, 50, 700, 250}}, "x"), &faces[1]);
  EXPECT_THROW(choose_face(faces, {2, {}}, "x"), Error);
  EXPECT_THROW(choose_face(faces, {0, FaceBox{0, 0, 50, 50}}, "x"), Error);
  EXPECT_THROW(choose_face({}, {}, "x"), Error);
}

// A transfer "result" that differs from the crop everywhere, pasted with a
// rectangle as the changed region.
TEST(PasteBack, ChangesOnlyPixelsUnderTheFeatheredMask) {
  const AlignTransform t = ffhq_transform(fixture_landmarks(), 256, photo().size(2), photo().size(1));
  const at::Tensor result = -align_image(photo(), t);  // colours inverted
  at::Tensor region = at::zeros({256, 256});
  region.slice(0, 40, 120).slice(1, 60, 200).fill_(1);
  const PastedPhoto pasted = paste_back(photo(), result, t, region);

  ASSERT_EQ(pasted.image.sizes(), photo().sizes());
  const at::Tensor untouched = pasted.mask.eq(0);
  EXPECT_TRUE(pasted.image.masked_select(untouched).equal(photo().masked_select(untouched)));
  EXPECT_TRUE(pasted.image.ne(photo()).any().item<bool>());

  // The mask: 1 over the region, 0 beyond its dilation plus feather. In
  // city-block distance from the region, in crop pixels: 256/32 = 8 for the
  // dilation, 4 + 4 for the corners of the 9x9 box blur, 2 for resampling.
  const Affine m = t.to_aligned();
  const at::Tensor xs = at::arange(0, photo().size(2), 7, at::kDouble).view({1, -1});
  const at::Tensor ys = at::arange(0, photo().size(1), 7, at::kDouble).view({-1, 1});
  const at::Tensor ax = xs * m.a + ys * m.b + m.c, ay = xs * m.d + ys * m.e + m.f;  // in the crop
  const at::Tensor sampled = pasted.mask.to(at::kDouble).index_select(0, ys.view(-1).to(at::kLong))
                                 .index_select(1, xs.view(-1).to(at::kLong));
  const at::Tensor inside = (ax > 62) & (ax < 197) & (ay > 42) & (ay < 117);
  const at::Tensor gap = (60 - ax).clamp_min(0) + (ax - 199).clamp_min(0) + (40 - ay).clamp_min(0) + (ay - 119).clamp_min(0);
  const at::Tensor far = gap > 8 + 4 + 4 + 2;
  EXPECT_GT(inside.sum().item<int64_t>(), 100);
  EXPECT_GT(far.sum().item<int64_t>(), 100);
  EXPECT_TRUE(sampled.masked_select(inside).gt(0.999).all().item<bool>());
  EXPECT_TRUE(sampled.masked_select(far).eq(0).all().item<bool>());
  // Where the weight is 1 the photo shows the result.
  const at::Tensor full = pasted.mask.eq(1);
  ASSERT_TRUE(full.any().item<bool>());
  const at::Tensor warped = unalign(result, t, true);
  EXPECT_TRUE(pasted.image.masked_select(full).allclose(warped.masked_select(full), 0, 1e-5));
}

TEST(PasteBack, RejectsAResultForAnotherPhoto) {
  const AlignTransform t = ffhq_transform(fixture_landmarks(), 64, 2592, 3888);
  EXPECT_THROW(paste_back(at::zeros({3, 100, 100}), at::zeros({3, 64, 64}), t, at::ones({64, 64})), Error);
}

}  // namespace
}  // namespace barbershop
