#pragma once
// What libgimp spells alike in GIMP 2.10 and GIMP 3, written once for the
// two adapters (plugin/gimp2/gimp_host.cpp, plugin/gimp3/gimp_host.cpp) and
// compiled against the GIMP in use: the Host's image-wide calls, with the
// image's handle (gint32 in 2.10, GimpImage* in 3) as the type parameter,
// the progress window of interactive runs, and pixels to and from GEGL
// buffers. The procedures never include this.
#include <gegl.h>
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include <memory>
#include <string>

#include "plugin/common/host.h"
#include "plugin/common/procedures.h"
#include "plugin/common/progress_window.h"

namespace barbershop::plugin {

// The buffer's pixels as 8-bit RGB (alpha dropped); unrefs `buffer`.
Pixels take_pixels(GeglBuffer* buffer);
// Writes `pixels` into `buffer`, then unrefs it, which flushes them to GIMP.
void give_pixels(GeglBuffer* buffer, const Pixels& pixels);
// A copy of libgimp's `text` (may be null), which is freed.
std::string take_string(gchar* text);

template <typename Image>
class GimpHostBase : public Host {
 public:
  // `interactive`: runs show the plug-in's progress window instead of
  // GIMP's progress bar.
  GimpHostBase(Image image, bool interactive) : image_(image), interactive_(interactive) {}

  std::optional<Area> selection_bounds() const override {
    gboolean non_empty = FALSE;
    gint x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    gimp_selection_bounds(image_, &non_empty, &x1, &y1, &x2, &y2);
    if (!non_empty) return std::nullopt;
    return Area{x1, y1, x2 - x1, y2 - y1};
  }
  void begin_undo_group() override { gimp_image_undo_group_start(image_); }
  void end_undo_group() override { gimp_image_undo_group_end(image_); }
  void show_changes() override { gimp_displays_flush(); }
  void progress_start(const std::string& title) override { gimp_progress_init(title.c_str()); }
  void progress_text(const std::string& text) override { gimp_progress_set_text(text.c_str()); }
  void progress_fraction(double fraction) override { gimp_progress_update(fraction); }
  void message(const std::string& text) override { g_message("%s", text.c_str()); }

  std::unique_ptr<RunWindow> open_run_window(const std::string& title) override {
    if (!interactive_) return nullptr;
#if GIMP_MAJOR_VERSION >= 3
    gimp_ui_init(kPluginBinary);  // once the dialog has, a no-op
#else
    gimp_ui_init(kPluginBinary, FALSE);
#endif
    return open_progress_window(title);
  }

 protected:
  // A new layer's type: grey in a grey image, else RGB.
  GimpImageType layer_type(GimpImageBaseType base) const {
    return base == GIMP_GRAY ? GIMP_GRAY_IMAGE : GIMP_RGB_IMAGE;
  }

  Image image_;

 private:
  bool interactive_;
};

}  // namespace barbershop::plugin
