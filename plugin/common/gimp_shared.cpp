#include "plugin/common/gimp_shared.h"

namespace barbershop::plugin {
namespace {

// GIMP's own name for gamma-encoded 8-bit RGB, which is what the engine's
// images are (the reference reads PNG files as they are).
const Babl* rgb8_format() { return babl_format("R'G'B' u8"); }

}  // namespace

Pixels take_pixels(GeglBuffer* buffer) {
  Pixels pixels;
  pixels.width = gegl_buffer_get_width(buffer);
  pixels.height = gegl_buffer_get_height(buffer);
  pixels.rgb.resize(static_cast<size_t>(pixels.width) * pixels.height * 3);
  gegl_buffer_get(buffer, GEGL_RECTANGLE(0, 0, pixels.width, pixels.height), 1.0, rgb8_format(), pixels.rgb.data(),
                  GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref(buffer);
  return pixels;
}

void give_pixels(GeglBuffer* buffer, const Pixels& pixels) {
  gegl_buffer_set(buffer, GEGL_RECTANGLE(0, 0, pixels.width, pixels.height), 0, rgb8_format(), pixels.rgb.data(),
                  GEGL_AUTO_ROWSTRIDE);
  g_object_unref(buffer);
}

std::string take_string(gchar* text) {
  std::string copy = text ? text : "";
  g_free(text);
  return copy;
}

}  // namespace barbershop::plugin
