#pragma once
// Reading PyTorch checkpoints without Python and without running any code
// from the file: the zip format (torch.save since 1.6), the legacy pre-zip
// format (torchvision's vgg16-397923af.pth, LPIPS' vgg.pth) and safetensors.
#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace barbershop {

// One unpickled value. Only data: a global the allow-list does not know
// (e.g. argparse.Namespace) becomes Opaque and is never executed.
struct CheckpointValue {
  enum class Kind { None, Bool, Int, Float, String, Bytes, List, Tuple, Dict, Tensor, Opaque };
  using Ptr = std::shared_ptr<CheckpointValue>;

  CheckpointValue() = default;
  CheckpointValue(const CheckpointValue&) = default;
  CheckpointValue& operator=(const CheckpointValue&) = default;
  // Releases nested values one level at a time: a chain of 10^5 lists in a
  // damaged or hostile file must not recurse once per level and overflow the stack.
  ~CheckpointValue();

  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;                             // String, Bytes; Opaque: "module.name"
  std::vector<Ptr> items;                       // List, Tuple; Opaque: its arguments
  std::vector<std::pair<Ptr, Ptr>> entries;     // Dict, in file order
  at::Tensor tensor;                            // Tensor
  // What pickle's BUILD set: an object's __dict__ (argparse.Namespace's
  // fields), or a state_dict's attributes ({"_metadata": ...}). May be null.
  Ptr state;

  // Dict lookup by string key; nullptr when absent or not a dict. A key
  // stored twice gives its last value, as in Python.
  const CheckpointValue* find(const std::string& key) const;
  // An object's field set by BUILD (e.g. args.size of an argparse.Namespace);
  // nullptr when absent.
  const CheckpointValue* attribute(const std::string& name) const;
};

// Tensors by dotted key ("convs.0.conv.weight"), as in a PyTorch state_dict.
using StateDict = std::map<std::string, at::Tensor>;

class Checkpoint {
 public:
  // Throws barbershop::Error naming the file and the problem.
  static Checkpoint load(const std::string& path);

  const std::string& path() const { return path_; }
  const CheckpointValue& root() const { return *root_; }

  // The dict of tensors under `key` ("" = the root itself), e.g. "g_ema".
  // Non-tensor entries are skipped. Throws when the key is missing or not a dict.
  StateDict state_dict(const std::string& key = "") const;
  // A tensor stored directly under `key` in the root dict, e.g. "latent_avg".
  at::Tensor tensor(const std::string& key) const;

  Checkpoint(std::string path, CheckpointValue::Ptr root)
      : path_(std::move(path)), root_(std::move(root)) {}

 private:
  // The root dict's entry under `key`; throws naming the keys found instead.
  const CheckpointValue& entry(const std::string& key) const;

  std::string path_;
  CheckpointValue::Ptr root_;
};

}  // namespace barbershop
