#pragma once
// What the transfer dialog (plugin/common/weights_panel.h) shows of the
// weights folder, and its download, run in a thread of its own so that the
// dialog keeps drawing and its button can cancel: the thread (a Worker,
// plugin/common/worker.h) calls the engine, the dialog polls snapshot().
// No GIMP or GTK here.
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "plugin/common/engine_bridge.h"
#include "plugin/common/worker.h"

namespace barbershop::plugin {

// One "<file> found" (or missing, or damaged) line per weights file of
// `folder`, as the dialog shows them.
std::string weight_file_lines(const std::string& folder);

// The folder the files are looked for in, by its whole path, above those
// lines: a folder chooser shows only its last name, or "(None)" while it
// does not exist yet.
std::string weights_folder_line(const std::string& folder);

// Every weights file of `folder` is there and whole: the dialogs keep their
// "More" section (weights folder, generator) closed then, and open it when
// something is missing, so that the user sees what to fetch.
bool weights_complete(const std::string& folder);

// The generator picker's entries: the folder's generator files
// (generator_files_in), or ffhq.pt alone while it has none (the default,
// shown before it is downloaded); and the one chosen: `chosen` (a file
// name, "" = ffhq.pt) while the folder has it, else the first.
struct GeneratorChoices {
  std::vector<std::string> names;
  size_t chosen = 0;
};
GeneratorChoices generator_choices(const std::string& folder, const std::string& chosen);

// The picker's entry as the generator argument: "" for ffhq.pt, the
// default, else the file name.
std::string generator_argument(const std::string& shown);

class DownloadRun {
 public:
  struct Snapshot {
    std::string file;
    double fraction = 0.0;  // -1 while the file's size is unknown
  };

  // Starts download_missing_weights(folder) with the environment's address.
  void start(const std::string& folder);
  void cancel() { cancel_requested_ = true; }
  bool running() const { return worker_.running(); }
  bool finished() const { return worker_.finished(); }
  void join();
  Snapshot snapshot() const;
  // What the dialog shows when the download has ended: the files it got, or
  // the first failure (each failure is one line).
  std::string outcome() const;

  // Valid after join(): what came back, or the one-line error (no network,
  // cancelled).
  DownloadSummary summary;
  std::string error;

 private:
  bool on_progress(const std::string& file, double fraction);

  std::atomic<bool> cancel_requested_{false};
  mutable std::mutex mutex_;
  Snapshot now_;
  Worker worker_{[this] { cancel(); }};  // last: it ends before what it writes to
};

}  // namespace barbershop::plugin
