#include "engine/networks/load_state.h"

#include <torch/torch.h>

#include "engine/error.h"

namespace barbershop {
namespace {

std::vector<int64_t> sizes_of(const at::Tensor& t) { return t.sizes().vec(); }

// Parameters and buffers together: both are checkpoint entries.
std::vector<std::pair<std::string, at::Tensor>> entries_of(torch::nn::Module& module) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  return out;
}

}  // namespace

void load_state_dict(torch::nn::Module& module, const StateDict& state,
                     const std::string& file, const std::string& prefix) {
  auto targets = entries_of(module);
  for (const auto& [name, target] : targets) {
    const std::string key = prefix + name;
    auto found = state.find(key);
    if (found == state.end())
      throw Error(file + ": key '" + key + "' is missing (expected a tensor of shape " +
                  shape_string(sizes_of(target)) + "); is this the right file?");
    if (found->second.sizes() != target.sizes())
      throw Error(file + ": key '" + key + "' has shape " + shape_string(sizes_of(found->second)) +
                  ", expected " + shape_string(sizes_of(target)) + "; is this the right file?");
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : targets) {
    const auto& source = state.at(prefix + name);
    target.copy_(source.to(target.device(), target.scalar_type()));
  }
}

}  // namespace barbershop
