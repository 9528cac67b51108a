#include "plugin/common/weights_panel.h"

#include <utility>

#include "plugin/common/i18n.h"

namespace barbershop::plugin {
namespace {

GtkWidget* left_aligned_label() {
  GtkWidget* label = gtk_label_new("");
  gtk_misc_set_alignment(GTK_MISC(label), 0.0, 0.5);
  return label;
}

}  // namespace

GtkWidget* new_box(bool vertical, int spacing) {
#if GTK_MAJOR_VERSION >= 3
  return gtk_box_new(vertical ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL, spacing);
#else
  return vertical ? gtk_vbox_new(FALSE, spacing) : gtk_hbox_new(FALSE, spacing);
#endif
}

void show_thumbnail(GtkWidget* image, GdkPixbuf* pixbuf) {
  if (!pixbuf) {
    gtk_image_clear(GTK_IMAGE(image));
    return;
  }
  gtk_image_set_from_pixbuf(GTK_IMAGE(image), pixbuf);
  g_object_unref(pixbuf);
}

GtkWidget* thumbnail_row(GtkWidget* widget, GtkWidget*& image, bool expand) {
  GtkWidget* row = new_box(false, 6);
  image = gtk_image_new();
  gtk_widget_set_size_request(image, kThumbnailSize, kThumbnailSize);
  gtk_box_pack_start(GTK_BOX(row), image, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), widget, expand, expand, 0);
  return row;
}

WeightsPanel::WeightsPanel(GtkWidget* dialog, std::function<std::string()> folder, const std::string& generator)
    : dialog_(dialog), folder_(std::move(folder)), generator_(generator) {
  lines_ = left_aligned_label();
  button_ = gtk_button_new_with_mnemonic(_("_Download missing files"));
  gtk_widget_set_tooltip_text(button_, _("Fetch the missing files from their publishers into this folder, checking each"));
  bar_ = gtk_progress_bar_new();
#if GTK_MAJOR_VERSION >= 3
  gtk_progress_bar_set_show_text(GTK_PROGRESS_BAR(bar_), TRUE);  // the file being fetched
#endif
  gtk_widget_set_no_show_all(bar_, TRUE);  // shown only while a download runs
  outcome_ = left_aligned_label();
  gtk_label_set_line_wrap(GTK_LABEL(outcome_), TRUE);
  download_box_ = new_box(true, 2);
  for (GtkWidget* widget : {button_, bar_, outcome_})
    gtk_box_pack_start(GTK_BOX(download_box_), widget, FALSE, FALSE, 0);
  generators_ = gtk_combo_box_text_new();
  gtk_widget_set_tooltip_text(generators_,
                              _("The StyleGAN2 generator in the weights folder: ffhq.pt for photos of people"));
  show_folder();
  g_signal_connect(generators_, "changed", G_CALLBACK(on_generator_chosen), this);
  g_signal_connect(button_, "clicked", G_CALLBACK(on_download_clicked), this);
  g_signal_connect(dialog_, "delete-event", G_CALLBACK(refuse_close_while_downloading), this);
}

void WeightsPanel::show_folder() {
  const std::string folder = folder_();
  const std::string text = weights_folder_line(folder) + "\n" + weight_file_lines(folder);
  gtk_label_set_text(GTK_LABEL(lines_), text.c_str());
  show_generators();
}

// The picker is refilled without hearing itself; the choice is then what it
// shows, even before the user touches it.
void WeightsPanel::show_generators() {
  GtkComboBox* picker = GTK_COMBO_BOX(generators_);
  g_signal_handlers_block_by_func(picker, reinterpret_cast<gpointer>(on_generator_chosen), this);
  gtk_list_store_clear(GTK_LIST_STORE(gtk_combo_box_get_model(picker)));
  const GeneratorChoices choices = generator_choices(folder_(), generator_);
  for (const std::string& name : choices.names)
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(picker), name.c_str());
  gtk_combo_box_set_active(picker, static_cast<int>(choices.chosen));
  g_signal_handlers_unblock_by_func(picker, reinterpret_cast<gpointer>(on_generator_chosen), this);
  on_generator_chosen(picker, this);
}

void WeightsPanel::on_generator_chosen(GtkComboBox* picker, WeightsPanel* panel) {
  gchar* name = gtk_combo_box_text_get_active_text(GTK_COMBO_BOX_TEXT(picker));
  panel->generator_ = generator_argument(name ? name : "");
  g_free(name);
}

void WeightsPanel::set_busy(bool busy) {
  gtk_dialog_set_response_sensitive(GTK_DIALOG(dialog_), GTK_RESPONSE_OK, !busy);
  gtk_dialog_set_response_sensitive(GTK_DIALOG(dialog_), GTK_RESPONSE_CANCEL, !busy);
  for (GtkWidget* widget : locked_) gtk_widget_set_sensitive(widget, !busy);
  gtk_button_set_label(GTK_BUTTON(button_), busy ? _("Cancel _download") : _("_Download missing files"));
  gtk_widget_set_visible(bar_, busy);
}

// While the download runs the dialog stays responsive: the engine works in
// a thread, and a timer shows its progress in the bar.
gboolean WeightsPanel::show_progress(gpointer data) {
  auto* panel = static_cast<WeightsPanel*>(data);
  const DownloadRun::Snapshot now = panel->run_.snapshot();
  GtkProgressBar* bar = GTK_PROGRESS_BAR(panel->bar_);
  gtk_progress_bar_set_text(bar, now.file.c_str());
  if (now.fraction < 0)
    gtk_progress_bar_pulse(bar);
  else
    gtk_progress_bar_set_fraction(bar, now.fraction);
  return G_SOURCE_CONTINUE;
}

void WeightsPanel::download() {
  gtk_label_set_text(GTK_LABEL(outcome_), "");
  set_busy(true);
  run_.start(folder_());
  const guint timer = g_timeout_add(100, show_progress, this);
  while (!run_.finished()) gtk_main_iteration();  // the timer wakes this at least every 100 ms
  g_source_remove(timer);
  run_.join();
  set_busy(false);
  gtk_label_set_text(GTK_LABEL(outcome_), run_.outcome().c_str());
  show_folder();
}

// The button starts the download, or cancels the one running.
void WeightsPanel::on_download_clicked(GtkButton*, WeightsPanel* panel) {
  if (panel->run_.running())
    panel->run_.cancel();
  else
    panel->download();
}

// Closing the window mid-download would leave the thread writing: refuse
// until it is cancelled or done.
gboolean WeightsPanel::refuse_close_while_downloading(GtkWidget*, GdkEvent*, WeightsPanel* panel) {
  return panel->run_.running();
}

}  // namespace barbershop::plugin
