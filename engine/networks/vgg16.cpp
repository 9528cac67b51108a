#include "engine/networks/vgg16.h"

#include <torch/torch.h>

#include "engine/error.h"
#include "engine/networks/load_state.h"

namespace barbershop {
namespace {

// Output channels of each 3x3 conv; 0 marks a 2x2 max-pool. Every conv is
// followed by a ReLU, which gives torchvision's numbering of `features`.
constexpr int64_t kPlan[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0,
                             512, 512, 512, 0, 512, 512, 512, 0};

torch::nn::Sequential make_features() {
  torch::nn::Sequential features;
  int64_t channels = 3;
  for (int64_t width : kPlan) {
    if (width == 0) {
      features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      continue;
    }
    features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, width, 3).padding(1)));
    // Not in place: a layer's output may be returned as an activation.
    features->push_back(torch::nn::ReLU());
    channels = width;
  }
  return features;
}

void freeze(torch::nn::Module& module) {
  for (auto& parameter : module.parameters()) parameter.requires_grad_(false);
}

}  // namespace

struct Vgg16::Net : torch::nn::Module {
  Net() : features(register_module("features", make_features())) { freeze(*this); }
  torch::nn::Sequential features;
};

Vgg16::Vgg16() : net_(std::make_shared<Net>()) {}

Vgg16 Vgg16::load(const std::string& path, c10::Device device) {
  Vgg16 vgg;
  vgg.load_state(Checkpoint::load(path).state_dict(), path);
  vgg.to(device);
  return vgg;
}

void Vgg16::load_state(const StateDict& state, const std::string& file) {
  load_state_dict(*net_, state, file);
}

void Vgg16::to(c10::Device device) { net_->to(device); }

c10::Device Vgg16::device() const { return net_->parameters().front().device(); }

std::vector<at::Tensor> Vgg16::activations(const at::Tensor& x,
                                           const std::vector<int64_t>& layers) const {
  if (x.dim() != 4 || x.size(1) != 3)
    throw Error("VGG16 expects images [B,3,H,W], got " + shape_string(x.sizes().vec()));
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i] < 0 || layers[i] > vgg16_layer::last || (i > 0 && layers[i] <= layers[i - 1]))
      throw Error("VGG16 layers must be ascending indices in 0..30");

  std::vector<at::Tensor> out;
  at::Tensor h = x;
  int64_t index = 0;
  for (auto& layer : *net_->features) {
    if (out.size() == layers.size()) break;
    h = layer.forward(h);
    if (index++ == layers[out.size()]) out.push_back(h);
  }
  return out;
}

}  // namespace barbershop
