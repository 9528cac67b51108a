#pragma once
// Work on a thread of its own while the editor's thread keeps its windows
// drawing and polls finished(): the engine under the plug-in's progress
// window (run_watched, procedures.cpp) and the dialog's download
// (DownloadRun, download_run.h). Dropped while the work runs, it asks the
// work to end and waits for it, so no thread outlives what it writes to.
// No GIMP or GTK here.
#include <atomic>
#include <exception>
#include <functional>
#include <thread>

namespace barbershop::plugin {

class Worker {
 public:
  // `cancel` asks running work to end soon (sets a flag the work polls).
  explicit Worker(std::function<void()> cancel);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs `work` on a new thread, once the one before has ended.
  void start(std::function<void()> work);
  bool running() const { return thread_.joinable() && !finished_; }
  // The work has returned or thrown: what it handed over before is
  // visible to the thread that reads true here.
  bool finished() const { return finished_; }
  // Waits for the work; what it threw, or null.
  std::exception_ptr join();

 private:
  std::function<void()> cancel_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  std::exception_ptr error_;
};

}  // namespace barbershop::plugin
