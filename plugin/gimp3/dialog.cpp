#include "plugin/gimp3/dialog.h"

#include <libgimp/gimpui.h>

#include <string>
#include <vector>

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
  GtkWidget* generators;  // the generator files found in the folder
  DownloadRun download;
};

void show_weight_files(WeightsSection* section) {
  const std::string folder = chosen_folder(section->config);
  const std::string text = weights_folder_line(folder) + "\n" + weight_file_lines(folder);
  gtk_label_set_text(GTK_LABEL(section->lines), text.c_str());
}

// The generator argument holds a file name in the weights folder, "" for
// ffhq.pt: the picker lists the folder's generator files and keeps the
// argument in step.
void on_generator_chosen(GtkComboBox* picker, WeightsSection* section) {
  const std::string name = take_string(gtk_combo_box_text_get_active_text(GTK_COMBO_BOX_TEXT(picker)));
  g_object_set(section->config, "generator", name == "ffhq.pt" ? "" : name.c_str(), nullptr);
}

// Refills the picker from the folder, keeping the chosen file when it is
// still there, else ffhq.pt (the first).
void show_generators(WeightsSection* section) {
  GtkComboBoxText* picker = GTK_COMBO_BOX_TEXT(section->generators);
  const std::string chosen = config_string(section->config, "generator");
  g_signal_handlers_block_by_func(picker, reinterpret_cast<gpointer>(on_generator_chosen), section);
  gtk_combo_box_text_remove_all(picker);
  std::vector<std::string> names = generator_files_in(chosen_folder(section->config));
  if (names.empty()) names.push_back("ffhq.pt");  // shown as the default even before it is downloaded
  int active = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    gtk_combo_box_text_append_text(picker, names[i].c_str());
    if (names[i] == chosen) active = static_cast<int>(i);
  }
  g_signal_handlers_unblock_by_func(picker, reinterpret_cast<gpointer>(on_generator_chosen), section);
  gtk_combo_box_set_active(GTK_COMBO_BOX(picker), active);
}

GtkWidget* generator_row(WeightsSection* section) {
  GtkWidget* row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget* label = gtk_label_new_with_mnemonic(_("_Generator:"));
  section->generators = gtk_combo_box_text_new();
  gtk_label_set_mnemonic_widget(GTK_LABEL(label), section->generators);
  gimp_help_set_help_data(section->generators,
                          _("The StyleGAN2 generator in the weights folder: ffhq.pt for photos of people"), nullptr);
  gtk_box_pack_start(GTK_BOX(row), label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), section->generators, TRUE, TRUE, 0);
  show_generators(section);
  g_signal_connect(section->generators, "changed", G_CALLBACK(on_generator_chosen), section);
  gtk_widget_show_all(row);
  return row;
}

void on_folder_chosen(GObject*, GParamSpec*, WeightsSection* section) {
  show_weight_files(section);
  show_generators(section);
}

// The folder chooser reads "(None)" while the argument is unset: it shows
// the folder a run would use instead, when that folder exists.
void show_folder_used(GimpProcedureConfig* config) {
  if (!config_folder(config, "weights-folder").empty()) return;
  const std::string folder = chosen_folder(config);
  if (!g_file_test(folder.c_str(), G_FILE_TEST_IS_DIR)) return;
  GFile* file = g_file_new_for_path(folder.c_str());
  g_object_set(config, "weights-folder", file, nullptr);
  g_object_unref(file);
}

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

// The download button and its outcome, under the folder's lines.
GtkWidget* download_row(WeightsSection* section) {
  GtkWidget* box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
  section->button = gtk_button_new_with_mnemonic(_("_Download missing files"));
  gimp_help_set_help_data(section->button,
                          _("Fetch the missing files from their publishers into this folder, checking each"), nullptr);
  section->status = gtk_label_new("");
  gtk_label_set_line_wrap(GTK_LABEL(section->status), TRUE);
  gtk_label_set_xalign(GTK_LABEL(section->status), 0.0);
  gtk_box_pack_start(GTK_BOX(box), section->button, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(box), section->status, FALSE, FALSE, 0);
  gtk_widget_show_all(box);
  return box;
}

// The face is the procedure's own layer, not a chooser's: its thumbnail is
// put beside its label, where the choosers show theirs.
void add_thumbnail(GtkWidget* label, GimpDrawable* face) {
  constexpr int kSize = 48;
  GtkWidget* parent = gtk_widget_get_parent(label);
  if (!GTK_IS_BOX(parent)) return;
  GValue position = G_VALUE_INIT;
  g_value_init(&position, G_TYPE_INT);
  gtk_container_child_get_property(GTK_CONTAINER(parent), label, "position", &position);
  GtkWidget* row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  GdkPixbuf* pixbuf = gimp_drawable_get_thumbnail(face, kSize, kSize, GIMP_PIXBUF_SMALL_CHECKS);
  gtk_box_pack_start(GTK_BOX(row), gtk_image_new_from_pixbuf(pixbuf), FALSE, FALSE, 0);
  if (pixbuf) g_object_unref(pixbuf);
  g_object_ref(label);
  gtk_container_remove(GTK_CONTAINER(parent), label);
  gtk_box_pack_start(GTK_BOX(row), label, FALSE, FALSE, 0);
  g_object_unref(label);
  gtk_box_pack_start(GTK_BOX(parent), row, FALSE, FALSE, 0);
  gtk_box_reorder_child(GTK_BOX(parent), row, g_value_get_int(&position));
  gtk_widget_show_all(row);
}

// Laid out for the common case: the three roles' layers (with their
// thumbnails) first; the four hair masks in a closed section; quality and
// mode; then "More" (smoothing, seed, generator, weights folder), closed
// while every weights file is there and open when one is missing.
void fill_sections(GimpProcedureDialog* dialog, WeightsSection* section) {
  gimp_procedure_dialog_get_label(dialog, "masks-title", _("Hair mas_ks (optional)"), FALSE, TRUE);
  gimp_procedure_dialog_fill_box(dialog, "masks-box", "identity-mask", "structure-mask", "appearance-mask",
                                 "target-mask", nullptr);
  gimp_procedure_dialog_fill_expander(dialog, "masks", "masks-title", FALSE, "masks-box");
  gimp_procedure_dialog_get_label(dialog, "more-title", _("Mo_re"), FALSE, TRUE);
  GtkWidget* more_box =
      gimp_procedure_dialog_fill_box(dialog, "more-box", "smooth", "seed", "weights-folder", "weight-files", nullptr);
  gtk_box_pack_start(GTK_BOX(more_box), download_row(section), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(more_box), generator_row(section), FALSE, FALSE, 0);
  GtkWidget* more = gimp_procedure_dialog_fill_expander(dialog, "more", "more-title", FALSE, "more-box");
  gtk_expander_set_expanded(GTK_EXPANDER(more), !weights_complete(chosen_folder(section->config)));
  gimp_procedure_dialog_fill(dialog, "face", "structure", "appearance", "masks", "preset", "mode", "more", nullptr);
}

}  // namespace

std::string config_string(GimpProcedureConfig* config, const char* name) {
  gchar* text = nullptr;
  g_object_get(config, name, &text, nullptr);
  return take_string(text);
}

std::string config_folder(GimpProcedureConfig* config, const char* name) {
  GFile* file = nullptr;
  g_object_get(config, name, &file, nullptr);
  if (!file) return "";
  const std::string path = take_string(g_file_get_path(file));
  g_object_unref(file);
  return path;
}

bool run_transfer_dialog(GimpProcedure* procedure, GimpProcedureConfig* config, GimpDrawable* face) {
  gimp_ui_init(kPluginBinary);
  show_folder_used(config);
  GtkWidget* dialog = gimp_procedure_dialog_new(procedure, config, _("Barbershop Hair Transfer"));
  auto* procedure_dialog = GIMP_PROCEDURE_DIALOG(dialog);
  const std::string face_text = std::string(_("_Face (identity):")) + " " + gimp_item_get_name(GIMP_ITEM(face));
  GtkWidget* face_label = gimp_procedure_dialog_get_label(procedure_dialog, "face", face_text.c_str(), FALSE, TRUE);
  WeightsSection section{config, dialog, nullptr, nullptr, nullptr, nullptr, {}};
  section.lines = gimp_procedure_dialog_get_label(procedure_dialog, "weight-files", "", FALSE, FALSE);
  gtk_label_set_xalign(GTK_LABEL(section.lines), 0.0);
  show_weight_files(&section);
  fill_sections(procedure_dialog, &section);
  draw_thumbnails_once_laid_out(procedure_dialog);
  add_thumbnail(face_label, face);
  g_signal_connect(section.button, "clicked", G_CALLBACK(on_download_clicked), &section);
  g_signal_connect(config, "notify::weights-folder", G_CALLBACK(on_folder_chosen), &section);
  g_signal_connect(dialog, "delete-event", G_CALLBACK(refuse_close_while_downloading), &section);

  const bool ok = gimp_procedure_dialog_run(procedure_dialog);
  g_signal_handlers_disconnect_by_data(config, &section);
  gtk_widget_destroy(dialog);
  return ok;
}

}  // namespace barbershop::plugin
