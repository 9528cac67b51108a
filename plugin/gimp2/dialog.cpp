#include "plugin/gimp2/dialog.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "plugin/common/descriptions.h"
#include "plugin/common/i18n.h"
#include "plugin/common/procedures.h"
#include "plugin/common/weights_panel.h"

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

// The weights folder chosen, and the panel that shows it.
struct WeightsChoice {
  std::string& folder;
  WeightsPanel& panel;
};

void on_folder_chosen(GtkFileChooser* chooser, WeightsChoice* choice) {
  gchar* folder = gtk_file_chooser_get_filename(chooser);
  if (folder) choice->folder = folder;
  g_free(folder);
  choice->panel.show_folder();
}

// The weights folder chooser, with the panel's lines and download under it.
GtkWidget* weights_box(WeightsChoice& choice, GtkWidget*& chooser) {
  GtkWidget* box = new_box(true, 2);
  chooser = gtk_file_chooser_button_new(_("Barbershop weights folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(chooser), choice.folder.c_str());
  choice.panel.lock_while_downloading(chooser);
  for (GtkWidget* widget : {chooser, choice.panel.file_lines(), choice.panel.download_box()})
    gtk_box_pack_start(GTK_BOX(box), widget, FALSE, FALSE, 0);
  g_signal_connect(chooser, "selection-changed", G_CALLBACK(on_folder_chosen), &choice);
  return box;
}

// A thumbnail beside each role's picker, so that the user sees which face
// each role takes; redrawn when the choice changes.
void show_layer_thumbnail(GtkWidget* picker, GtkWidget* image) {
  gint id = -1;
  const bool shown = gimp_int_combo_box_get_active(GIMP_INT_COMBO_BOX(picker), &id) && id >= 0 && gimp_item_is_valid(id);
  show_thumbnail(image, shown ? gimp_drawable_get_thumbnail(id, kThumbnailSize, kThumbnailSize,
                                                            GIMP_PIXBUF_SMALL_CHECKS)
                              : nullptr);
}

GtkWidget* with_thumbnail(GtkWidget* picker) {
  GtkWidget* image = nullptr;
  GtkWidget* row = thumbnail_row(picker, image, true);
  show_layer_thumbnail(picker, image);
  g_signal_connect(picker, "changed", G_CALLBACK(show_layer_thumbnail), image);
  return row;
}

GtkWidget* new_table(int rows) {
  GtkWidget* table = gtk_table_new(rows, 2, FALSE);
  gtk_table_set_row_spacings(GTK_TABLE(table), 6);
  gtk_table_set_col_spacings(GTK_TABLE(table), 6);
  return table;
}

// A row of `table`: the label, and `widget` beside it; the label's
// mnemonic focuses `target` (the widget itself unless it is a box around it).
void add_row(GtkWidget* table, int row, const char* label, GtkWidget* widget, GtkWidget* target = nullptr) {
  GtkWidget* text = gimp_table_attach_aligned(GTK_TABLE(table), 0, row, label, 0.0, 0.5, widget, 1, FALSE);
  if (target) gtk_label_set_mnemonic_widget(GTK_LABEL(text), target);
}

// A section that opens and closes under its title.
GtkWidget* section(const char* title, GtkWidget* contents, bool open) {
  GtkWidget* expander = gtk_expander_new_with_mnemonic(title);
  gtk_container_set_border_width(GTK_CONTAINER(contents), 6);
  gtk_container_add(GTK_CONTAINER(expander), contents);
  gtk_expander_set_expanded(GTK_EXPANDER(expander), open);
  return expander;
}

// The face, hair-shape and hair-colour layers, each with its thumbnail.
GtkWidget* roles_table(TransferValues& values) {
  GtkWidget* table = new_table(3);
  GtkWidget* face = layer_picker(values.identity, false);
  add_row(table, 0, _("_Face (identity):"), with_thumbnail(face), face);
  for (int k = 0; k < 2; ++k) {
    GtkWidget* picker = layer_picker(*values.layer_arguments()[k], false);
    add_row(table, k + 1, _(kLayerArguments[k].label), with_thumbnail(picker), picker);
  }
  return table;
}

// The four optional hair masks, for when the parser's hair is not what the
// user wants.
GtkWidget* masks_table(TransferValues& values) {
  GtkWidget* table = new_table(4);
  for (int k = 2; k < kLayerArgumentCount; ++k)
    add_row(table, k - 2, _(kLayerArguments[k].label), layer_picker(*values.layer_arguments()[k], true));
  return table;
}

GtkWidget* quality_table(TransferValues& values) {
  GtkWidget* table = new_table(2);
  add_row(table, 0, _("_Quality:"), choice(values.preset, _("Paper (best, slow)"), _("Fast (preview)")));
  add_row(table, 1, _("_Mode:"), choice(values.mode, _("Realistic"), _("Fidelity")));
  return table;
}

// What most runs leave alone: smoothing, seed, generator and the weights.
GtkWidget* more_table(TransferValues& values, WeightsChoice& weights) {
  GtkWidget* table = new_table(4);
  add_row(table, 0, _("Smoot_h:"), number(values.smooth, 0, 50, _("Dilation/erosion steps of the alignment masks")));
  add_row(table, 1, _("S_eed:"),
          number(values.seed, 0, G_MAXINT,
                 _("0: the generator's stored noise (repeatable); other values: random noise from this seed")));
  add_row(table, 2, _("_Generator:"), weights.panel.generator_picker());
  GtkWidget* chooser = nullptr;
  GtkWidget* folder = weights_box(weights, chooser);
  add_row(table, 3, _("_Weights folder:"), folder, chooser);
  return table;
}

}  // namespace

bool run_transfer_dialog(TransferValues& values, std::string& weights, std::string& generator) {
  gimp_ui_init(kPluginBinary, FALSE);
  GtkWidget* dialog = gimp_dialog_new(_("Barbershop Hair Transfer"), kPluginBinary, nullptr, GtkDialogFlags(0),
                                      gimp_standard_help_func, kTransferProcedure, _("_Cancel"), GTK_RESPONSE_CANCEL,
                                      _("_OK"), GTK_RESPONSE_OK, nullptr);
  GtkWidget* column = new_box(true, 12);
  gtk_container_set_border_width(GTK_CONTAINER(column), 12);
  gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(dialog))), column, TRUE, TRUE, 0);

  WeightsPanel panel(dialog, [&weights] { return weights; }, generator);
  WeightsChoice weights_choice{weights, panel};
  gtk_box_pack_start(GTK_BOX(column), roles_table(values), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(column), section(_("Hair mas_ks (optional)"), masks_table(values), false), FALSE,
                     FALSE, 0);
  gtk_box_pack_start(GTK_BOX(column), quality_table(values), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(column),
                     section(_("Mo_re"), more_table(values, weights_choice), !weights_complete(weights)), FALSE,
                     FALSE, 0);

  gtk_widget_show_all(dialog);
  const bool ok = gimp_dialog_run(GIMP_DIALOG(dialog)) == GTK_RESPONSE_OK;
  generator = panel.generator();
  gtk_widget_destroy(dialog);
  return ok;
}

}  // namespace barbershop::plugin
