#pragma once
// The weights part of the transfer dialog, in plain GTK and written once:
// GTK 2 in the GIMP 2.10 build, GTK 3 in the GIMP 3 build (as
// progress_window.cpp). Its widgets: the folder's line and one found /
// missing line per weights file; the "Download missing files" button with
// its progress bar and outcome (the download runs in a thread, DownloadRun,
// while the dialog keeps drawing); and the generator picker, which lists
// the folder's generator files (generator_choices). Each GIMP's dialog
// places these where its layout wants them, owns the folder chooser, and
// calls show_folder() when the folder changes.
#include <gtk/gtk.h>

#include <functional>
#include <string>
#include <vector>

#include "plugin/common/download_run.h"

namespace barbershop::plugin {

// The side of a thumbnail beside a layer's picker, in screen pixels.
constexpr int kThumbnailSize = 48;

// A box of widgets one above the other (vertical) or side by side, `spacing`
// pixels apart, in the GTK in use.
GtkWidget* new_box(bool vertical, int spacing);

// `image` shows `pixbuf` (or nothing, for null), which it then unrefs.
void show_thumbnail(GtkWidget* image, GdkPixbuf* pixbuf);

// A row: an empty thumbnail-sized image (returned in `image`), then `widget`.
GtkWidget* thumbnail_row(GtkWidget* widget, GtkWidget*& image, bool expand);

class WeightsPanel {
 public:
  // `folder`: the weights folder the dialog has chosen now; `generator`:
  // the generator remembered from the last run (a file name, "" = ffhq.pt).
  // While a download runs, `dialog`'s OK and Cancel are off and it refuses
  // to close.
  WeightsPanel(GtkWidget* dialog, std::function<std::string()> folder, const std::string& generator);
  WeightsPanel(const WeightsPanel&) = delete;
  WeightsPanel& operator=(const WeightsPanel&) = delete;

  GtkWidget* file_lines() const { return lines_; }
  GtkWidget* download_box() const { return download_box_; }
  GtkWidget* generator_picker() const { return generators_; }
  // The generator chosen in the picker (a file name, "" = ffhq.pt).
  const std::string& generator() const { return generator_; }
  // `widget` (the folder chooser) is off too while a download runs.
  void lock_while_downloading(GtkWidget* widget) { locked_.push_back(widget); }
  // The folder changed: its lines and its generators shown again.
  void show_folder();

 private:
  void show_generators();
  void set_busy(bool busy);
  void download();
  static void on_generator_chosen(GtkComboBox* picker, WeightsPanel* panel);
  static void on_download_clicked(GtkButton*, WeightsPanel* panel);
  static gboolean show_progress(gpointer panel);
  static gboolean refuse_close_while_downloading(GtkWidget*, GdkEvent*, WeightsPanel* panel);

  GtkWidget* dialog_;
  std::function<std::string()> folder_;
  std::string generator_;
  GtkWidget* lines_;
  GtkWidget* download_box_;
  GtkWidget* button_;
  GtkWidget* bar_;
  GtkWidget* outcome_;
  GtkWidget* generators_;
  std::vector<GtkWidget*> locked_;
  DownloadRun run_;
};

}  // namespace barbershop::plugin
