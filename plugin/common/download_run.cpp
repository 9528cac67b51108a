#include "plugin/common/download_run.h"

#include <exception>
#include <filesystem>
#include <system_error>

#include "plugin/common/i18n.h"

namespace barbershop::plugin {
namespace {

constexpr const char* kDefaultGenerator = "ffhq.pt";

}  // namespace

std::string weight_file_lines(const std::string& folder) {
  std::string text;
  for (const WeightFileStatus& file : weight_files_in(folder))
    text += (text.empty() ? "" : "\n") + file.name + " " +
            (!file.found ? _("missing") : file.damaged ? _("damaged") : _("found"));
  return text;
}

std::string weights_folder_line(const std::string& folder) {
  std::error_code error;
  const bool there = std::filesystem::is_directory(folder, error);
  // Under the home folder, as "~/...": the lines stay short enough for the dialog.
  const std::string home = g_get_home_dir();
  const bool at_home = !home.empty() && folder.rfind(home + "/", 0) == 0;
  const std::string shown = at_home ? "~" + folder.substr(home.size()) : folder;
  gchar* line = g_strdup_printf(there ? _("In %s:") : _("In %s (not made yet):"), shown.c_str());
  std::string text = line;
  g_free(line);
  return text;
}

bool weights_complete(const std::string& folder) {
  for (const WeightFileStatus& file : weight_files_in(folder))
    if (!file.found || file.damaged) return false;
  return true;
}

GeneratorChoices generator_choices(const std::string& folder, const std::string& chosen) {
  GeneratorChoices choices{generator_files_in(folder), 0};
  if (choices.names.empty()) choices.names.push_back(kDefaultGenerator);
  const std::string wanted = chosen.empty() ? kDefaultGenerator : chosen;
  for (size_t i = 0; i < choices.names.size(); ++i)
    if (choices.names[i] == wanted) choices.chosen = i;
  return choices;
}

std::string generator_argument(const std::string& shown) { return shown == kDefaultGenerator ? "" : shown; }

void DownloadRun::start(const std::string& folder) {
  join();
  summary = {};
  error.clear();
  cancel_requested_ = false;
  worker_.start([this, folder] {
    summary = download_missing_weights(
        folder, "", [this](const std::string& file, double fraction) { return on_progress(file, fraction); });
  });
}

void DownloadRun::join() {
  const std::exception_ptr failed = worker_.join();
  if (!failed) return;
  try {
    std::rethrow_exception(failed);
  } catch (const std::exception& thrown) {
    error = thrown.what();
  }
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
