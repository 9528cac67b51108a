#include "plugin/dialog.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include <vector>

#include "plugin/engine_bridge.h"
#include "plugin/i18n.h"
#include "plugin/procedures.h"

namespace barbershop::plugin {
namespace {

GtkWidget* layer_picker(gint32& value, bool optional) {
  GtkWidget* combo = gimp_layer_combo_box_new(nullptr, nullptr);
  if (optional)
    gimp_int_combo_box_prepend(GIMP_INT_COMBO_BOX(combo), GIMP_INT_STORE_VALUE, -1, GIMP_INT_STORE_LABEL,
                               _("(none)"), -1);
  // A remembered layer may be gone: fall back to "none" or the first layer.
  const gint32 initial = value >= 0 && gimp_item_is_valid(value) ? value : -1;
  gimp_int_combo_box_connect(GIMP_INT_COMBO_BOX(combo), initial, G_CALLBACK(gimp_int_combo_box_get_active), &value);
  return combo;
}

GtkWidget* choice(gint32& value, const char* first, const char* second) {
  GtkWidget* combo = gimp_int_combo_box_new(first, 0, second, 1, nullptr);
  gimp_int_combo_box_connect(GIMP_INT_COMBO_BOX(combo), value, G_CALLBACK(gimp_int_combo_box_get_active), &value);
  return combo;
}

void store_spin_value(GtkSpinButton* spin, gint32* value) { *value = gtk_spin_button_get_value_as_int(spin); }

GtkWidget* number(gint32& value, int lowest, int highest, const char* tooltip) {
  GtkWidget* spin = gtk_spin_button_new_with_range(lowest, highest, 1);
  gtk_spin_button_set_value(GTK_SPIN_BUTTON(spin), value);
  g_signal_connect(spin, "value-changed", G_CALLBACK(store_spin_value), &value);
  gimp_help_set_help_data(spin, tooltip, nullptr);
  return spin;
}

// The weights folder chooser and one "found / missing" line per file.
struct WeightsSection {
  std::string* folder;
  GtkWidget* chooser;
  std::vector<GtkWidget*> lines;
};

void show_weight_files(WeightsSection* section) {
  const std::vector<WeightFileStatus> files = weight_files_in(*section->folder);
  for (size_t i = 0; i < files.size() && i < section->lines.size(); ++i) {
    gchar* text = g_strdup_printf("%s %s", files[i].name.c_str(), files[i].found ? _("found") : _("missing"));
    gtk_label_set_text(GTK_LABEL(section->lines[i]), text);
    g_free(text);
  }
}

void on_folder_chosen(GtkFileChooser* chooser, WeightsSection* section) {
  gchar* folder = gtk_file_chooser_get_filename(chooser);
  if (folder) *section->folder = folder;
  g_free(folder);
  show_weight_files(section);
}

GtkWidget* weights_box(WeightsSection& section) {
  GtkWidget* box = gtk_vbox_new(FALSE, 2);
  section.chooser = gtk_file_chooser_button_new(_("Barbershop weights folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(section.chooser), section.folder->c_str());
  gtk_box_pack_start(GTK_BOX(box), section.chooser, FALSE, FALSE, 0);
  for (size_t i = 0; i < weight_files_in(*section.folder).size(); ++i) {
    GtkWidget* line = gtk_label_new("");
    gtk_misc_set_alignment(GTK_MISC(line), 0.0, 0.5);
    gtk_box_pack_start(GTK_BOX(box), line, FALSE, FALSE, 0);
    section.lines.push_back(line);
  }
  show_weight_files(&section);
  g_signal_connect(section.chooser, "selection-changed", G_CALLBACK(on_folder_chosen), &section);
  return box;
}

void add_row(GtkWidget* table, int row, const char* label, GtkWidget* widget) {
  gimp_table_attach_aligned(GTK_TABLE(table), 0, row, label, 0.0, 0.5, widget, 1, FALSE);
}

}  // namespace

bool run_transfer_dialog(TransferValues& values, std::string& weights) {
  gimp_ui_init(kPluginBinary, FALSE);
  GtkWidget* dialog = gimp_dialog_new(_("Barbershop Hair Transfer"), kPluginBinary, nullptr, GtkDialogFlags(0),
                                      gimp_standard_help_func, kTransferProcedure, _("_Cancel"), GTK_RESPONSE_CANCEL,
                                      _("_OK"), GTK_RESPONSE_OK, nullptr);
  GtkWidget* table = gtk_table_new(12, 2, FALSE);
  gtk_table_set_row_spacings(GTK_TABLE(table), 6);
  gtk_table_set_col_spacings(GTK_TABLE(table), 6);
  gtk_container_set_border_width(GTK_CONTAINER(table), 12);
  gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(dialog))), table, TRUE, TRUE, 0);

  WeightsSection weights_section{&weights, nullptr, {}};
  int row = 0;
  add_row(table, row++, _("_Face (identity):"), layer_picker(values.identity, false));
  add_row(table, row++, _("Hair _shape (structure):"), layer_picker(values.structure, false));
  add_row(table, row++, _("Hair _colour (appearance):"), layer_picker(values.appearance, false));
  add_row(table, row++, _("Face hair mask:"), layer_picker(values.identity_mask, true));
  add_row(table, row++, _("Shape hair mask:"), layer_picker(values.structure_mask, true));
  add_row(table, row++, _("Colour hair mask:"), layer_picker(values.appearance_mask, true));
  add_row(table, row++, _("Target hair mask:"), layer_picker(values.target_mask, true));
  add_row(table, row++, _("_Quality:"), choice(values.preset, _("Paper (best, slow)"), _("Fast (preview)")));
  add_row(table, row++, _("_Mode:"), choice(values.mode, _("Realistic"), _("Fidelity")));
  add_row(table, row++, _("Smoot_h:"),
          number(values.smooth, 0, 50, _("Dilation/erosion steps of the alignment masks")));
  add_row(table, row++, _("S_eed:"),
          number(values.seed, 0, G_MAXINT,
                 _("0: the generator's stored noise (repeatable); other values: random noise from this seed")));
  add_row(table, row++, _("_Weights folder:"), weights_box(weights_section));

  gtk_widget_show_all(dialog);
  const bool ok = gimp_dialog_run(GIMP_DIALOG(dialog)) == GTK_RESPONSE_OK;
  gtk_widget_destroy(dialog);
  return ok;
}

}  // namespace barbershop::plugin
