#pragma once
// The engine's side of the host's Progress (engine/progress.h) for one
// transfer: its record of steps and previews, the deadline of a time limit,
// and the composer that brings a composite at the generator's size to the
// result's size and form before the host sees it (as an ImageBuffer).
#include <ATen/core/Tensor.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/progress.h"

namespace barbershop {

class TransferProgress {
 public:
  // A composite at the generator's size [3,R,R] (and, for the layout, the
  // tinted region [R,R]) to the result's size and form.
  using Composer = std::function<at::Tensor(const at::Tensor& generated, const at::Tensor& region)>;
  using Clock = std::chrono::steady_clock;

  TransferProgress() = default;
  // Implicit: the inner stages take a host's Progress as it is (the tests
  // call them so); a record is kept only when the host wants previews or
  // may stop and keep.
  TransferProgress(const Progress& host) : host_(host) {  // NOLINT(google-explicit-constructor)
    if (host_.preview_callback() || host_.stop_flag()) run_ = std::make_shared<Run>();
  }

  // Reports a finished step; throws Cancelled when the host asked to
  // cancel, barbershop::Error when it asked to stop before anything exists
  // to keep.
  void step(const std::string& stage, int step, int total) const {
    if (run_) run_->last = {stage, step, total};
    if (host_.callback()) host_.callback()(stage, step, total);
    throw_if_cancelled();
    const std::atomic<bool>* stop = host_.stop_flag();
    if (stop && stop->load() && !(run_ && run_->composite_made))
      throw Error("stopped at " + StepPoint{stage, step, total}.text() +
                  ", before the first result was generated: there is nothing to keep yet; let it run to the shape "
                  "preview, or cancel");
  }
  void throw_if_cancelled() const {
    if (host_.cancel_flag() && host_.cancel_flag()->load()) throw Cancelled();
  }
  // Something the user should know that does not stop the transfer.
  void warn(const std::string& message) const { host_.warn(message); }

  // For one transfer (the front door makes one per transfer; a host's
  // Progress may serve many): a copy with its own record of previews and
  // steps, ending (stopping and keeping) at `deadline` when given.
  TransferProgress for_one_transfer(std::optional<Clock::time_point> deadline) const {
    TransferProgress copy = *this;
    copy.run_ = std::make_shared<Run>();
    copy.run_->deadline = deadline;
    return copy;
  }
  // A copy that passes composites through `inner` before this one's composer
  // (the photo's paste-back before the front door's resize).
  TransferProgress with_composer(Composer inner) const {
    TransferProgress copy = *this;
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
    if (!host_.preview_callback() || !run_) return false;
    if (moment == PreviewMoment::Final || !run_->last_preview) return true;
    return std::chrono::duration<double>(Clock::now() - *run_->last_preview).count() >= host_.preview_interval();
  }
  // Composes `generated` [3,R,R] on the CPU (with `region`, what the
  // layout tints) and hands it to the host as the composite after step `at`.
  void preview(PreviewMoment moment, const at::Tensor& generated, const StepPoint& at,
               const at::Tensor& region = {}) const {
    if (!host_.preview_callback() || !run_) return;
    deliver(moment, composer_ ? composer_(generated, region) : generated, at);
  }
  // Hands an image already at the result's size and form ([3,H,W] in
  // [-1,1]) to the host, as an ImageBuffer.
  void deliver(PreviewMoment moment, const at::Tensor& image, const StepPoint& at) const;
  // From now on a stop keeps a composite instead of failing.
  void composite_made() const {
    if (run_) run_->composite_made = true;
  }
  // The host's stop flag is set or the deadline has passed.
  bool stop_requested() const {
    if (host_.stop_flag() && host_.stop_flag()->load()) return true;
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

  Progress host_;
  Composer composer_;
  std::shared_ptr<Run> run_;  // shared by the copies made for one transfer
};

}  // namespace barbershop
