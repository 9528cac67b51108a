#include "plugin/gimp3/dialog.h"

#include <libgimp/gimpui.h>

#include <string>

#include "plugin/common/gimp_shared.h"
#include "plugin/common/i18n.h"
#include "plugin/common/procedures.h"
#include "plugin/common/weights_panel.h"

namespace barbershop::plugin {
namespace {

std::string chosen_folder(GimpProcedureConfig* config) {
  return weights_folder(true, config_folder(config, "weights-folder"));
}

// The generator argument holds a file name in the weights folder, "" for
// ffhq.pt; the panel's picker lists the folder's generator files.
GtkWidget* generator_row(WeightsPanel& panel) {
  GtkWidget* row = new_box(false, 6);
  GtkWidget* label = gtk_label_new_with_mnemonic(_("_Generator:"));
  gtk_label_set_mnemonic_widget(GTK_LABEL(label), panel.generator_picker());
  gtk_box_pack_start(GTK_BOX(row), label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), panel.generator_picker(), TRUE, TRUE, 0);
  return row;
}

void on_folder_chosen(GObject*, GParamSpec*, WeightsPanel* panel) { panel->show_folder(); }

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

// The face is the procedure's own layer, not a chooser's: its thumbnail is
// put beside its label, where the choosers show theirs.
void add_thumbnail(GtkWidget* label, GimpDrawable* face) {
  GtkWidget* parent = gtk_widget_get_parent(label);
  if (!GTK_IS_BOX(parent)) return;
  GValue position = G_VALUE_INIT;
  g_value_init(&position, G_TYPE_INT);
  gtk_container_child_get_property(GTK_CONTAINER(parent), label, "position", &position);
  g_object_ref(label);
  gtk_container_remove(GTK_CONTAINER(parent), label);
  GtkWidget* image = nullptr;
  GtkWidget* row = thumbnail_row(label, image, false);
  g_object_unref(label);
  show_thumbnail(image, gimp_drawable_get_thumbnail(face, kThumbnailSize, kThumbnailSize, GIMP_PIXBUF_SMALL_CHECKS));
  gtk_box_pack_start(GTK_BOX(parent), row, FALSE, FALSE, 0);
  gtk_box_reorder_child(GTK_BOX(parent), row, g_value_get_int(&position));
  gtk_widget_show_all(row);
}

// Laid out for the common case: the three roles' layers (with their
// thumbnails) first; the four hair masks in a closed section; quality and
// mode; then "More" (smoothing, seed, generator, weights folder), closed
// while every weights file is there and open when one is missing.
void fill_sections(GimpProcedureDialog* dialog, WeightsPanel& panel, const std::string& folder) {
  gimp_procedure_dialog_get_label(dialog, "masks-title", _("Hair mas_ks (optional)"), FALSE, TRUE);
  gimp_procedure_dialog_fill_box(dialog, "masks-box", "identity-mask", "structure-mask", "appearance-mask",
                                 "target-mask", nullptr);
  gimp_procedure_dialog_fill_expander(dialog, "masks", "masks-title", FALSE, "masks-box");
  gimp_procedure_dialog_get_label(dialog, "more-title", _("Mo_re"), FALSE, TRUE);
  GtkWidget* more_box = gimp_procedure_dialog_fill_box(dialog, "more-box", "smooth", "seed", "weights-folder", nullptr);
  for (GtkWidget* widget : {panel.file_lines(), panel.download_box(), generator_row(panel)}) {
    gtk_box_pack_start(GTK_BOX(more_box), widget, FALSE, FALSE, 0);
    gtk_widget_show_all(widget);
  }
  GtkWidget* more = gimp_procedure_dialog_fill_expander(dialog, "more", "more-title", FALSE, "more-box");
  gtk_expander_set_expanded(GTK_EXPANDER(more), !weights_complete(folder));
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
  WeightsPanel panel(dialog, [config] { return chosen_folder(config); }, config_string(config, "generator"));
  fill_sections(procedure_dialog, panel, chosen_folder(config));
  panel.lock_while_downloading(gimp_procedure_dialog_get_widget(procedure_dialog, "weights-folder", G_TYPE_NONE));
  draw_thumbnails_once_laid_out(procedure_dialog);
  add_thumbnail(face_label, face);
  g_signal_connect(config, "notify::weights-folder", G_CALLBACK(on_folder_chosen), &panel);

  const bool ok = gimp_procedure_dialog_run(procedure_dialog);
  g_signal_handlers_disconnect_by_data(config, &panel);
  if (ok) g_object_set(config, "generator", panel.generator().c_str(), nullptr);
  gtk_widget_destroy(dialog);
  return ok;
}

}  // namespace barbershop::plugin
