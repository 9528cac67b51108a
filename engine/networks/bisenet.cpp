#include "engine/networks/bisenet.h"

#include <torch/torch.h>

#include "engine/checkpoint/checkpoint.h"
#include "engine/error.h"
#include "engine/networks/load_state.h"
#include "engine/ops/bicubic.h"

namespace barbershop {
namespace {

namespace F = torch::nn::functional;

// Every conv of this network is bias-free with "same" padding (k/2).
torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

torch::nn::BatchNorm2d batch_norm(int64_t channels) { return torch::nn::BatchNorm2d(channels); }

// Global average pooling, kept as [B,C,1,1].
at::Tensor global_average(const at::Tensor& x) { return x.mean({2, 3}, /*keepdim=*/true); }

at::Tensor resize_nearest(const at::Tensor& x, const at::Tensor& like) {
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{like.size(2), like.size(3)})
                               .mode(torch::kNearest));
}

at::Tensor resize_bilinear(const at::Tensor& x, int64_t height, int64_t width) {
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{height, width})
                               .mode(torch::kBilinear)
                               .align_corners(true));
}

// A ResNet stage: one block that may change width and stride, one that keeps them.
torch::nn::Sequential stage(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Sequential(BasicBlock(in, out, stride), BasicBlock(out, out, 1));
}

}  // namespace

ConvBNReLUImpl::ConvBNReLUImpl(int64_t in, int64_t out, int64_t kernel)
    : conv(register_module("conv", barbershop::conv(in, out, kernel))),
      bn(register_module("bn", batch_norm(out))) {}

at::Tensor ConvBNReLUImpl::forward(const at::Tensor& x) { return torch::relu(bn(conv(x))); }

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t out, int64_t stride)
    : conv1(register_module("conv1", conv(in, out, 3, stride))),
      conv2(register_module("conv2", conv(out, out, 3))),
      bn1(register_module("bn1", batch_norm(out))),
      bn2(register_module("bn2", batch_norm(out))) {
  if (in != out || stride != 1)
    downsample = register_module("downsample",
                                 torch::nn::Sequential(conv(in, out, 1, stride), batch_norm(out)));
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  at::Tensor residual = bn2(conv2(torch::relu(bn1(conv1(x)))));
  at::Tensor shortcut = downsample ? downsample->forward(x) : x;
  return torch::relu(shortcut + residual);
}

ResNet18Impl::ResNet18Impl()
    : conv1(register_module("conv1", conv(3, 64, 7, 2))),
      bn1(register_module("bn1", batch_norm(64))),
      layer1(register_module("layer1", stage(64, 64, 1))),
      layer2(register_module("layer2", stage(64, 128, 2))),
      layer3(register_module("layer3", stage(128, 256, 2))),
      layer4(register_module("layer4", stage(256, 512, 2))) {}

std::array<at::Tensor, 3> ResNet18Impl::forward(const at::Tensor& x) {
  at::Tensor stem = torch::max_pool2d(torch::relu(bn1(conv1(x))), {3, 3}, {2, 2}, {1, 1});
  at::Tensor feat8 = layer2->forward(layer1->forward(stem));
  at::Tensor feat16 = layer3->forward(feat8);
  at::Tensor feat32 = layer4->forward(feat16);
  return {feat8, feat16, feat32};
}

AttentionRefinementImpl::AttentionRefinementImpl(int64_t in, int64_t out)
    : conv(register_module("conv", ConvBNReLU(in, out, 3))),
      conv_atten(register_module("conv_atten", barbershop::conv(out, out, 1))),
      bn_atten(register_module("bn_atten", batch_norm(out))) {}

at::Tensor AttentionRefinementImpl::forward(const at::Tensor& x) {
  at::Tensor feat = conv(x);
  return feat * torch::sigmoid(bn_atten(conv_atten(global_average(feat))));
}

ContextPathImpl::ContextPathImpl()
    : resnet(register_module("resnet", ResNet18())),
      arm16(register_module("arm16", AttentionRefinement(256, 128))),
      arm32(register_module("arm32", AttentionRefinement(512, 128))),
      conv_head32(register_module("conv_head32", ConvBNReLU(128, 128, 3))),
      conv_head16(register_module("conv_head16", ConvBNReLU(128, 128, 3))),
      conv_avg(register_module("conv_avg", ConvBNReLU(512, 128, 1))) {}

std::array<at::Tensor, 3> ContextPathImpl::forward(const at::Tensor& x) {
  auto [feat8, feat16, feat32] = resnet(x);
  // The global context is a [B,128,1,1] vector; adding it broadcasts, which
  // equals the reference's nearest upsampling of it to 1/32 size.
  at::Tensor context = conv_avg(global_average(feat32));
  at::Tensor up32 = conv_head32(resize_nearest(arm32(feat32) + context, feat16));
  at::Tensor up16 = conv_head16(resize_nearest(arm16(feat16) + up32, feat8));
  return {feat8, up16, up32};
}

FeatureFusionImpl::FeatureFusionImpl(int64_t in, int64_t out)
    : convblk(register_module("convblk", ConvBNReLU(in, out, 1))),
      conv1(register_module("conv1", conv(out, out / 4, 1))),
      conv2(register_module("conv2", conv(out / 4, out, 1))) {}

at::Tensor FeatureFusionImpl::forward(const at::Tensor& spatial, const at::Tensor& context) {
  at::Tensor feat = convblk(torch::cat({spatial, context}, 1));
  at::Tensor gate = torch::sigmoid(conv2(torch::relu(conv1(global_average(feat)))));
  return feat + feat * gate;
}

BiSeNetOutputImpl::BiSeNetOutputImpl(int64_t in, int64_t mid, int64_t classes)
    : conv(register_module("conv", ConvBNReLU(in, mid, 3))),
      conv_out(register_module("conv_out", barbershop::conv(mid, classes, 1))) {}

at::Tensor BiSeNetOutputImpl::forward(const at::Tensor& x) { return conv_out(conv(x)); }

BiSeNetImpl::BiSeNetImpl(int64_t classes)
    : cp(register_module("cp", ContextPath())),
      ffm(register_module("ffm", FeatureFusion(256, 256))),
      conv_out(register_module("conv_out", BiSeNetOutput(256, 256, classes))),
      conv_out16(register_module("conv_out16", BiSeNetOutput(128, 64, classes))),
      conv_out32(register_module("conv_out32", BiSeNetOutput(128, 64, classes))) {}

at::Tensor BiSeNetImpl::forward(const at::Tensor& x) {
  // The 1/16 context feeds only an auxiliary head, which the pipeline never uses.
  auto [spatial, context8, context16] = cp(x);
  return resize_bilinear(conv_out(ffm(spatial, context8)), x.size(2), x.size(3));
}

std::array<at::Tensor, 3> BiSeNetImpl::forward_all(const at::Tensor& x) {
  auto [spatial, context8, context16] = cp(x);
  const int64_t height = x.size(2), width = x.size(3);
  return {resize_bilinear(conv_out(ffm(spatial, context8)), height, width),
          resize_bilinear(conv_out16(context8), height, width),
          resize_bilinear(conv_out32(context16), height, width)};
}

// --- FaceParser -------------------------------------------------------------

namespace {

// The widely shared 19-class CelebAMask-HQ parser has this very layout but
// wider heads: say so plainly rather than through a generic shape error.
void check_class_count(const StateDict& state, const std::string& path) {
  const std::string key = "conv_out.conv_out.weight";
  auto found = state.find(key);
  if (found == state.end() || found->second.dim() != 4) return;  // load_state_dict reports it
  const int64_t classes = found->second.size(0);
  if (classes == FaceParser::kClasses) return;
  throw Error(path + ": " + key + " has " + std::to_string(classes) + " classes (shape " +
              shape_string(found->second.sizes().vec()) + "), expected " +
              std::to_string(FaceParser::kClasses) + " (shape " +
              shape_string({FaceParser::kClasses, 256, 1, 1}) + "); use Barbershop's seg.pth");
}

bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// Images to the parser's 512x512 grid (sizes already checked).
at::Tensor resize_to_parser(const at::Tensor& images) {
  const int64_t side = images.size(3);
  if (side % FaceParser::kSize == 0) return bicubic_downsample(images, side / FaceParser::kSize);
  return F::interpolate(images, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{FaceParser::kSize, FaceParser::kSize})
                                    .mode(torch::kBicubic)
                                    .align_corners(false));
}

}  // namespace

FaceParser FaceParser::load(const std::string& path, c10::Device device) {
  const StateDict state = Checkpoint::load(path).state_dict();
  check_class_count(state, path);
  BiSeNet network(kClasses);
  load_state_dict(*network, state, path);
  network->to(device);
  return FaceParser(network);
}

FaceParser::FaceParser(BiSeNet network) : network_(std::move(network)) {
  network_->eval();
  for (auto& parameter : network_->parameters()) parameter.set_requires_grad(false);
  const auto options = at::TensorOptions(network_->parameters().front().device()).dtype(at::kFloat);
  mean_ = torch::tensor({0.485, 0.456, 0.406}, options).view({1, 3, 1, 1});
  std_ = torch::tensor({0.229, 0.224, 0.225}, options).view({1, 3, 1, 1});
}

void FaceParser::check_input(const at::Tensor& images) {
  if (images.dim() != 4 || images.size(1) != 3)
    throw Error("the face parser takes RGB images [B,3,H,W], got " +
                shape_string(images.sizes().vec()));
  const int64_t height = images.size(2), width = images.size(3);
  const bool usable =
      height == width && (height % kSize == 0 || (height < kSize && is_power_of_two(height)));
  if (!usable)
    throw Error("the face parser takes square images whose side is a multiple of 512 or a power "
                "of two below 512, got " + std::to_string(width) + "x" + std::to_string(height) +
                "; use an aligned face crop (e.g. 1024x1024)");
}

at::Tensor FaceParser::preprocess(const at::Tensor& images, Source source) const {
  check_input(images);
  at::Tensor x = resize_to_parser((images + 1) / 2);
  if (source == Source::Photo) x = x.clamp(0, 1);
  // In the input's precision, as the reference's constants take it (float32
  // values cast on the device give the same bf16 as the decimal constants:
  // c10 casts doubles to bf16 via float). Same device: no copy at all.
  const at::TensorOptions like = x.options();
  return (x - mean_.to(like)) / std_.to(like);
}

at::Tensor FaceParser::logits(const at::Tensor& images, Source source) const {
  return network_.ptr()->forward(preprocess(images, source));
}

at::Tensor FaceParser::labels(const at::Tensor& images, Source source) const {
  torch::NoGradGuard no_grad;
  return logits(images, source).argmax(1);
}

}  // namespace barbershop
