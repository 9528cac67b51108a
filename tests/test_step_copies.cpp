// What a CUDA graph needs of an optimisation step, checked on the CPU: no
// tensor built from host values, no copy between devices and no host read
// inside a step. A recorded graph replays device work only, so a step that
// builds a small tensor on the host and copies it over (LPIPS' scaling, the
// parser's normalisation, the bicubic taps) cannot be recorded, and every
// capture falls back to eager steps (engine/pipeline/stage.cpp).
//
// A RecordFunction observer watches every LibTorch op of each stage's second
// step (the first is a warm-up that may build state once) on the pipeline
// fixture's random 64 px weights. What it counts, as LibTorch 2.11 records it
// (the first test shows the observer sees each kind):
// - from host: `aten::empty` called by engine code rather than inside another
//   op, which is how at::tensor(values) and torch::tensor({...}) begin (the
//   host then writes the values; on a GPU a copy to the device follows), and
//   `aten::lift_fresh` / `aten::lift`, Python's literal tensors.
// - device changes: `aten::_to_copy` to another device, `aten::copy_` between
//   devices. Never seen on the CPU, counted for when this runs on a GPU.
// - host reads: `aten::_local_scalar_dense` (item()), which waits for the
//   device. Not inside `aten::_fused_adam_`: LibTorch's CPU kernel reads each
//   step count on the host, where the CUDA kernel reads it on the device
//   (engine/pipeline/speed.h keeps the counts in device tensors for that).
#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/ops/bicubic.h"
#include "engine/pipeline/transfer.h"
#include "tests/pipeline_support.h"

namespace barbershop {
namespace {

struct HostTraffic {
  int ops = 0;  // every op seen, so a silent observer cannot pass
  int from_host = 0;
  int device_changes = 0;
  int host_reads = 0;
  std::map<std::string, int> offenders;  // op name -> times, for the failure message

  int total() const { return from_host + device_changes + host_reads; }
  std::string describe() const {
    std::string text;
    for (const auto& [where, times] : offenders) text += "\n  " + where + " x" + std::to_string(times);
    return text.empty() ? " none" : text;
  }
};

// Counts into `traffic` while armed, on the thread that armed it. The
// callbacks are plain functions (RecordFunction's API), hence the statics.
// The stack of open ops tells engine code's calls (none open) from the ops
// they call in turn, and names where an offending op ran.
class HostTrafficObserver {
 public:
  HostTrafficObserver() {
    handle_ = at::addThreadLocalCallback(
        at::RecordFunctionCallback(&HostTrafficObserver::on_start, &HostTrafficObserver::on_end).needsInputs(true));
  }
  ~HostTrafficObserver() {
    at::removeCallback(handle_);
    target_ = nullptr;
  }
  HostTrafficObserver(const HostTrafficObserver&) = delete;
  HostTrafficObserver& operator=(const HostTrafficObserver&) = delete;

  void arm(HostTraffic* traffic) {
    target_ = traffic;
    thread_ = std::this_thread::get_id();
  }
  void disarm() { target_ = nullptr; }

 private:
  static std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
    const std::string name = fn.name();
    const size_t depth = stack_.size();
    stack_.push_back(name);
    if (target_ == nullptr || std::this_thread::get_id() != thread_) return nullptr;
    ++target_->ops;
    const auto inputs = fn.inputs();
    auto device_of = [&](size_t i) -> std::optional<c10::Device> {
      if (i < inputs.size() && inputs[i].isTensor()) return inputs[i].toTensor().device();
      if (i < inputs.size() && inputs[i].isDevice()) return inputs[i].toDevice();
      return std::nullopt;
    };
    int* counter = nullptr;
    if ((name == "aten::empty" && depth == 0) || name == "aten::lift_fresh" || name == "aten::lift")
      counter = &target_->from_host;
    else if (name == "aten::_local_scalar_dense" && !inside("aten::_fused_adam_"))
      counter = &target_->host_reads;
    else if (name == "aten::_to_copy" && device_of(3) && device_of(0) != device_of(3))  // (self, dtype, layout, device, ...)
      counter = &target_->device_changes;
    else if (name == "aten::copy_" && device_of(0) != device_of(1))  // (self, src, non_blocking)
      counter = &target_->device_changes;
    const std::string previous = depth == 0 ? std::exchange(last_outer_, name) : last_outer_;
    if (counter == nullptr) return nullptr;
    ++*counter;
    std::string where;  // the ops it runs in, outermost first, or the engine call before it
    for (const std::string& outer : stack_) where += (where.empty() ? "" : " > ") + outer;
    if (depth == 0) where += " (after " + previous + ")";
    ++target_->offenders[where];
    return nullptr;
  }
  static bool inside(const std::string& outer) {
    return std::find(stack_.begin(), stack_.end() - 1, outer) != stack_.end() - 1;
  }
  static void on_end(const at::RecordFunction&, at::ObserverContext*) { stack_.pop_back(); }

  at::CallbackHandle handle_;
  static inline HostTraffic* target_ = nullptr;
  static inline std::thread::id thread_;
  static inline thread_local std::vector<std::string> stack_;
  static inline thread_local std::string last_outer_;
};

// Ops inside ops stay at one thread, so no other thread's op looks like
// engine code.
const Models& models() { return test::single_thread_pipeline_models(); }

// The observer itself, on the kinds of construction it must catch and the
// device-side ones it must let pass.
TEST(HostTrafficObserver, SeesHostValuesAndReadsButNotDeviceWork) {
  HostTrafficObserver observer;
  const at::Tensor x = at::randn({1, 3, 4, 4});
  auto counted = [&](const std::function<void()>& work) {
    HostTraffic traffic;
    observer.arm(&traffic);
    work();
    observer.disarm();
    return traffic;
  };
  const HostTraffic braced = counted([&] { (void)torch::tensor({0.1, 0.2, 0.3}, x.options()).view({1, 3, 1, 1}); });
  EXPECT_EQ(braced.from_host, 1) << braced.describe();
  const std::vector<double> values = {1, 2, 3};
  const HostTraffic from_vector = counted([&] { (void)at::tensor(values, at::kDouble).to(x.options()); });
  EXPECT_EQ(from_vector.from_host, 1) << from_vector.describe();
  const HostTraffic read = counted([&] { (void)x.sum().item<float>(); });
  EXPECT_EQ(read.host_reads, 1) << read.describe();
  EXPECT_EQ(read.from_host, 0) << read.describe();
  const HostTraffic device_side = counted([&] {
    const at::Tensor y = at::zeros_like(x) + at::ones({1, 3, 1, 1}) * x.to(at::kDouble).to(at::kFloat);
    (void)at::conv2d(y, at::randn({2, 3, 3, 3})).mean();
  });
  EXPECT_GT(device_side.ops, 5);
  EXPECT_EQ(device_side.total(), 0) << device_side.describe();
}

// Each stage's second step of a whole transfer (2 steps per stage): the
// losses (LPIPS, the parser, the style loss, the generator's blur and noise),
// the backward and the fused Adam update. The blending step's clamp runs
// after the update and is counted too (it is no part of a recorded graph,
// but is device work all the same).
TEST(CudaGraphSteps, NoHostTrafficInAnyStagesSecondStep) {
  const Models& m = models();
  std::vector<at::Tensor> faces;
  for (int seed : {1, 2, 3}) {
    torch::NoGradGuard no_grad;
    torch::manual_seed(seed);
    const at::Tensor w = m.generator->mapping(at::randn({1, 512})).unsqueeze(1).repeat({1, m.n_latent(), 1});
    faces.push_back(m.generator->synthesize(w).clamp(-1, 1)[0]);
  }
  TransferSettings settings;
  settings.steps = StepCounts{2, 2, 2, 2, 2, 2};

  HostTrafficObserver observer;
  std::map<std::string, HostTraffic> by_stage;
  const Progress watching(
      [&](const std::string& stage, int step, int) {
        if (step == 1) observer.arm(&by_stage[stage]);
        if (step == 2) observer.disarm();
      },
      nullptr);
  transfer(m, {faces[0], faces[1], faces[2]}, settings, watching);
  observer.disarm();

  const std::vector<std::string> stages = {"embedding W+",      "embedding FS",    "target mask (1/2)",
                                           "target mask (2/2)", "alignment (1/2)", "alignment (2/2)",
                                           "blending"};
  EXPECT_EQ(by_stage.size(), stages.size());
  for (const std::string& stage : stages) {
    ASSERT_TRUE(by_stage.count(stage)) << "no second step seen for " << stage;
    const HostTraffic& traffic = by_stage[stage];
    std::cout << stage << ": " << traffic.ops << " ops, from host " << traffic.from_host << ", device changes "
              << traffic.device_changes << ", host reads " << traffic.host_reads << "\n";
    EXPECT_GT(traffic.ops, 100) << stage << ": the observer saw too little of the step";
    EXPECT_EQ(traffic.total(), 0) << stage << ": host traffic inside the step:" << traffic.describe();
  }
}

// The bicubic downsampler runs in steps only at 256 px and more (the loss
// resize of a 512 or 1024 render, the parser's input at 1024), which the
// 64 px transfer above never reaches: its second call, on its own.
TEST(CudaGraphSteps, BicubicDownsampleBuildsNothingOnTheHost) {
  HostTrafficObserver observer;
  for (int64_t factor : {1, 2, 4}) {
    const at::Tensor images = at::rand({1, 3, 32 * factor, 32 * factor}) * 2 - 1;
    const at::Tensor first = bicubic_downsample(images, factor);
    HostTraffic traffic;
    observer.arm(&traffic);
    const at::Tensor second = bicubic_downsample(images, factor);
    observer.disarm();
    EXPECT_GT(traffic.ops, 3);
    EXPECT_EQ(traffic.total(), 0) << "factor " << factor << ":" << traffic.describe();
    EXPECT_TRUE(at::equal(first, second));
  }
}

}  // namespace
}  // namespace barbershop
