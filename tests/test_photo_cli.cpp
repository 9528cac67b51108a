// `barbershop align` and `barbershop transfer` on the unaligned sample photo,
// as a user runs them, and the engine's front door's hair mask of that photo.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/barbershop.h"
#include "engine/io/image.h"
#include "engine/io/image_tensor.h"
#include "engine/io/npy.h"
#include "engine/networks/bisenet.h"
#include "engine/photo/face_landmarks.h"
#include "engine/photo/ffhq_align.h"
#include "engine/pipeline/hair_mask.h"
#include "engine/weight_files.h"

namespace barbershop {
namespace {

const std::string kFaces = std::string(BARBERSHOP_TEST_DATA) + "/faces/";

#define REQUIRE_DLIB() \
  if (!face_detection_available()) GTEST_SKIP() << "built without dlib (BARBERSHOP_WITH_DLIB=OFF)"

const at::Tensor& photo() {
  static const at::Tensor image = read_image(kFaces + "unaligned-90.jpg");
  return image;
}

// 8-bit levels of an image read from an 8-bit file (exact: the reader maps level v to 2v/255 - 1).
at::Tensor levels(const at::Tensor& image) { return ((image + 1) * 127.5).round().to(at::kShort); }

std::string scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("barbershop-test-photo-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int run_cli(const std::string& arguments, const std::string& log) {
  return std::system((std::string(BARBERSHOP_CLI) + " " + arguments + " 2>" + log).c_str());
}

TEST(CliAlign, WritesTheCropAndTransformAndNothingWithoutAFace) {
  REQUIRE_DLIB();
  const std::string dir = scratch_dir("align");
  ASSERT_EQ(run_cli("align --image " + kFaces + "unaligned-90.jpg --out " + dir + "/face.png --transform " + dir +
                        "/face.json --size 128",
                    dir + "/log"),
            0)
      << slurp(dir + "/log");
  EXPECT_EQ(read_image(dir + "/face.png").sizes(), (std::vector<int64_t>{3, 128, 128}));
  const std::string json = slurp(dir + "/face.json");
  EXPECT_NE(json.find("\"quad\": [["), std::string::npos) << json;
  EXPECT_NE(json.find("\"photo_width\": 2592"), std::string::npos) << json;

  write_image(dir + "/blank.png", at::zeros({3, 200, 300}));
  EXPECT_NE(run_cli("align --image " + dir + "/blank.png --out " + dir + "/none.png", dir + "/none.log"), 0);
  EXPECT_NE(slurp(dir + "/none.log").find("no face found in " + dir + "/blank.png"), std::string::npos)
      << slurp(dir + "/none.log");
  EXPECT_FALSE(std::filesystem::exists(dir + "/none.png"));
}

// The whole method through `barbershop transfer` on the unaligned photo,
// with the random 64-px weights of the pipeline fixture and one step per
// stage (one reference image: the shortest run). The identity hair mask (a rectangle over the top of the head, in
// photo pixels) makes sure something is pasted whatever the random parser
// sees.
TEST(CliTransfer, ReturnsTheWholePhotoChangedOnlyUnderThePasteMask) {
  REQUIRE_DLIB();
  const std::string dir = scratch_dir("transfer");
  at::Tensor hair = -at::ones({3, photo().size(1), photo().size(2)});
  hair.slice(1, 150, 600).slice(2, 1100, 2000).fill_(1);
  write_image(dir + "/hair.png", hair);
  setenv("BARBERSHOP_STEPS", "w=1,fs=1,mask=1,align1=1,align2=1,blend=1", 1);
  setenv("BARBERSHOP_PCA_SAMPLES", "2000", 1);
  const std::string args = "transfer --identity " + kFaces + "unaligned-90.jpg --identity-mask " + dir +
                           "/hair.png --structure " + kFaces + "15.png --appearance " + kFaces + "15.png --weights " +
                           BARBERSHOP_FIXTURE_DIR + "/pipeline/weights --no-cache --out " + dir + "/out.png --dump " +
                           dir + "/dump";
  ASSERT_EQ(run_cli(args, dir + "/log"), 0) << slurp(dir + "/log");

  const at::Tensor out = read_image(dir + "/out.png");
  ASSERT_EQ(out.sizes(), photo().sizes());
  const at::Tensor mask = read_npy(dir + "/dump/paste_mask.npy");
  ASSERT_EQ(mask.sizes(), photo()[0].sizes());
  EXPECT_EQ(mask[375][1550].item<float>(), 1.0f);  // the middle of the hair rectangle
  const at::Tensor difference = (levels(out) - levels(photo())).abs().amax(0);
  EXPECT_GT(difference.gt(0).sum().item<int64_t>(), 1000);
  const at::Tensor outside = difference.masked_select(mask.eq(0));
  EXPECT_EQ(outside.gt(0).sum().item<int64_t>(), 0)
      << "pixels changed where the paste mask is 0, by up to " << outside.max().item<int>() << " levels";
}

// Engine::hair_mask on an ordinary photo: the mask has the photo's size, is
// 0 outside the face's FFHQ square, and warped back into that square it is
// the parser's own hair mask of the aligned crop, up to the two resamplings
// at the region's edges. (The pipeline fixture's random parser may see no
// hair at all in this crop; the size, the values and the square still hold.)
TEST(EngineHairMask, OfAPhotoIsTheAlignedCropsMaskMappedBack) {
  REQUIRE_DLIB();
  TransferOptions options;
  options.weights_dir = std::string(BARBERSHOP_FIXTURE_DIR) + "/pipeline/weights";
  options.use_cache = false;
  options.device = "cpu";
  // The same file through the door: its 8-bit levels make the very tensor
  // photo() holds (engine/io/image_tensor.h).
  const at::Tensor mask = tensor_of_mask(Engine(options).hair_mask(read_image_buffer(kFaces + "unaligned-90.jpg")));
  ASSERT_EQ(mask.sizes(), photo()[0].sizes());
  EXPECT_TRUE((mask.eq(0) | mask.eq(1)).all().item<bool>());

  const AlignedFace aligned = align_face(FaceFinder(), photo(), FaceParser::kSize);
  const FaceParser parser = FaceParser::load(find_weight_files(options.weights_dir).parser);
  const at::Tensor own = hair_mask(parser, aligned.image);
  const at::Tensor inside = align_mask(at::ones_like(mask), aligned.transform).ge(0.5);
  EXPECT_EQ(mask.sum().item<double>(), mask.mul(unalign(inside.to(at::kFloat), aligned.transform, false).gt(0))
                                           .sum().item<double>())
      << "hair outside the face's square";
  const at::Tensor back = align_mask(mask, aligned.transform).ge(0.5);
  const double agree = back.eq(own.ge(0.5)).logical_and(inside).sum().item<double>() / inside.sum().item<double>();
  EXPECT_GT(agree, 0.98);
}

}  // namespace
}  // namespace barbershop
