#include "engine/networks/stylegan2.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/error.h"
#include "engine/networks/load_state.h"

namespace barbershop::stylegan2 {
namespace {

constexpr int64_t kMappingLayers = 8;
constexpr double kMappingLrMul = 0.01;
const std::vector<double> kBlurTaps = {1, 3, 3, 1};

// Square stride/padding arguments for ATen's convolutions.
std::vector<int64_t> both(int64_t value) { return {value, value}; }

std::vector<int64_t> sizes(const at::Tensor& t) { return t.sizes().vec(); }

}  // namespace

// ---- Operations ----------------------------------------------------------

at::Tensor upfirdn2d(const at::Tensor& input, const at::Tensor& kernel, int64_t up,
                     int64_t pad0, int64_t pad1) {
  TORCH_CHECK(input.dim() == 4 && kernel.dim() == 2 && up >= 1, "upfirdn2d: bad arguments");
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t height = input.size(2), width = input.size(3);
  // Channels become the batch of a one-channel convolution.
  at::Tensor x = input.reshape({batch * channels, 1, height, width});
  if (up > 1) {
    // Follow every pixel by up-1 zeros along both axes.
    x = at::constant_pad_nd(x.reshape({batch * channels, 1, height, 1, width, 1}),
                            {0, up - 1, 0, 0, 0, up - 1});
    x = x.reshape({batch * channels, 1, height * up, width * up});
  }
  x = at::constant_pad_nd(x, {pad0, pad1, pad0, pad1});  // negative pads crop
  // conv2d correlates; flipping the kernel makes it a convolution.
  const at::Tensor weight =
      kernel.flip({0, 1}).to(x.options()).reshape({1, 1, kernel.size(0), kernel.size(1)});
  x = at::conv2d(x, weight);
  return x.reshape({batch, channels, x.size(2), x.size(3)});
}

at::Tensor fir_kernel(const std::vector<double>& taps, double gain) {
  const at::Tensor t = at::tensor(taps, at::kDouble);
  const at::Tensor k = at::outer(t, t);
  return (k / k.sum() * gain).to(at::kFloat);
}

at::Tensor fused_leaky_relu(const at::Tensor& input, const at::Tensor& bias) {
  std::vector<int64_t> shape(input.dim(), 1);
  shape[1] = -1;
  // The sqrt(2) gain keeps the signal's second moment through the activation.
  return at::leaky_relu(input + bias.reshape(shape), 0.2) * std::sqrt(2.0);
}

// ---- Layers --------------------------------------------------------------

at::Tensor PixelNormImpl::forward(const at::Tensor& input) const {
  return input * at::rsqrt(input.pow(2).mean({1}, /*keepdim=*/true) + 1e-8);
}

EqualLinearImpl::EqualLinearImpl(int64_t in, int64_t out, double lr_mul, bool activate)
    : weight_gain_(lr_mul / std::sqrt(static_cast<double>(in))),
      lr_mul_(lr_mul),
      activate_(activate) {
  weight = register_parameter("weight", at::randn({out, in}) / lr_mul);
  bias = register_parameter("bias", at::zeros({out}));
}

at::Tensor EqualLinearImpl::forward(const at::Tensor& input) const {
  const at::Tensor scaled = weight * weight_gain_;
  if (activate_) return fused_leaky_relu(at::linear(input, scaled), bias * lr_mul_);
  return at::linear(input, scaled, bias * lr_mul_);
}

BlurImpl::BlurImpl(int64_t up, int64_t pad0, int64_t pad1, double gain)
    : up_(up), pad0_(pad0), pad1_(pad1) {
  kernel = register_buffer("kernel", fir_kernel(kBlurTaps, gain));
}

at::Tensor BlurImpl::forward(const at::Tensor& input) const {
  return upfirdn2d(input, kernel, up_, pad0_, pad1_);
}

ModulatedConv2dImpl::ModulatedConv2dImpl(int64_t in, int64_t out, int64_t kernel_size,
                                         bool demodulate, bool upsample)
    : modulation(kStyleDim, in),
      weight_gain_(1.0 / std::sqrt(static_cast<double>(in * kernel_size * kernel_size))),
      demodulate_(demodulate) {
  weight = register_parameter("weight", at::randn({1, out, in, kernel_size, kernel_size}));
  // Styles start at 1: an untrained layer leaves the weights as they are.
  modulation->bias.data().fill_(1.0);
  register_module("modulation", modulation);
  if (upsample) {
    // The stride-2 transposed 3x3 conv leaves 2H+1 pixels; the 4-tap blur
    // with pad (1, 1) brings them to 2H. Gain 4 = up^2 restores the energy
    // lost to the inserted zeros.
    blur = register_module("blur", Blur(1, 1, 1, 4.0));
  }
}

at::Tensor ModulatedConv2dImpl::forward(const at::Tensor& input, const at::Tensor& w) const {
  const int64_t batch = input.size(0), in = weight.size(2), out = weight.size(1);
  const int64_t k = weight.size(3);
  const at::Tensor style = modulation->forward(w).reshape({batch, 1, in, 1, 1});
  at::Tensor w_b = weight * weight_gain_ * style;  // [batch, out, in, k, k]
  if (demodulate_) w_b = w_b * at::rsqrt(w_b.pow(2).sum({2, 3, 4}, /*keepdim=*/true) + 1e-8);

  // Each sample's weights differ, so the batch runs as the groups of one
  // convolution over a batch of one.
  const at::Tensor x = input.reshape({1, batch * in, input.size(2), input.size(3)});
  at::Tensor y;
  if (blur) {
    // conv_transpose2d wants weights as [in, out / groups, k, k].
    const at::Tensor w_t = w_b.transpose(1, 2).reshape({batch * in, out, k, k});
    y = at::conv_transpose2d(x, w_t, {}, both(2), both(0), both(0), batch, both(1));
  } else {
    y = at::conv2d(x, w_b.reshape({batch * out, in, k, k}), {}, both(1), both(k / 2), both(1),
                   batch);
  }
  y = y.reshape({batch, out, y.size(2), y.size(3)});
  return blur ? blur->forward(y) : y;
}

NoiseInjectionImpl::NoiseInjectionImpl() {
  weight = register_parameter("weight", at::zeros({1}));
}

at::Tensor NoiseInjectionImpl::forward(const at::Tensor& image, const at::Tensor& noise) const {
  return image + weight * noise;
}

FusedLeakyReLUImpl::FusedLeakyReLUImpl(int64_t channels) {
  bias = register_parameter("bias", at::zeros({channels}));
}

at::Tensor FusedLeakyReLUImpl::forward(const at::Tensor& input) const {
  return fused_leaky_relu(input, bias);
}

ConstantInputImpl::ConstantInputImpl(int64_t channels) {
  input = register_parameter("input", at::randn({1, channels, 4, 4}));
}

at::Tensor ConstantInputImpl::forward(int64_t batch) const {
  return input.expand({batch, -1, -1, -1});
}

StyledConvImpl::StyledConvImpl(int64_t in, int64_t out, bool upsample)
    : conv(in, out, 3, /*demodulate=*/true, upsample), activate(out) {
  register_module("conv", conv);
  register_module("noise", noise);
  register_module("activate", activate);
}

at::Tensor StyledConvImpl::forward(const at::Tensor& input, const at::Tensor& w,
                                   const at::Tensor& noise_map) const {
  return activate->forward(noise->forward(conv->forward(input, w), noise_map));
}

ToRGBImpl::ToRGBImpl(int64_t in, bool upsample_skip)
    : conv(in, 3, 1, /*demodulate=*/false, /*upsample=*/false) {
  register_module("conv", conv);
  bias = register_parameter("bias", at::zeros({1, 3, 1, 1}));
  // 2x upsampling of the previous RGB: zero insertion, then the blur with
  // pad (2, 1) so that output pixel centres line up with the new grid.
  if (upsample_skip) upsample = register_module("upsample", Blur(2, 2, 1, 4.0));
}

at::Tensor ToRGBImpl::forward(const at::Tensor& input, const at::Tensor& w,
                              const at::Tensor& skip) const {
  const at::Tensor rgb = conv->forward(input, w) + bias;
  if (!skip.defined()) return rgb;
  TORCH_CHECK(upsample, "ToRGB without upsampling got a skip input");
  return rgb + upsample->forward(skip);
}

// ---- Generator -----------------------------------------------------------

at::Generator seeded_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

GeneratorImpl::GeneratorImpl(GeneratorConfig config) : config_(config) {
  const int64_t size = config.size;
  if (size < 64 || size > 1024 || (size & (size - 1)) != 0)
    throw Error("StyleGAN2 size " + std::to_string(size) +
                " is not supported; use a power of two from 64 to 1024");
  if (config.channel_multiplier < 1)
    throw Error("StyleGAN2 channel multiplier must be at least 1, not " +
                std::to_string(config.channel_multiplier));
  log_size_ = 0;
  while ((int64_t{1} << log_size_) < size) ++log_size_;

  style = register_module("style", torch::nn::ModuleList());
  style->push_back(PixelNorm());
  for (int64_t i = 0; i < kMappingLayers; ++i)
    style->push_back(EqualLinear(kStyleDim, kStyleDim, kMappingLrMul, /*activate=*/true));

  input = register_module("input", ConstantInput(channels(4)));
  conv1 = register_module("conv1", StyledConv(channels(4), channels(4), /*upsample=*/false));
  to_rgb1 = register_module("to_rgb1", ToRGB(channels(4), /*upsample=*/false));

  convs = register_module("convs", torch::nn::ModuleList());
  to_rgbs = register_module("to_rgbs", torch::nn::ModuleList());
  for (int64_t block = 1; block < num_blocks(); ++block) {
    const int64_t in = channels(block_resolution(block - 1));
    const int64_t out = channels(block_resolution(block));
    convs->push_back(StyledConv(in, out, /*upsample=*/true));
    convs->push_back(StyledConv(out, out, /*upsample=*/false));
    to_rgbs->push_back(ToRGB(out, /*upsample=*/true));
  }

  noises = register_module("noises", std::make_shared<torch::nn::Module>());
  for (int64_t layer = 0; layer < num_noise_layers(); ++layer) {
    const int64_t r = block_resolution((layer + 1) / 2);
    stored_noise_.push_back(
        noises->register_buffer("noise_" + std::to_string(layer), at::randn({1, 1, r, r})));
  }
}

int64_t GeneratorImpl::channels(int64_t resolution) const {
  if (resolution <= 32) return 512;
  return 16384 / resolution * config_.channel_multiplier;  // 256m at 64 ... 16m at 1024
}

at::Tensor GeneratorImpl::mapping(const at::Tensor& z) const {
  if (z.dim() != 2 || z.size(1) != kStyleDim)
    throw Error("mapping network input has shape " + shape_string(sizes(z)) +
                ", expected [B, 512]");
  at::Tensor x = style->ptr<PixelNormImpl>(0)->forward(z);
  for (int64_t i = 1; i <= kMappingLayers; ++i) x = style->ptr<EqualLinearImpl>(i)->forward(x);
  return x;
}

void GeneratorImpl::check_w_plus(const at::Tensor& w_plus) const {
  if (w_plus.dim() != 3 || w_plus.size(1) != n_latent() || w_plus.size(2) != kStyleDim)
    throw Error("W+ codes have shape " + shape_string(sizes(w_plus)) + ", expected [B, " +
                std::to_string(n_latent()) + ", 512] for a " + std::to_string(size()) + "x" +
                std::to_string(size()) + " generator");
}

at::Tensor GeneratorImpl::noise_map(int64_t layer, const at::Tensor& like,
                                    const Noise& noise) const {
  if (noise.kind == Noise::Kind::Stored) return stored_noise_[layer];
  const int64_t r = block_resolution((layer + 1) / 2);
  const at::Device device = noise.generator.defined() ? noise.generator.device() : like.device();
  const c10::optional<at::Generator> generator =
      noise.generator.defined() ? c10::optional<at::Generator>(noise.generator) : c10::nullopt;
  return at::randn({like.size(0), 1, r, r}, generator, at::TensorOptions().device(device))
      .to(like.options());
}

GeneratorImpl::State GeneratorImpl::run_blocks(State state, int64_t first, int64_t last,
                                               const at::Tensor& w_plus,
                                               const Noise& noise) const {
  const auto code = [&](int64_t i) { return w_plus.select(1, i); };
  for (int64_t k = first; k <= last; ++k) {
    if (k == 0) {
      const at::Tensor x = input->forward(w_plus.size(0));
      state.features = conv1->forward(x, code(0), noise_map(0, w_plus, noise));
      state.rgb = to_rgb1->forward(state.features, code(1));
      continue;
    }
    const auto up_conv = convs->ptr<StyledConvImpl>(2 * k - 2);
    const auto conv = convs->ptr<StyledConvImpl>(2 * k - 1);
    at::Tensor x = up_conv->forward(state.features, code(2 * k - 1),
                                    noise_map(2 * k - 1, w_plus, noise));
    state.features = conv->forward(x, code(2 * k), noise_map(2 * k, w_plus, noise));
    state.rgb = to_rgbs->ptr<ToRGBImpl>(k - 1)->forward(state.features, code(2 * k + 1), state.rgb);
  }
  return state;
}

at::Tensor GeneratorImpl::synthesize(const at::Tensor& w_plus, const Noise& noise) const {
  check_w_plus(w_plus);
  return run_blocks({}, 0, num_blocks() - 1, w_plus, noise).rgb;
}

at::Tensor GeneratorImpl::synthesize_features(const at::Tensor& w_plus, int64_t last_block,
                                              const Noise& noise) const {
  check_w_plus(w_plus);
  if (last_block < 0 || last_block >= num_blocks())
    throw Error("block " + std::to_string(last_block) + " does not exist; this generator has blocks 0.." +
                std::to_string(num_blocks() - 1));
  return run_blocks({}, 0, last_block, w_plus, noise).features;
}

at::Tensor GeneratorImpl::synthesize_from(const at::Tensor& features, int64_t first_block,
                                          const at::Tensor& w_plus, const Noise& noise) const {
  check_w_plus(w_plus);
  if (first_block < 1 || first_block >= num_blocks())
    throw Error("synthesis can start from blocks 1.." + std::to_string(num_blocks() - 1) +
                ", not " + std::to_string(first_block));
  const int64_t r = block_resolution(first_block - 1);
  const std::vector<int64_t> expected = {w_plus.size(0), channels(r), r, r};
  if (features.sizes() != at::IntArrayRef(expected))
    throw Error("feature map has shape " + shape_string(sizes(features)) + ", expected " +
                shape_string(expected) + " to start from block " + std::to_string(first_block));
  // The RGB skip starts undefined (zero), as in the Barbershop reference.
  return run_blocks({features, at::Tensor()}, first_block, num_blocks() - 1, w_plus, noise).rgb;
}

// ---- Checkpoints ---------------------------------------------------------

GeneratorConfig infer_generator_config(const StateDict& state, const std::string& file) {
  const auto rgb_key = [](int64_t i) { return "to_rgbs." + std::to_string(i) + ".conv.weight"; };
  int64_t upsampling_blocks = 0;
  while (state.count(rgb_key(upsampling_blocks))) ++upsampling_blocks;
  if (upsampling_blocks == 0)
    throw Error(file + ": no '" + rgb_key(0) +
                "' in the generator's state dict; is this a StyleGAN2 checkpoint in "
                "rosinality's layout (like ffhq.pt)?");
  const int64_t size = int64_t{4} << upsampling_blocks;
  if (size < 64 || size > 1024)
    throw Error(file + ": the generator makes " + std::to_string(size) + "x" +
                std::to_string(size) + " images; sizes 64 to 1024 are supported");

  // The first conv at 64x64 (block 4) has 256 * multiplier output channels.
  const std::string key = "convs.6.conv.weight";
  const auto found = state.find(key);
  if (found == state.end() || found->second.dim() != 5)
    throw Error(file + ": key '" + key + "' is missing or not [1, out, in, 3, 3]; is this a "
                "StyleGAN2 checkpoint in rosinality's layout?");
  const int64_t out = found->second.size(1);
  if (out % 256 != 0)
    throw Error(file + ": key '" + key + "' has shape " + shape_string(sizes(found->second)) +
                "; expected 256 * channel multiplier output channels");
  return {size, out / 256};
}

LoadedGenerator load_generator(const std::string& path, const std::string& key) {
  const Checkpoint checkpoint = Checkpoint::load(path);
  const auto missing = [&](const std::string& what) {
    return Error(path + ": no '" + what +
                 "' entry; a StyleGAN2 checkpoint like ffhq.pt holds 'g_ema' (the generator) "
                 "and 'latent_avg'");
  };
  if (!checkpoint.root().find(key)) throw missing(key);
  const CheckpointValue* avg = checkpoint.root().find("latent_avg");
  if (!avg || avg->kind != CheckpointValue::Kind::Tensor) throw missing("latent_avg");

  at::Tensor latent_avg = avg->tensor.to(at::kFloat);
  if (latent_avg.numel() != kStyleDim || latent_avg.size(-1) != kStyleDim || latent_avg.dim() > 2)
    throw Error(path + ": 'latent_avg' has shape " + shape_string(sizes(latent_avg)) +
                ", expected [512] or [1, 512]");

  const StateDict state = checkpoint.state_dict(key);
  Generator generator(infer_generator_config(state, path));
  load_state_dict(*generator, state, path);
  // The pipeline optimises codes and features, never the weights.
  for (auto& parameter : generator->parameters()) parameter.requires_grad_(false);
  generator->eval();
  return {generator, latent_avg.reshape({kStyleDim}).contiguous()};
}

}  // namespace barbershop::stylegan2
