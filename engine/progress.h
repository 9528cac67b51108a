#pragma once
// How a running transfer talks to its host, a door header (no LibTorch): a
// callback for progress, a flag the host may set at any time to cancel, and,
// when the host asks for them, previews of the result as it forms and a flag
// to stop and keep the latest one. Every optimisation step reports;
// cancelling and stopping are honoured at the next step. The engine's side
// (composing previews, the record of one transfer) is TransferProgress
// (engine/pipeline/progress.h).
#include <atomic>
#include <functional>
#include <string>
#include <utility>

#include "engine/error.h"
#include "engine/image_buffer.h"

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
  ImageBuffer image;  // RGB, the result's size and form (a photo: the whole photo)
  StepPoint at;       // the step it shows the state after
};

// What the host gives a transfer: its callbacks and flags. The engine reads
// them through the accessors below; the flags must outlive the transfer.
class Progress {
 public:
  // stage: "embedding W+", "target mask", ...; step counts from 1 to total.
  using Callback = std::function<void(const std::string& stage, int step, int total)>;
  using Warning = std::function<void(const std::string& message)>;
  using PreviewCallback = std::function<void(const Preview& preview)>;

  Progress() = default;
  Progress(Callback callback, const std::atomic<bool>* cancel, Warning warning = nullptr)
      : callback_(std::move(callback)), cancel_(cancel), warning_(std::move(warning)) {}

  // Previews at the moments above, at most one per `min_interval_seconds`
  // (0: at every moment; final always comes). A preview costs at most one
  // generator forward and the paste-back into the photo; none is made
  // without a callback. The result does not change.
  Progress& show_previews(PreviewCallback callback, double min_interval_seconds = 0) {
    preview_ = std::move(callback);
    preview_interval_ = min_interval_seconds;
    return *this;
  }
  // "Stop and keep": when `stop` turns true the transfer ends at the next
  // step and returns the latest generated composite (shape or colour) as its
  // result, with TransferResult::stopped saying where. Before the first one
  // exists, stopping is a barbershop::Error (nothing to keep).
  Progress& stop_and_keep(const std::atomic<bool>* stop) {
    stop_ = stop;
    return *this;
  }

  // Something the user should know that does not stop the transfer.
  void warn(const std::string& message) const {
    if (warning_) warning_(message);
  }

  // Engine side: what the host gave.
  const Callback& callback() const { return callback_; }
  const std::atomic<bool>* cancel_flag() const { return cancel_; }
  const PreviewCallback& preview_callback() const { return preview_; }
  double preview_interval() const { return preview_interval_; }
  const std::atomic<bool>* stop_flag() const { return stop_; }

 private:
  Callback callback_;
  const std::atomic<bool>* cancel_ = nullptr;
  Warning warning_;
  PreviewCallback preview_;
  double preview_interval_ = 0;
  const std::atomic<bool>* stop_ = nullptr;
};

}  // namespace barbershop
