#include "plugin/gimp2/dialog.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include <vector>

#include "plugin/common/descriptions.h"
#include "plugin/common/download_run.h"
#include "plugin/common/engine_bridge.h"
#include "plugin/common/i18n.h"
#include "plugin/common/procedures.h"

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

// The weights folder chooser, one "found / missing" line per file, the
// "Download missing files" button with GIMP's progress bar, and the
// generator picker.
struct WeightsSection {
  std::string* folder;
  std::string* generator;  // a file name in the folder; "" = ffhq.pt
  GtkWidget* dialog;
  GtkWidget* chooser;
  GtkWidget* lines;  // one line per weights file
  GtkWidget* download_button;
  GtkWidget* progress_bar;
  GtkWidget* download_status;
  GtkWidget* generator_picker;
  DownloadRun* download;
};

void show_weight_files(WeightsSection* section) {
  const std::string& folder = *section->folder;
  const std::string text = weights_folder_line(folder) + "\n" + weight_file_lines(folder);
  gtk_label_set_text(GTK_LABEL(section->lines), text.c_str());
}

void on_generator_chosen(GtkComboBox* picker, WeightsSection* section) {
  gchar* name = gtk_combo_box_get_active_text(picker);
  *section->generator = name && g_strcmp0(name, "ffhq.pt") != 0 ? name : "";
  g_free(name);
}

// Refills the picker with the folder's generator files, keeping the choice
// (the one remembered from the last run, at first) when that file is still
// there, else the first (ffhq.pt where the folder has it). The choice is
// then what the picker shows, even before the user touches it.
void show_generators(WeightsSection* section) {
  GtkComboBox* picker = GTK_COMBO_BOX(section->generator_picker);
  GtkTreeModel* model = gtk_combo_box_get_model(picker);
  g_signal_handlers_block_by_func(picker, reinterpret_cast<gpointer>(on_generator_chosen), section);
  for (int n = gtk_tree_model_iter_n_children(model, nullptr); n > 0; --n) gtk_combo_box_remove_text(picker, n - 1);
  std::vector<std::string> names = generator_files_in(*section->folder);
  if (names.empty()) names.push_back("ffhq.pt");  // shown as the default even before it is downloaded
  int active = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    gtk_combo_box_append_text(picker, names[i].c_str());
    if (names[i] == *section->generator) active = static_cast<int>(i);
  }
  gtk_combo_box_set_active(picker, active);
  g_signal_handlers_unblock_by_func(picker, reinterpret_cast<gpointer>(on_generator_chosen), section);
  on_generator_chosen(picker, section);
}

void on_folder_chosen(GtkFileChooser* chooser, WeightsSection* section) {
  gchar* folder = gtk_file_chooser_get_filename(chooser);
  if (folder) *section->folder = folder;
  g_free(folder);
  show_weight_files(section);
  show_generators(section);
}

// While the download runs the dialog stays responsive: the engine works in
// a thread, and this timer shows its progress in GIMP's progress bar.
gboolean show_download_progress(gpointer data) {
  auto* section = static_cast<WeightsSection*>(data);
  const DownloadRun::Snapshot now = section->download->snapshot();
  GimpProgressBar* bar = GIMP_PROGRESS_BAR(section->progress_bar);
  gtk_progress_bar_set_text(GTK_PROGRESS_BAR(bar), now.file.c_str());
  if (now.fraction < 0)
    gtk_progress_bar_pulse(GTK_PROGRESS_BAR(bar));
  else
    gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(bar), now.fraction);
  return G_SOURCE_CONTINUE;
}

void set_dialog_busy(WeightsSection* section, bool busy) {
  gtk_dialog_set_response_sensitive(GTK_DIALOG(section->dialog), GTK_RESPONSE_OK, !busy);
  gtk_dialog_set_response_sensitive(GTK_DIALOG(section->dialog), GTK_RESPONSE_CANCEL, !busy);
  gtk_widget_set_sensitive(section->chooser, !busy);
  gtk_button_set_label(GTK_BUTTON(section->download_button),
                       busy ? _("Cancel _download") : _("_Download missing files"));
  gtk_widget_set_visible(section->progress_bar, busy);
}

// The button starts the download, or cancels the one running.
void on_download_clicked(GtkButton*, WeightsSection* section) {
  DownloadRun& run = *section->download;
  if (run.running()) {
    run.cancel();
    return;
  }
  gtk_label_set_text(GTK_LABEL(section->download_status), "");
  set_dialog_busy(section, true);
  run.start(*section->folder);
  const guint timer = g_timeout_add(100, show_download_progress, section);
  while (!run.finished()) gtk_main_iteration();  // the timer wakes this at least every 100 ms
  g_source_remove(timer);
  run.join();
  set_dialog_busy(section, false);
  gtk_label_set_text(GTK_LABEL(section->download_status), run.outcome().c_str());
  show_weight_files(section);
  show_generators(section);
}

// Closing the window mid-download would leave the thread writing: refuse
// until it is cancelled or done.
gboolean refuse_close_while_downloading(GtkWidget*, GdkEvent*, WeightsSection* section) {
  return section->download->running();
}

GtkWidget* weights_box(WeightsSection& section) {
  GtkWidget* box = gtk_vbox_new(FALSE, 2);
  section.chooser = gtk_file_chooser_button_new(_("Barbershop weights folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(section.chooser), section.folder->c_str());
  gtk_box_pack_start(GTK_BOX(box), section.chooser, FALSE, FALSE, 0);
  section.lines = gtk_label_new("");
  gtk_misc_set_alignment(GTK_MISC(section.lines), 0.0, 0.5);
  gtk_box_pack_start(GTK_BOX(box), section.lines, FALSE, FALSE, 0);
  section.download_button = gtk_button_new_with_mnemonic(_("_Download missing files"));
  gimp_help_set_help_data(section.download_button,
                          _("Fetch the missing files from their publishers into this folder, checking each"), nullptr);
  gtk_box_pack_start(GTK_BOX(box), section.download_button, FALSE, FALSE, 0);
  section.progress_bar = gimp_progress_bar_new();
  gtk_widget_set_no_show_all(section.progress_bar, TRUE);
  gtk_box_pack_start(GTK_BOX(box), section.progress_bar, FALSE, FALSE, 0);
  section.download_status = gtk_label_new("");
  gtk_label_set_line_wrap(GTK_LABEL(section.download_status), TRUE);
  gtk_misc_set_alignment(GTK_MISC(section.download_status), 0.0, 0.5);
  gtk_box_pack_start(GTK_BOX(box), section.download_status, FALSE, FALSE, 0);
  show_weight_files(&section);
  g_signal_connect(section.chooser, "selection-changed", G_CALLBACK(on_folder_chosen), &section);
  g_signal_connect(section.download_button, "clicked", G_CALLBACK(on_download_clicked), &section);
  return box;
}

GtkWidget* generator_picker(WeightsSection& section) {
  section.generator_picker = gtk_combo_box_new_text();
  gimp_help_set_help_data(section.generator_picker,
                          _("The StyleGAN2 generator in the weights folder: ffhq.pt for photos of people"), nullptr);
  show_generators(&section);
  g_signal_connect(section.generator_picker, "changed", G_CALLBACK(on_generator_chosen), &section);
  return section.generator_picker;
}

// A thumbnail beside each role's picker, so that the user sees which face
// each role takes; redrawn when the choice changes.
constexpr int kThumbnailSize = 48;

void show_thumbnail(GtkWidget* picker, GtkWidget* image) {
  gint id = -1;
  if (gimp_int_combo_box_get_active(GIMP_INT_COMBO_BOX(picker), &id) && id >= 0 && gimp_item_is_valid(id)) {
    GdkPixbuf* pixbuf = gimp_drawable_get_thumbnail(id, kThumbnailSize, kThumbnailSize, GIMP_PIXBUF_SMALL_CHECKS);
    gtk_image_set_from_pixbuf(GTK_IMAGE(image), pixbuf);
    if (pixbuf) g_object_unref(pixbuf);
  } else {
    gtk_image_clear(GTK_IMAGE(image));
  }
}

GtkWidget* with_thumbnail(GtkWidget* picker) {
  GtkWidget* box = gtk_hbox_new(FALSE, 6);
  GtkWidget* image = gtk_image_new();
  gtk_widget_set_size_request(image, kThumbnailSize, kThumbnailSize);
  gtk_box_pack_start(GTK_BOX(box), image, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(box), picker, TRUE, TRUE, 0);
  show_thumbnail(picker, image);
  g_signal_connect(picker, "changed", G_CALLBACK(show_thumbnail), image);
  return box;
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
GtkWidget* more_table(TransferValues& values, WeightsSection& weights) {
  GtkWidget* table = new_table(4);
  add_row(table, 0, _("Smoot_h:"), number(values.smooth, 0, 50, _("Dilation/erosion steps of the alignment masks")));
  add_row(table, 1, _("S_eed:"),
          number(values.seed, 0, G_MAXINT,
                 _("0: the generator's stored noise (repeatable); other values: random noise from this seed")));
  add_row(table, 2, _("_Generator:"), generator_picker(weights));
  GtkWidget* folder = weights_box(weights);
  add_row(table, 3, _("_Weights folder:"), folder, weights.chooser);
  return table;
}

}  // namespace

bool run_transfer_dialog(TransferValues& values, std::string& weights, std::string& generator) {
  gimp_ui_init(kPluginBinary, FALSE);
  GtkWidget* dialog = gimp_dialog_new(_("Barbershop Hair Transfer"), kPluginBinary, nullptr, GtkDialogFlags(0),
                                      gimp_standard_help_func, kTransferProcedure, _("_Cancel"), GTK_RESPONSE_CANCEL,
                                      _("_OK"), GTK_RESPONSE_OK, nullptr);
  GtkWidget* column = gtk_vbox_new(FALSE, 12);
  gtk_container_set_border_width(GTK_CONTAINER(column), 12);
  gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(dialog))), column, TRUE, TRUE, 0);

  DownloadRun download;
  WeightsSection weights_section{&weights, &generator, dialog, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                 &download};
  g_signal_connect(dialog, "delete-event", G_CALLBACK(refuse_close_while_downloading), &weights_section);
  gtk_box_pack_start(GTK_BOX(column), roles_table(values), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(column), section(_("Hair mas_ks (optional)"), masks_table(values), false), FALSE,
                     FALSE, 0);
  gtk_box_pack_start(GTK_BOX(column), quality_table(values), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(column),
                     section(_("Mo_re"), more_table(values, weights_section), !weights_complete(weights)), FALSE,
                     FALSE, 0);

  gtk_widget_show_all(dialog);
  const bool ok = gimp_dialog_run(GIMP_DIALOG(dialog)) == GTK_RESPONSE_OK;
  gtk_widget_destroy(dialog);
  return ok;
}

}  // namespace barbershop::plugin
