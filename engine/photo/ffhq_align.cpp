#include "engine/photo/ffhq_align.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

#include "engine/error.h"

namespace barbershop {
namespace {

// FFHQ renders the square at 4096 for a 1024 output and downsamples.
constexpr int64_t kSupersampling = 4;
// An image counts as aligned when aligning it again moves the eyes by at
// most this share of its side (or kAlignedPixels, for small crops).
constexpr double kAlignedShare = 0.01;
constexpr double kAlignedPixels = 2.0;

enum class Sampling : int64_t { Bilinear = 0, Bicubic = 2 };  // at::grid_sampler's modes
enum class Outside : int64_t { Zeros = 0, Border = 1 };

Point operator+(Point a, Point b) { return {a.x + b.x, a.y + b.y}; }
Point operator-(Point a, Point b) { return {a.x - b.x, a.y - b.y}; }
Point operator*(Point a, double s) { return {a.x * s, a.y * s}; }
double length(Point a) { return std::hypot(a.x, a.y); }

struct Bounds {
  double left, top, right, bottom;
};

Bounds bounds_of(const std::array<Point, 4>& quad) {
  Bounds b{quad[0].x, quad[0].y, quad[0].x, quad[0].y};
  for (const Point& p : quad) {
    b.left = std::min(b.left, p.x), b.top = std::min(b.top, p.y);
    b.right = std::max(b.right, p.x), b.bottom = std::max(b.bottom, p.y);
  }
  return b;
}

std::array<Point, 4> mapped(const std::array<Point, 4>& quad, const Affine& map) {
  return {map(quad[0]), map(quad[1]), map(quad[2]), map(quad[3])};
}

// source [C,h,w] sampled at map(x, y) (pixel centres) for the out_w x out_h
// pixels whose top-left one is (x0, y0).
at::Tensor warp(const at::Tensor& source, const Affine& map, int64_t x0, int64_t y0, int64_t out_w, int64_t out_h,
                Sampling sampling, Outside outside) {
  const auto doubles = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor xs = at::arange(x0, x0 + out_w, doubles).unsqueeze(0);
  const at::Tensor ys = at::arange(y0, y0 + out_h, doubles).unsqueeze(1);
  // grid_sample's coordinates (corners not aligned): -1 and 1 are the outer pixel edges.
  const at::Tensor gx = (xs * map.a + ys * map.b + map.c + 0.5) * (2.0 / double(source.size(2))) - 1;
  const at::Tensor gy = (xs * map.d + ys * map.e + map.f + 0.5) * (2.0 / double(source.size(1))) - 1;
  const at::Tensor grid = at::stack({gx.to(at::kFloat), gy.to(at::kFloat)}, -1).unsqueeze(0).to(source.device());
  return at::grid_sampler(source.unsqueeze(0).to(at::kFloat), grid, static_cast<int64_t>(sampling),
                          static_cast<int64_t>(outside), false)[0];
}

// Indices of an axis of length n extended by mirrored samples: numpy's
// 'reflect' (edge not repeated) or, with repeat_edge, scipy's (edge repeated).
at::Tensor mirrored_indices(int64_t n, int64_t before, int64_t after, bool repeat_edge) {
  const int64_t period = repeat_edge ? 2 * n : std::max<int64_t>(2 * n - 2, 1);
  std::vector<int64_t> indices;
  for (int64_t i = -before; i < n + after; ++i) {
    int64_t m = ((i % period) + period) % period;
    if (m >= n) m = repeat_edge ? period - 1 - m : period - m;
    indices.push_back(m);
  }
  return at::tensor(indices, at::kLong);
}

// FFHQ resizes with PIL's Lanczos; ATen has no sparse Lanczos (and a dense
// resampling matrix costs minutes at 4096 pixels), so this is PIL's
// antialiased bicubic as torch's interpolate(antialias=True) computes it.
at::Tensor resized(const at::Tensor& image, int64_t height, int64_t width) {
  const at::Tensor batch = image.unsqueeze(0).contiguous();
  return at::_upsample_bicubic2d_aa(batch, {height, width}, false, c10::nullopt, c10::nullopt)[0].clamp(-1, 1);
}

at::Tensor quantised(const at::Tensor& image) { return ((image + 1) * 127.5).round().clamp(0, 255) / 127.5 - 1; }

// scipy.ndimage.gaussian_filter1d along `dim` of [C,H,W]: truncated at 4
// sigma, scipy's 'reflect' border.
at::Tensor gaussian_along(const at::Tensor& image, double sigma, int64_t dim) {
  const int64_t radius = static_cast<int64_t>(4.0 * sigma + 0.5);
  if (radius < 1) return image;
  const at::Tensor offsets = at::arange(-radius, radius + 1, at::kDouble);
  const at::Tensor kernel = at::exp(offsets.pow(2) * (-0.5 / (sigma * sigma)));
  const at::Tensor weights = (kernel / kernel.sum()).to(at::kFloat).view({1, 1, -1});
  const at::Tensor moved = image.transpose(dim, -1);
  const int64_t n = moved.size(-1);
  const at::Tensor padded = moved.index_select(-1, mirrored_indices(n, radius, radius, true));
  const at::Tensor rows = padded.reshape({-1, 1, n + 2 * radius});
  return at::conv1d(rows, weights).view(moved.sizes()).transpose(dim, -1);
}

at::Tensor gaussian_blur(const at::Tensor& image, double sigma) {
  return gaussian_along(gaussian_along(image, sigma, 1), sigma, 2).contiguous();
}

// numpy.median over each channel of [C,H,W] -> [C,1,1].
at::Tensor channel_medians(const at::Tensor& image) {
  const at::Tensor flat = image.reshape({image.size(0), -1});
  const int64_t n = flat.size(1);
  const at::Tensor upper = std::get<0>(at::kthvalue(flat, n / 2 + 1, 1));
  const at::Tensor lower = n % 2 ? upper : std::get<0>(at::kthvalue(flat, n / 2, 1));
  return ((lower + upper) / 2).view({-1, 1, 1});
}

// The photo as FFHQ prepares it before the warp, and where photo points are in it.
struct Working {
  at::Tensor image;  // [3,h,w] in [-1,1]
  Affine from_photo;
  double qsize;  // the square's side, in working pixels

  int64_t width() const { return image.size(2); }
  int64_t height() const { return image.size(1); }
  Bounds quad_bounds(const AlignTransform& t) const { return bounds_of(mapped(t.quad, from_photo)); }
};

// Big faces: downsample by a whole factor first (FFHQ's "shrink").
void shrink(Working& work, int64_t size) {
  const int64_t factor = static_cast<int64_t>(std::floor(work.qsize / double(size) * 0.5));
  if (factor <= 1) return;
  const int64_t w = static_cast<int64_t>(std::nearbyint(double(work.width()) / factor));
  const int64_t h = static_cast<int64_t>(std::nearbyint(double(work.height()) / factor));
  const double sx = double(w) / double(work.width()), sy = double(h) / double(work.height());
  work.image = resized(work.image, h, w);
  // Pixel centres scale about the outer edges.
  work.from_photo = work.from_photo.then({sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5});
  work.qsize /= double(factor);
}

int64_t border_of(const Working& work) { return std::max<int64_t>(std::lround(work.qsize * 0.1), 3); }

// Keep the square plus a border, where the photo has it.
void crop(Working& work, const AlignTransform& t) {
  const Bounds q = work.quad_bounds(t);
  const int64_t border = border_of(work);
  const int64_t left = std::max<int64_t>(int64_t(std::floor(q.left)) - border, 0);
  const int64_t top = std::max<int64_t>(int64_t(std::floor(q.top)) - border, 0);
  const int64_t right = std::min<int64_t>(int64_t(std::ceil(q.right)) + border, work.width());
  const int64_t bottom = std::min<int64_t>(int64_t(std::ceil(q.bottom)) + border, work.height());
  if (right - left >= work.width() && bottom - top >= work.height()) return;
  if (right <= left || bottom <= top) throw Error("the face square lies outside the photo");
  work.image = work.image.slice(2, left, right).slice(1, top, bottom);
  work.from_photo = work.from_photo.then({1, 0, double(-left), 0, 1, double(-top)});
}

// Where the square leaves the photo: reflect the photo, blur the reflection
// more the farther it is from the photo and fade it to the median colour.
void pad(Working& work, const AlignTransform& t) {
  const Bounds q = work.quad_bounds(t);
  const int64_t border = border_of(work);
  std::array<int64_t, 4> amount = {  // left, top, right, bottom
      std::max<int64_t>(-int64_t(std::floor(q.left)) + border, 0),
      std::max<int64_t>(-int64_t(std::floor(q.top)) + border, 0),
      std::max<int64_t>(int64_t(std::ceil(q.right)) - work.width() + border, 0),
      std::max<int64_t>(int64_t(std::ceil(q.bottom)) - work.height() + border, 0)};
  if (*std::max_element(amount.begin(), amount.end()) <= border - 4) return;
  for (int64_t& side : amount) side = std::max<int64_t>(side, std::lround(work.qsize * 0.3));
  const auto [left, top, right, bottom] = amount;
  at::Tensor image = work.image.index_select(2, mirrored_indices(work.width(), left, right, false))
                         .index_select(1, mirrored_indices(work.height(), top, bottom, false));
  const int64_t h = image.size(1), w = image.size(2);
  const at::Tensor x = at::arange(w, at::kFloat).view({1, -1}), y = at::arange(h, at::kFloat).view({-1, 1});
  const at::Tensor mask = at::maximum(1 - at::minimum(x / double(left), (w - 1 - x) / double(right)),
                                      1 - at::minimum(y / double(top), (h - 1 - y) / double(bottom)));
  image = image + (gaussian_blur(image, work.qsize * 0.02) - image) * (mask * 3 + 1).clamp(0, 1);
  image = image + (channel_medians(image) - image) * mask.clamp(0, 1);
  work.image = quantised(image);
  work.from_photo = work.from_photo.then({1, 0, double(left), 0, 1, double(top)});
}

}  // namespace

Affine Affine::inverse() const {
  const double det = a * e - b * d;
  if (det == 0) throw Error("the face square has no area; the landmarks are degenerate");
  const double ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return {ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)};
}

Affine Affine::then(const Affine& n) const {
  return {n.a * a + n.b * d, n.a * b + n.b * e, n.a * c + n.b * f + n.c,
          n.d * a + n.e * d, n.d * b + n.e * e, n.d * c + n.e * f + n.f};
}

Affine AlignTransform::to_photo(int64_t grid) const {
  const Point across = (quad[3] - quad[0]) * (1.0 / double(grid));  // one aligned pixel to the right
  const Point down = (quad[1] - quad[0]) * (1.0 / double(grid));    // one aligned pixel down
  const Point origin = quad[0] + (across + down) * 0.5;              // centre of aligned pixel (0, 0)
  return {across.x, down.x, origin.x, across.y, down.y, origin.y};
}

double AlignTransform::side() const { return length(quad[3] - quad[0]); }

std::string AlignTransform::to_json() const {
  const Affine m = to_photo();
  std::ostringstream out;
  out << std::setprecision(12) << "{\n  \"size\": " << size << ",\n  \"photo_width\": " << photo_width
      << ",\n  \"photo_height\": " << photo_height << ",\n  \"quad\": [";
  for (size_t i = 0; i < quad.size(); ++i) out << (i ? ", " : "") << "[" << quad[i].x << ", " << quad[i].y << "]";
  out << "],\n  \"aligned_to_photo\": [[" << m.a << ", " << m.b << ", " << m.c << "], [" << m.d << ", " << m.e
      << ", " << m.f << "]]\n}\n";
  return out.str();
}

AlignTransform ffhq_transform(const FaceLandmarks& face, int64_t size, int64_t photo_width, int64_t photo_height) {
  const Point eye_left = face.eye_left(), eye_right = face.eye_right();
  const Point eye_avg = (eye_left + eye_right) * 0.5;
  const Point eye_to_eye = eye_right - eye_left;
  const Point eye_to_mouth = (face.mouth_left() + face.mouth_right()) * 0.5 - eye_avg;
  // The square's half-side vector: along the eyes, tilted by the eye-to-mouth
  // direction turned a quarter, as long as the face needs.
  Point x = eye_to_eye - Point{-eye_to_mouth.y, eye_to_mouth.x};
  x = x * (std::max(length(eye_to_eye) * 2.0, length(eye_to_mouth) * 1.8) / length(x));
  const Point y{-x.y, x.x};
  const Point centre = eye_avg + eye_to_mouth * 0.1;
  AlignTransform t;
  t.quad = {centre - x - y, centre - x + y, centre + x + y, centre + x - y};
  t.size = size;
  t.photo_width = photo_width;
  t.photo_height = photo_height;
  return t;
}

at::Tensor align_image(const at::Tensor& photo, const AlignTransform& t) {
  if (photo.dim() != 3 || photo.size(0) != 3)
    throw Error("alignment needs an RGB image [3, H, W], got " + shape_string(photo.sizes().vec()));
  Working work{photo.detach().to(at::kCPU, at::kFloat), Affine{}, t.side()};
  shrink(work, t.size);
  crop(work, t);
  pad(work, t);
  const int64_t grid = t.size * kSupersampling;
  const at::Tensor large = warp(work.image, t.to_photo(grid).then(work.from_photo), 0, 0, grid, grid,
                                Sampling::Bilinear, Outside::Border);
  return resized(large, t.size, t.size);
}

at::Tensor align_mask(const at::Tensor& mask, const AlignTransform& t) {
  if (mask.dim() != 2 || mask.size(0) != t.photo_height || mask.size(1) != t.photo_width)
    throw Error("a mask for a photo of " + std::to_string(t.photo_width) + "x" + std::to_string(t.photo_height) +
                " must have that size, got " + shape_string(mask.sizes().vec()));
  return warp(mask.to(at::kFloat).unsqueeze(0), t.to_photo(), 0, 0, t.size, t.size, Sampling::Bilinear,
              Outside::Zeros)[0];
}

at::Tensor unalign(const at::Tensor& aligned, const AlignTransform& t, bool smooth_image) {
  const bool plane = aligned.dim() == 2;
  at::Tensor source = (plane ? aligned.unsqueeze(0) : aligned).detach().to(at::kFloat);
  at::Tensor out = at::zeros({source.size(0), t.photo_height, t.photo_width}, source.options());
  const Bounds q = bounds_of(t.quad);
  const int64_t left = std::max<int64_t>(0, int64_t(std::floor(q.left)));
  const int64_t top = std::max<int64_t>(0, int64_t(std::floor(q.top)));
  const int64_t right = std::min<int64_t>(t.photo_width, int64_t(std::ceil(q.right)) + 1);
  const int64_t bottom = std::min<int64_t>(t.photo_height, int64_t(std::ceil(q.bottom)) + 1);
  if (right > left && bottom > top) {
    // Average down first where the photo has fewer pixels than the square.
    const int64_t side = std::max<int64_t>(1, int64_t(std::ceil(t.side())));
    if (side < source.size(-1)) source = at::adaptive_avg_pool2d(source.unsqueeze(0), {side, side})[0];
    at::Tensor window = warp(source, t.to_photo(source.size(-1)).inverse(), left, top, right - left, bottom - top,
                             smooth_image ? Sampling::Bicubic : Sampling::Bilinear, Outside::Zeros);
    if (smooth_image) window = window.clamp(-1, 1);
    out.slice(1, top, bottom).slice(2, left, right).copy_(window);
  }
  return plane ? out[0] : out;
}

const FaceLandmarks& choose_face(const std::vector<FaceLandmarks>& faces, const FaceChoice& choice,
                                 const std::string& what) {
  if (faces.empty())
    throw Error("no face found in " + what + "; use a photo with a clearly visible, roughly frontal face");
  if (choice.within) {
    const FaceBox& r = *choice.within;
    for (const FaceLandmarks& face : faces) {  // largest first
      const double cx = (face.box.left + face.box.right) / 2, cy = (face.box.top + face.box.bottom) / 2;
      if (cx >= r.left && cx <= r.right && cy >= r.top && cy <= r.bottom) return face;
    }
    throw Error("none of the " + std::to_string(faces.size()) + " faces in " + what +
                " is inside the selection; select the face whose hair should change, or select nothing");
  }
  if (choice.index < 0 || choice.index >= int64_t(faces.size()))
    throw Error(what + " has " + std::to_string(faces.size()) + " face(s), numbered 0 (largest) to " +
                std::to_string(faces.size() - 1) + "; there is no face " + std::to_string(choice.index));
  return faces[choice.index];
}

AlignedFace align_face(const FaceLandmarks& face, const at::Tensor& photo, int64_t size) {
  const AlignTransform t = ffhq_transform(face, size, photo.size(2), photo.size(1));
  return {align_image(photo, t), t, face};
}

AlignedFace align_face(const FaceFinder& finder, const at::Tensor& photo, int64_t size, const FaceChoice& choice,
                       const std::string& what) {
  return align_face(choose_face(finder.find(photo), choice, what), photo, size);
}

bool is_aligned_crop(const FaceLandmarks& face, int64_t width, int64_t height) {
  if (width != height) return false;
  const Affine to_aligned = ffhq_transform(face, width, width, height).to_aligned();
  const double tolerance = std::max(kAlignedPixels, kAlignedShare * double(width));
  for (const Point eye : {face.eye_left(), face.eye_right()})
    if (length(to_aligned(eye) - eye) > tolerance) return false;
  return true;
}

}  // namespace barbershop
