#pragma once
// How a running transfer talks to its host: a callback for progress and a
// flag the host may set at any time to cancel. Every optimisation step
// reports, and cancellation is honoured at the next step.
#include <atomic>
#include <functional>
#include <string>

#include "engine/error.h"

namespace barbershop {

// Thrown when the host cancelled; nothing has been written by then.
struct Cancelled : Error {
  Cancelled() : Error("cancelled") {}
};

class Progress {
 public:
  // stage: "embedding W+", "target mask", ...; step counts from 1 to total.
  using Callback = std::function<void(const std::string& stage, int step, int total)>;

  using Warning = std::function<void(const std::string& message)>;

  Progress() = default;
  Progress(Callback callback, const std::atomic<bool>* cancel, Warning warning = nullptr)
      : callback_(std::move(callback)), cancel_(cancel), warning_(std::move(warning)) {}

  // Reports a finished step; throws Cancelled when the host asked to stop.
  void step(const std::string& stage, int step, int total) const {
    if (callback_) callback_(stage, step, total);
    throw_if_cancelled();
  }
  void throw_if_cancelled() const {
    if (cancel_ && cancel_->load()) throw Cancelled();
  }
  // Something the user should know that does not stop the transfer.
  void warn(const std::string& message) const {
    if (warning_) warning_(message);
  }

 private:
  Callback callback_;
  const std::atomic<bool>* cancel_ = nullptr;
  Warning warning_;
};

}  // namespace barbershop
