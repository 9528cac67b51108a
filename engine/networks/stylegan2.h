#pragma once
// The StyleGAN2 generator (config-f, Karras et al. 2020) as laid out by
// rosinality's stylegan2-pytorch, whose state dict is what ffhq.pt stores
// under "g_ema": every parameter and buffer here is named exactly as its
// checkpoint key ("convs.3.conv.modulation.weight", "noises.noise_5", ...).
//
// Synthesis is read as blocks (docs/method.md, "Networks and files"):
// block 0 is the 4x4 StyledConv + ToRGB and uses W+ codes 0, 1; block k >= 1
// works at 4 * 2^k and uses codes 2k-1, 2k (its two convs) and 2k+1 (its
// ToRGB). Noise layer 0 belongs to block 0, layers 2k-1 and 2k to block k.
//
// Everything runs on the device the module was moved to and is
// differentiable with respect to the W+ codes and feature maps.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "engine/checkpoint/checkpoint.h"

namespace barbershop::stylegan2 {

constexpr int64_t kStyleDim = 512;

// ---- Operations ----------------------------------------------------------

// StyleGAN2's upfirdn2d without the down step: insert up-1 zeros after every
// pixel, pad both axes by pad0 before and pad1 after (negative crops), then
// convolve every channel with `kernel` [kh, kw] (a true convolution, i.e.
// the kernel flipped). input [B, C, H, W].
at::Tensor upfirdn2d(const at::Tensor& input, const at::Tensor& kernel, int64_t up,
                     int64_t pad0, int64_t pad1);

// outer(taps, taps) normalised to sum to `gain`, as float32 [n, n].
at::Tensor fir_kernel(const std::vector<double>& taps, double gain = 1.0);

// leaky_relu(input + bias, 0.2) * sqrt(2), bias broadcast over dim 1.
at::Tensor fused_leaky_relu(const at::Tensor& input, const at::Tensor& bias);

// ---- Layers --------------------------------------------------------------

// x / sqrt(mean(x^2 over dim 1) + 1e-8).
class PixelNormImpl : public torch::nn::Module {
 public:
  at::Tensor forward(const at::Tensor& input) const;
};
TORCH_MODULE(PixelNorm);

// Linear layer with equalised learning rate: the stored weight is scaled by
// lr_mul / sqrt(in) and the bias by lr_mul at run time.
class EqualLinearImpl : public torch::nn::Module {
 public:
  EqualLinearImpl(int64_t in, int64_t out, double lr_mul = 1.0, bool activate = false);
  at::Tensor forward(const at::Tensor& input) const;

  at::Tensor weight;  // [out, in]
  at::Tensor bias;    // [out]

 private:
  double weight_gain_, lr_mul_;
  bool activate_;
};
TORCH_MODULE(EqualLinear);

// upfirdn2d with the [1,3,3,1] kernel as a buffer "kernel" (registered so the
// names match the checkpoint: "blur" in upsampling convs, "upsample" in ToRGB).
class BlurImpl : public torch::nn::Module {
 public:
  BlurImpl(int64_t up, int64_t pad0, int64_t pad1, double gain);
  at::Tensor forward(const at::Tensor& input) const;

  at::Tensor kernel;  // [4, 4], sums to gain

 private:
  int64_t up_, pad0_, pad1_;
};
TORCH_MODULE(Blur);

// Convolution whose weights are scaled per sample and input channel by a
// style (an affine map of w), optionally demodulated so each output channel
// has unit expected variance; computed as one grouped convolution over the
// batch. Upsampling = transposed conv with stride 2, then the blur.
class ModulatedConv2dImpl : public torch::nn::Module {
 public:
  ModulatedConv2dImpl(int64_t in, int64_t out, int64_t kernel_size, bool demodulate,
                      bool upsample);
  // input [B, in, H, W], w [B, 512] -> [B, out, H, W] (2H x 2W when upsampling).
  at::Tensor forward(const at::Tensor& input, const at::Tensor& w) const;

  at::Tensor weight;       // [1, out, in, k, k]
  EqualLinear modulation;  // 512 -> in, bias initialised to 1
  Blur blur{nullptr};      // upsampling only

 private:
  double weight_gain_;
  bool demodulate_;
};
TORCH_MODULE(ModulatedConv2d);

// image + weight * noise, one learned scalar per layer.
class NoiseInjectionImpl : public torch::nn::Module {
 public:
  NoiseInjectionImpl();
  at::Tensor forward(const at::Tensor& image, const at::Tensor& noise) const;

  at::Tensor weight;  // [1]
};
TORCH_MODULE(NoiseInjection);

// fused_leaky_relu with a learned per-channel bias.
class FusedLeakyReLUImpl : public torch::nn::Module {
 public:
  explicit FusedLeakyReLUImpl(int64_t channels);
  at::Tensor forward(const at::Tensor& input) const;

  at::Tensor bias;  // [channels]
};
TORCH_MODULE(FusedLeakyReLU);

// The learned 4x4 start of the synthesis network.
class ConstantInputImpl : public torch::nn::Module {
 public:
  explicit ConstantInputImpl(int64_t channels);
  at::Tensor forward(int64_t batch) const;

  at::Tensor input;  // [1, channels, 4, 4]
};
TORCH_MODULE(ConstantInput);

// Modulated 3x3 conv, noise, bias and activation.
class StyledConvImpl : public torch::nn::Module {
 public:
  StyledConvImpl(int64_t in, int64_t out, bool upsample);
  at::Tensor forward(const at::Tensor& input, const at::Tensor& w,
                     const at::Tensor& noise_map) const;

  ModulatedConv2d conv;
  NoiseInjection noise;
  FusedLeakyReLU activate;
};
TORCH_MODULE(StyledConv);

// Modulated 1x1 conv to RGB (no demodulation) plus bias; adds the previous
// RGB image upsampled when `skip` is defined.
class ToRGBImpl : public torch::nn::Module {
 public:
  ToRGBImpl(int64_t in, bool upsample_skip);
  at::Tensor forward(const at::Tensor& input, const at::Tensor& w,
                     const at::Tensor& skip = at::Tensor()) const;

  ModulatedConv2d conv;
  at::Tensor bias;         // [1, 3, 1, 1]
  Blur upsample{nullptr};  // all but the first ToRGB
};
TORCH_MODULE(ToRGB);

// ---- Generator -----------------------------------------------------------

// Where the per-layer noise maps come from.
struct Noise {
  enum class Kind { Stored, Random };
  Kind kind = Kind::Stored;
  at::Generator generator;  // Random: drawn from on every call, advancing it

  // The checkpoint's buffers noises.noise_i, shared by the whole batch.
  static Noise stored() { return {}; }
  // Fresh N(0, 1) maps [B, 1, r, r] on every synthesis call, as the
  // reference does while optimising. A CPU generator gives the same maps on
  // every device; see seeded_generator.
  static Noise random(at::Generator generator) { return {Kind::Random, std::move(generator)}; }
};

// A CPU random generator with the given seed, for Noise::random.
at::Generator seeded_generator(uint64_t seed);

struct GeneratorConfig {
  int64_t size = 1024;             // a power of two, 64..1024
  int64_t channel_multiplier = 2;  // 2 for config-f
};

class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(GeneratorConfig config = {});

  int64_t size() const { return config_.size; }
  int64_t channel_multiplier() const { return config_.channel_multiplier; }
  int64_t n_latent() const { return 2 * log_size_ - 2; }          // W+ codes
  int64_t num_blocks() const { return log_size_ - 1; }            // blocks 0..num_blocks-1
  int64_t num_noise_layers() const { return 2 * log_size_ - 3; }
  int64_t channels(int64_t resolution) const;
  int64_t block_resolution(int64_t block) const { return int64_t{4} << block; }

  // The mapping network: z [B, 512] -> w [B, 512].
  at::Tensor mapping(const at::Tensor& z) const;

  // W+ codes [B, n_latent, 512] -> image [B, 3, R, R], roughly in [-1, 1].
  at::Tensor synthesize(const at::Tensor& w_plus, const Noise& noise = Noise::stored()) const;

  // Blocks 0..last_block; returns the feature map after block `last_block`
  // [B, channels(r), r, r] with r = block_resolution(last_block). F in
  // Barbershop is synthesize_features(w_plus, 3).
  at::Tensor synthesize_features(const at::Tensor& w_plus, int64_t last_block,
                                 const Noise& noise = Noise::stored()) const;

  // Blocks first_block..end (first_block >= 1) from `features`, the output
  // of block first_block-1. As in the Barbershop reference, the RGB skip
  // path starts at zero: the ToRGB outputs of earlier blocks do not reach
  // the image. w_plus is the full [B, n_latent, 512]; earlier codes are unused.
  at::Tensor synthesize_from(const at::Tensor& features, int64_t first_block,
                             const at::Tensor& w_plus, const Noise& noise = Noise::stored()) const;

  // Named as in the checkpoint.
  torch::nn::ModuleList style{nullptr};  // style.0 = PixelNorm, style.1..8 = EqualLinear
  ConstantInput input{nullptr};
  StyledConv conv1{nullptr};
  ToRGB to_rgb1{nullptr};
  torch::nn::ModuleList convs{nullptr};    // block k: convs[2k-2] (upsampling), convs[2k-1]
  torch::nn::ModuleList to_rgbs{nullptr};  // block k: to_rgbs[k-1]
  std::shared_ptr<torch::nn::Module> noises;  // buffers noise_0..noise_{num_noise_layers-1}

 private:
  struct State {
    at::Tensor features, rgb;  // rgb undefined = zero skip
  };
  State run_blocks(State state, int64_t first, int64_t last, const at::Tensor& w_plus,
                   const Noise& noise) const;
  at::Tensor noise_map(int64_t layer, const at::Tensor& like, const Noise& noise) const;
  void check_w_plus(const at::Tensor& w_plus) const;

  GeneratorConfig config_;
  int64_t log_size_;
  std::vector<at::Tensor> stored_noise_;  // the buffers of `noises`, in layer order
};
TORCH_MODULE(Generator);

// ---- Checkpoints ---------------------------------------------------------

// Size and channel multiplier from the tensor shapes of a g_ema state dict:
// the number of to_rgbs.i gives log2(size), the output channels of the
// first 64x64 conv give the multiplier. Throws barbershop::Error naming
// `file` when the dict is not a StyleGAN2 generator of a supported size.
GeneratorConfig infer_generator_config(const StateDict& state, const std::string& file);

struct LoadedGenerator {
  Generator generator{nullptr};  // on the CPU, parameters frozen (no grad)
  at::Tensor latent_avg;         // [512], the mean w
};

// Reads a rosinality-layout checkpoint (ffhq.pt, afhqdog.pt, ...): the state
// dict under `key` and the tensor "latent_avg" ([512] or [1, 512]). Throws
// barbershop::Error naming the file and the key or shape that is wrong.
LoadedGenerator load_generator(const std::string& path, const std::string& key = "g_ema");

}  // namespace barbershop::stylegan2
