#pragma once
// The face parser of Barbershop: BiSeNet (Yu et al., ECCV 2018) with a
// ResNet-18 context path and 16 classes, loaded from Barbershop's `seg.pth`.
// Label 0 is background, 10 is hair (docs/method.md, "Networks and files").
//
// As in Barbershop, the paper's spatial path is replaced by ResNet's 1/8
// feature map, and two auxiliary heads (conv_out16, conv_out32) exist only
// because the file holds them; the pipeline uses the main head.
//
// Parameter and buffer names equal the checkpoint keys ("cp.resnet.conv1.weight",
// "ffm.convblk.bn.running_mean", ...), so engine/networks/load_state.h loads
// the file as is. The network always runs in eval mode (BatchNorm on running
// statistics) and its parameters never require gradients; gradients flow to
// the input image only.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <string>

namespace barbershop {

// Conv (no bias, "same" padding) -> BatchNorm -> ReLU: the unit every part
// outside the ResNet is built of.
struct ConvBNReLUImpl : torch::nn::Module {
  ConvBNReLUImpl(int64_t in, int64_t out, int64_t kernel);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(ConvBNReLU);

// ResNet basic block: two 3x3 convs and a shortcut (a strided 1x1 conv + BN
// where the shape changes).
struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // absent when the shape is kept
};
TORCH_MODULE(BasicBlock);

// ResNet-18 without its classifier; returns the feature maps at 1/8, 1/16
// and 1/32 of the input size (128, 256, 512 channels).
struct ResNet18Impl : torch::nn::Module {
  ResNet18Impl();
  std::array<at::Tensor, 3> forward(const at::Tensor& x);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
};
TORCH_MODULE(ResNet18);

// Attention refinement module: a ConvBNReLU whose channels are reweighted by
// a sigmoid gate computed from their global average.
struct AttentionRefinementImpl : torch::nn::Module {
  AttentionRefinementImpl(int64_t in, int64_t out);
  at::Tensor forward(const at::Tensor& x);

  ConvBNReLU conv{nullptr};
  torch::nn::Conv2d conv_atten{nullptr};
  torch::nn::BatchNorm2d bn_atten{nullptr};
};
TORCH_MODULE(AttentionRefinement);

// Context path: ResNet-18 plus the global context (conv_avg) and the two
// refined, upsampled stages. Returns {ResNet 1/8 feature (stands in for the
// spatial path), context at 1/8, context at 1/16}.
struct ContextPathImpl : torch::nn::Module {
  ContextPathImpl();
  std::array<at::Tensor, 3> forward(const at::Tensor& x);

  ResNet18 resnet{nullptr};
  AttentionRefinement arm16{nullptr}, arm32{nullptr};
  ConvBNReLU conv_head32{nullptr}, conv_head16{nullptr}, conv_avg{nullptr};
};
TORCH_MODULE(ContextPath);

// Feature fusion module: concatenated spatial and context features through a
// 1x1 ConvBNReLU, plus the same feature reweighted by a channel gate.
struct FeatureFusionImpl : torch::nn::Module {
  FeatureFusionImpl(int64_t in, int64_t out);
  at::Tensor forward(const at::Tensor& spatial, const at::Tensor& context);

  ConvBNReLU convblk{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
};
TORCH_MODULE(FeatureFusion);

// A segmentation head: 3x3 ConvBNReLU, then 1x1 conv to class logits.
struct BiSeNetOutputImpl : torch::nn::Module {
  BiSeNetOutputImpl(int64_t in, int64_t mid, int64_t classes);
  at::Tensor forward(const at::Tensor& x);

  ConvBNReLU conv{nullptr};
  torch::nn::Conv2d conv_out{nullptr};
};
TORCH_MODULE(BiSeNetOutput);

struct BiSeNetImpl : torch::nn::Module {
  explicit BiSeNetImpl(int64_t classes = 16);
  // Main-head logits [B,classes,H,W] for a normalised input [B,3,H,W]
  // (bilinear, corners aligned, back to the input size).
  at::Tensor forward(const at::Tensor& x);
  // {main, conv_out16, conv_out32} logits, all at the input size, as
  // Barbershop's forward returns them.
  std::array<at::Tensor, 3> forward_all(const at::Tensor& x);

  ContextPath cp{nullptr};
  FeatureFusion ffm{nullptr};
  BiSeNetOutput conv_out{nullptr}, conv_out16{nullptr}, conv_out32{nullptr};
};
TORCH_MODULE(BiSeNet);

// The parser as the pipeline uses it: images in, 512x512 logits or labels out.
class FaceParser {
 public:
  static constexpr int64_t kClasses = 16;
  static constexpr int64_t kSize = 512;  // the parser's working resolution
  static constexpr int64_t kBackground = 0;
  static constexpr int64_t kHair = 10;

  // Barbershop clamps the resized image to [0,1] for pictures read from disk
  // but not for generator renders; the two give slightly different logits.
  enum class Source { Render, Photo };

  // Reads `path` (a state dict), checks it has 16 classes, copies it into a
  // BiSeNet on `device`. Throws barbershop::Error naming the file.
  static FaceParser load(const std::string& path, c10::Device device = c10::kCPU);
  // Wraps an existing network (tests, random weights): puts it in eval mode
  // and stops gradients to its parameters.
  explicit FaceParser(BiSeNet network);

  // images: [B,3,R,R] in [-1,1] on the parser's device. Returns the main
  // logits [B,16,512,512], differentiable w.r.t. `images`.
  // R = 512k: bicubic downsampling by k, "Helper operations" (k = 1 filters).
  // R a power of two below 512 (small test generators): bicubic upsampling to
  // 512 (align_corners false), an engine choice: Barbershop has no such case.
  // Anything else throws barbershop::Error.
  at::Tensor logits(const at::Tensor& images, Source source = Source::Render) const;
  // argmax of logits: [B,512,512] int64 (no gradient).
  at::Tensor labels(const at::Tensor& images, Source source = Source::Render) const;
  // The network's input: [0,1], resized to 512, ImageNet-normalised.
  at::Tensor preprocess(const at::Tensor& images, Source source) const;

  // Throws barbershop::Error unless `images` is [B,3,R,R] with R as above.
  static void check_input(const at::Tensor& images);

  BiSeNet network() const { return network_; }  // shares the weights

 private:
  BiSeNet network_;
  // ImageNet's channel mean and deviation [1,3,1,1], float32 on the device
  // the network had when wrapped: made once, so a step (and a recorded CUDA
  // graph) copies nothing from the host.
  at::Tensor mean_, std_;
};

}  // namespace barbershop
