#include "plugin/common/download_run.h"

#include <exception>

#include "plugin/common/i18n.h"

namespace barbershop::plugin {

std::string weight_file_lines(const std::string& folder) {
  std::string text;
  for (const WeightFileStatus& file : weight_files_in(folder))
    text += (text.empty() ? "" : "\n") + file.name + " " +
            (!file.found ? _("missing") : file.damaged ? _("damaged") : _("found"));
  return text;
}

DownloadRun::~DownloadRun() {
  cancel();
  join();
}

void DownloadRun::start(const std::string& folder) {
  join();
  summary = {};
  error.clear();
  finished_ = false;
  cancel_requested_ = false;
  thread_ = std::thread([this, folder] {
    try {
      summary = download_missing_weights(
          folder, "", [this](const std::string& file, double fraction) { return on_progress(file, fraction); });
    } catch (const std::exception& failed) {
      error = failed.what();
    }
    finished_ = true;
  });
}

void DownloadRun::join() {
  if (thread_.joinable()) thread_.join();
}

DownloadRun::Snapshot DownloadRun::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

bool DownloadRun::on_progress(const std::string& file, double fraction) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ = {file, fraction};
  return !cancel_requested_;
}

std::string DownloadRun::outcome() const {
  if (!error.empty()) return error;
  if (!summary.failures.empty()) return summary.failures.front();
  if (summary.downloaded.empty()) return _("Every file is already there.");
  std::string names;
  for (const std::string& name : summary.downloaded) names += (names.empty() ? "" : ", ") + name;
  return std::string(_("Downloaded and checked:")) + " " + names;
}

}  // namespace barbershop::plugin
