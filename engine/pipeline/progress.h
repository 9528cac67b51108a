#pragma once
// How a running transfer talks to its host: a callback for progress, a flag
// the host may set at any time to cancel, and, when the host asks for them,
// previews of the result as it forms and a flag to stop and keep the latest
// one. Every optimisation step reports; cancelling and stopping are honoured
// at the next step.
#include <ATen/core/Tensor.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/error.h"

namespace barbershop {

// Thrown when the host cancelled; nothing has been written by then.
struct Cancelled : Error {
  Cancelled() : Error("cancelled") {}
};

// A step of a stage: "blending", step 3 of 400.
struct StepPoint {
  std::string stage;
  int step = 0, total = 0;
  std::string text() const { return stage + ", step " + std::to_string(step) + " of " + std::to_string(total); }
};

// The moments a transfer has a composite to show, in the order they come:
// layout (the identity image with the target hair region tinted, as soon as
// the target segmentation exists), shape (after alignment: the generated
// image with the new hair shape), colour (during blending, every few steps)
// and final (the returned image itself).
enum class PreviewMoment { Layout, Shape, Colour, Final };
inline const char* moment_name(PreviewMoment moment) {
  switch (moment) {
    case PreviewMoment::Layout: return "layout";
    case PreviewMoment::Shape: return "shape";
    case PreviewMoment::Colour: return "colour";
    case PreviewMoment::Final: return "final";
  }
  return "";
}

struct Preview {
  PreviewMoment moment = PreviewMoment::Layout;
  at::Tensor image;  // [3,H,W] in [-1,1] on the CPU, the result's size and form (a photo: the whole photo)
  StepPoint at;      // the step it shows the state after
};

class Progress {
 public:
  // stage: "embedding W+", "target mask", ...; step counts from 1 to total.
  using Callback = std::function<void(const std::string& stage, int step, int total)>;
  using Warning = std::function<void(const std::string& message)>;
  using PreviewCallback = std::function<void(const Preview& preview)>;
  // Engine side: a composite at the generator's size [3,R,R] (and, for the
  // layout, the tinted region [R,R]) to the result's size and form.
  using Composer = std::function<at::Tensor(const at::Tensor& generated, const at::Tensor& region)>;
  using Clock = std::chrono::steady_clock;

  Progress() = default;
  Progress(Callback callback, const std::atomic<bool>* cancel, Warning warning = nullptr)
      : callback_(std::move(callback)), cancel_(cancel), warning_(std::move(warning)) {}

  // Host side. Previews at the moments above, at most one per
  // `min_interval_seconds` (0: at every moment; final always comes). A
  // preview costs at most one generator forward and the paste-back into the
  // photo; none is made without a callback. The result does not change.
  Progress& show_previews(PreviewCallback callback, double min_interval_seconds = 0) {
    preview_ = std::move(callback);
    preview_interval_ = min_interval_seconds;
    if (!run_) run_ = std::make_shared<Run>();
    return *this;
  }
  // "Stop and keep": when `stop` turns true the transfer ends at the next
  // step and returns the latest generated composite (shape or colour) as its
  // result, with TransferResult::stopped saying where. Before the first one
  // exists, stopping is a barbershop::Error (nothing to keep).
  Progress& stop_and_keep(const std::atomic<bool>* stop) {
    stop_ = stop;
    if (!run_) run_ = std::make_shared<Run>();
    return *this;
  }

  // Reports a finished step; throws Cancelled when the host asked to
  // cancel, barbershop::Error when it asked to stop before anything exists
  // to keep.
  void step(const std::string& stage, int step, int total) const {
    if (run_) run_->last = {stage, step, total};
    if (callback_) callback_(stage, step, total);
    throw_if_cancelled();
    if (stop_ && stop_->load() && !(run_ && run_->composite_made))
      throw Error("stopped at " + StepPoint{stage, step, total}.text() +
                  ", before the first result was generated: there is nothing to keep yet; let it run to the shape "
                  "preview, or cancel");
  }
  void throw_if_cancelled() const {
    if (cancel_ && cancel_->load()) throw Cancelled();
  }
  // Something the user should know that does not stop the transfer.
  void warn(const std::string& message) const {
    if (warning_) warning_(message);
  }

  // Engine side, for one transfer (the front door makes one per transfer;
  // a host's Progress may serve many). A copy with its own record of
  // previews and steps, ending (stopping and keeping) at `deadline` when given.
  Progress for_one_transfer(std::optional<Clock::time_point> deadline) const {
    Progress copy = *this;
    copy.run_ = std::make_shared<Run>();
    copy.run_->deadline = deadline;
    return copy;
  }
  // A copy that passes composites through `inner` before this one's composer
  // (the photo's paste-back before the front door's resize).
  Progress with_composer(Composer inner) const {
    Progress copy = *this;
    copy.composer_ = [outer = composer_, inner = std::move(inner)](const at::Tensor& generated,
                                                                    const at::Tensor& region) {
      const at::Tensor composed = inner(generated, region);
      return outer ? outer(composed, at::Tensor()) : composed;
    };
    return copy;
  }
  // Whether a preview at `moment` is wanted now (a callback and the interval
  // passed), so that nothing is computed for one that is not.
  bool wants_preview(PreviewMoment moment) const {
    if (!preview_ || !run_) return false;
    if (moment == PreviewMoment::Final || !run_->last_preview) return true;
    return std::chrono::duration<double>(Clock::now() - *run_->last_preview).count() >= preview_interval_;
  }
  // Composes `generated` [3,R,R] on the CPU (with `region`, what the
  // layout tints) and hands it to the host as the composite after step `at`.
  void preview(PreviewMoment moment, const at::Tensor& generated, const StepPoint& at,
               const at::Tensor& region = {}) const {
    if (!preview_ || !run_) return;
    deliver(moment, composer_ ? composer_(generated, region) : generated, at);
  }
  // Hands an image already at the result's size and form to the host.
  void deliver(PreviewMoment moment, const at::Tensor& image, const StepPoint& at) const {
    if (!preview_ || !run_) return;
    preview_(Preview{moment, image, at});
    run_->last_preview = Clock::now();
  }
  // From now on a stop keeps a composite instead of failing.
  void composite_made() const {
    if (run_) run_->composite_made = true;
  }
  // The host's stop flag is set or the deadline has passed.
  bool stop_requested() const {
    if (stop_ && stop_->load()) return true;
    return run_ && run_->deadline && Clock::now() >= *run_->deadline;
  }
  // The last step reported.
  StepPoint last_step() const { return run_ ? run_->last : StepPoint{}; }

 private:
  struct Run {
    std::optional<Clock::time_point> deadline;
    std::optional<Clock::time_point> last_preview;
    bool composite_made = false;
    StepPoint last;
  };

  Callback callback_;
  const std::atomic<bool>* cancel_ = nullptr;
  Warning warning_;
  PreviewCallback preview_;
  double preview_interval_ = 0;
  const std::atomic<bool>* stop_ = nullptr;
  Composer composer_;
  std::shared_ptr<Run> run_;  // shared by the copies made for one transfer
};

}  // namespace barbershop
