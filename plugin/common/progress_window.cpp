#include "plugin/common/progress_window.h"

#include <gtk/gtk.h>

#include <algorithm>

#include "plugin/common/i18n.h"

namespace barbershop::plugin {
namespace {

constexpr int kPreviewSide = 320;  // the preview's longer side, in screen pixels

GtkWidget* vertical_box() {
#if GTK_MAJOR_VERSION >= 3
  return gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
#else
  return gtk_vbox_new(FALSE, 6);
#endif
}

GtkWidget* button_row() {
#if GTK_MAJOR_VERSION >= 3
  GtkWidget* row = gtk_button_box_new(GTK_ORIENTATION_HORIZONTAL);
#else
  GtkWidget* row = gtk_hbutton_box_new();
#endif
  gtk_button_box_set_layout(GTK_BUTTON_BOX(row), GTK_BUTTONBOX_END);
  gtk_box_set_spacing(GTK_BOX(row), 6);
  return row;
}

// `pixels` as a pixbuf scaled to fit kPreviewSide, its shape kept.
GdkPixbuf* scaled_pixbuf(const Pixels& pixels) {
  GdkPixbuf* full = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, pixels.width, pixels.height);
  const int stride = gdk_pixbuf_get_rowstride(full);
  guchar* rows = gdk_pixbuf_get_pixels(full);
  const size_t row_bytes = static_cast<size_t>(pixels.width) * 3;
  for (int y = 0; y < pixels.height; ++y)
    std::copy_n(pixels.rgb.data() + y * row_bytes, row_bytes, rows + static_cast<size_t>(y) * stride);
  const double scale = static_cast<double>(kPreviewSide) / std::max(pixels.width, pixels.height);
  const int width = std::max(1, static_cast<int>(pixels.width * scale));
  const int height = std::max(1, static_cast<int>(pixels.height * scale));
  GdkPixbuf* scaled = gdk_pixbuf_scale_simple(full, width, height, GDK_INTERP_BILINEAR);
  g_object_unref(full);
  return scaled;
}

class ProgressWindow final : public RunWindow {
 public:
  explicit ProgressWindow(const std::string& title) {
    window_ = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_window_set_title(GTK_WINDOW(window_), title.c_str());
    gtk_window_set_role(GTK_WINDOW(window_), "barbershop-progress");
    gtk_container_set_border_width(GTK_CONTAINER(window_), 12);
    g_signal_connect(window_, "delete-event", G_CALLBACK(on_close), this);

    GtkWidget* box = vertical_box();
    gtk_container_add(GTK_CONTAINER(window_), box);
    stage_ = gtk_label_new("");
    gtk_label_set_width_chars(GTK_LABEL(stage_), 44);
    gtk_label_set_ellipsize(GTK_LABEL(stage_), PANGO_ELLIPSIZE_END);
    gtk_box_pack_start(GTK_BOX(box), stage_, FALSE, FALSE, 0);
    bar_ = gtk_progress_bar_new();
    gtk_box_pack_start(GTK_BOX(box), bar_, FALSE, FALSE, 0);
    image_ = gtk_image_new();
    gtk_widget_set_size_request(image_, kPreviewSide, kPreviewSide);
    gtk_box_pack_start(GTK_BOX(box), image_, TRUE, TRUE, 0);
    caption_ = gtk_label_new(_("The preview comes as soon as the new hair region is known."));
    gtk_box_pack_start(GTK_BOX(box), caption_, FALSE, FALSE, 0);

    GtkWidget* buttons = button_row();
    gtk_box_pack_start(GTK_BOX(box), buttons, FALSE, FALSE, 0);
    stop_button_ = gtk_button_new_with_mnemonic(_("_Stop and keep"));
    gtk_widget_set_tooltip_text(stop_button_, _("Ends now and adds the latest preview as the result layer"));
    g_signal_connect(stop_button_, "clicked", G_CALLBACK(on_stop), this);
    gtk_container_add(GTK_CONTAINER(buttons), stop_button_);
    GtkWidget* cancel = gtk_button_new_with_mnemonic(_("_Cancel"));
    g_signal_connect(cancel, "clicked", G_CALLBACK(on_cancel), this);
    gtk_container_add(GTK_CONTAINER(buttons), cancel);
    gtk_widget_show_all(window_);
  }
  ~ProgressWindow() override { gtk_widget_destroy(window_); }
  ProgressWindow(const ProgressWindow&) = delete;
  ProgressWindow& operator=(const ProgressWindow&) = delete;

  // The title follows the stage too, for the taskbar (and the tests).
  void show_stage(const std::string& text, double fraction) override {
    gtk_window_set_title(GTK_WINDOW(window_), text.c_str());
    gtk_label_set_text(GTK_LABEL(stage_), text.c_str());
    gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(bar_), std::clamp(fraction, 0.0, 1.0));
  }
  void show_preview(const Pixels& preview, const std::string& caption) override {
    if (preview.empty()) return;
    GdkPixbuf* pixbuf = scaled_pixbuf(preview);
    gtk_image_set_from_pixbuf(GTK_IMAGE(image_), pixbuf);
    g_object_unref(pixbuf);
    gtk_label_set_text(GTK_LABEL(caption_), caption.c_str());
  }
  bool stop_pressed() const override { return stop_; }
  bool cancel_pressed() const override { return cancel_; }
  void pump_events() override {
    while (gtk_events_pending()) gtk_main_iteration_do(FALSE);
    g_usleep(30000);  // the engine's thread works meanwhile
  }

 private:
  static gboolean on_close(GtkWidget*, GdkEvent*, gpointer self) {
    static_cast<ProgressWindow*>(self)->cancel_ = true;
    return TRUE;  // the window stays until the run has ended
  }
  static void on_stop(GtkButton* button, gpointer self) {
    static_cast<ProgressWindow*>(self)->stop_ = true;
    gtk_widget_set_sensitive(GTK_WIDGET(button), FALSE);
  }
  static void on_cancel(GtkButton* button, gpointer self) {
    static_cast<ProgressWindow*>(self)->cancel_ = true;
    gtk_widget_set_sensitive(GTK_WIDGET(button), FALSE);
  }

  GtkWidget* window_ = nullptr;
  GtkWidget* stage_ = nullptr;
  GtkWidget* bar_ = nullptr;
  GtkWidget* image_ = nullptr;
  GtkWidget* caption_ = nullptr;
  GtkWidget* stop_button_ = nullptr;
  bool stop_ = false;
  bool cancel_ = false;
};

}  // namespace

std::unique_ptr<RunWindow> open_progress_window(const std::string& title) {
  return std::make_unique<ProgressWindow>(title);
}

}  // namespace barbershop::plugin
