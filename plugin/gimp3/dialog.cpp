#include "plugin/gimp3/dialog.h"

#include <libgimp/gimpui.h>

#include <string>

#include "plugin/common/download_run.h"
#include "plugin/common/gimp_shared.h"
#include "plugin/common/i18n.h"
#include "plugin/common/procedures.h"

namespace barbershop::plugin {
namespace {

std::string chosen_folder(GimpProcedureConfig* config) {
  return weights_folder(true, config_folder(config, "weights-folder"));
}

struct WeightsSection {
  GimpProcedureConfig* config;
  GtkWidget* dialog;
  GtkWidget* lines;
  GtkWidget* button;
  GtkWidget* status;
  DownloadRun download;
};

void show_weight_files(WeightsSection* section) {
  gtk_label_set_text(GTK_LABEL(section->lines), weight_file_lines(chosen_folder(section->config)).c_str());
}

void on_folder_chosen(GObject*, GParamSpec*, WeightsSection* section) { show_weight_files(section); }

gboolean show_download_progress(gpointer data) {
  auto* section = static_cast<WeightsSection*>(data);
  const DownloadRun::Snapshot now = section->download.snapshot();
  gchar* text = now.fraction < 0 ? g_strdup(now.file.c_str())
                                 : g_strdup_printf("%s %d%%", now.file.c_str(), static_cast<int>(now.fraction * 100));
  gtk_label_set_text(GTK_LABEL(section->status), text);
  g_free(text);
  return G_SOURCE_CONTINUE;
}

// The button starts the download in a thread of its own, or cancels the one
// running; the dialog keeps drawing meanwhile.
void on_download_clicked(GtkButton*, WeightsSection* section) {
  DownloadRun& run = section->download;
  if (run.running()) {
    run.cancel();
    return;
  }
  gtk_dialog_set_response_sensitive(GTK_DIALOG(section->dialog), GTK_RESPONSE_OK, FALSE);
  gtk_button_set_label(GTK_BUTTON(section->button), _("Cancel _download"));
  run.start(chosen_folder(section->config));
  const guint timer = g_timeout_add(100, show_download_progress, section);
  while (!run.finished()) gtk_main_iteration();  // the timer wakes this at least every 100 ms
  g_source_remove(timer);
  run.join();
  gtk_button_set_label(GTK_BUTTON(section->button), _("_Download missing files"));
  gtk_dialog_set_response_sensitive(GTK_DIALOG(section->dialog), GTK_RESPONSE_OK, TRUE);
  gtk_label_set_text(GTK_LABEL(section->status), run.outcome().c_str());
  show_weight_files(section);
}

// Closing the window mid-download would leave the thread writing: refuse
// until it is cancelled or done.
gboolean refuse_close_while_downloading(GtkWidget*, GdkEvent*, WeightsSection* section) {
  return section->download.running();
}

// GIMP 3.0's layer chooser draws its thumbnail only when its layer is set,
// at the size its preview has then: the layers set before the dialog was
// laid out stayed blank. Setting the same layer again once the chooser has
// its size draws it (the chooser keeps the thumbnail while the size stays).
void redraw_thumbnail(GtkWidget* widget, GdkRectangle*, gpointer) {
  auto* chooser = GIMP_DRAWABLE_CHOOSER(widget);
  if (GimpDrawable* drawable = gimp_drawable_chooser_get_drawable(chooser))
    gimp_drawable_chooser_set_drawable(chooser, drawable);
}

void draw_thumbnails_once_laid_out(GimpProcedureDialog* dialog) {
  for (const char* name : {"structure", "appearance", "identity-mask", "structure-mask", "appearance-mask",
                           "target-mask"}) {
    GtkWidget* chooser = gimp_procedure_dialog_get_widget(dialog, name, G_TYPE_NONE);
    if (GIMP_IS_DRAWABLE_CHOOSER(chooser))
      g_signal_connect(chooser, "size-allocate", G_CALLBACK(redraw_thumbnail), nullptr);
  }
}

}  // namespace

std::string config_folder(GimpProcedureConfig* config, const char* name) {
  GFile* file = nullptr;
  g_object_get(config, name, &file, nullptr);
  if (!file) return "";
  const std::string path = take_string(g_file_get_path(file));
  g_object_unref(file);
  return path;
}

bool run_transfer_dialog(GimpProcedure* procedure, GimpProcedureConfig* config, const std::string& face_name) {
  gimp_ui_init(kPluginBinary);
  GtkWidget* dialog = gimp_procedure_dialog_new(procedure, config, _("Barbershop Hair Transfer"));
  auto* procedure_dialog = GIMP_PROCEDURE_DIALOG(dialog);
  const std::string face = std::string(_("_Face (identity):")) + " " + face_name;
  gimp_procedure_dialog_get_label(procedure_dialog, "face", face.c_str(), FALSE, TRUE);
  WeightsSection section{config, dialog, nullptr, nullptr, nullptr, {}};
  section.lines = gimp_procedure_dialog_get_label(procedure_dialog, "weight-files", "", FALSE, FALSE);
  gtk_label_set_xalign(GTK_LABEL(section.lines), 0.0);
  show_weight_files(&section);
  gimp_procedure_dialog_fill(procedure_dialog, "face", "structure", "appearance", "identity-mask", "structure-mask",
                             "appearance-mask", "target-mask", "preset", "mode", "smooth", "seed", "weights-folder",
                             "weight-files", "generator", nullptr);
  draw_thumbnails_once_laid_out(procedure_dialog);

  // The download button and its outcome, under the fields.
  GtkWidget* content = gtk_dialog_get_content_area(GTK_DIALOG(dialog));
  section.button = gtk_button_new_with_mnemonic(_("_Download missing files"));
  gimp_help_set_help_data(section.button,
                          _("Fetch the missing files from their publishers into this folder, checking each"), nullptr);
  section.status = gtk_label_new("");
  gtk_label_set_line_wrap(GTK_LABEL(section.status), TRUE);
  gtk_label_set_xalign(GTK_LABEL(section.status), 0.0);
  gtk_box_pack_start(GTK_BOX(content), section.button, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(content), section.status, FALSE, FALSE, 0);
  gtk_widget_show(section.button);
  gtk_widget_show(section.status);
  g_signal_connect(section.button, "clicked", G_CALLBACK(on_download_clicked), &section);
  g_signal_connect(config, "notify::weights-folder", G_CALLBACK(on_folder_chosen), &section);
  g_signal_connect(dialog, "delete-event", G_CALLBACK(refuse_close_while_downloading), &section);

  const bool ok = gimp_procedure_dialog_run(procedure_dialog);
  g_signal_handlers_disconnect_by_data(config, &section);
  gtk_widget_destroy(dialog);
  return ok;
}

}  // namespace barbershop::plugin
