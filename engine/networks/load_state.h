#pragma once
// Copies checkpoint tensors into a module whose parameter and buffer names
// equal the checkpoint keys, checking every shape first.
#include <torch/nn/module.h>

#include "engine/checkpoint/checkpoint.h"

namespace barbershop {

// Every parameter and buffer of `module` must be in `state` under
// `prefix + name` with the same shape, or barbershop::Error names the file,
// the key and the expected vs found shape. Extra keys in `state` are ignored
// (e.g. the classifier of torchvision's VGG16). Nothing is copied unless all
// keys check out, so a failed load leaves the module as it was.
void load_state_dict(torch::nn::Module& module, const StateDict& state,
                     const std::string& file, const std::string& prefix = "");

}  // namespace barbershop
