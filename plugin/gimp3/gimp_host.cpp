#include "plugin/gimp3/gimp_host.h"

#include <gegl.h>

#include <cstdlib>

#include "engine/error.h"
#include "plugin/common/i18n.h"

namespace barbershop::plugin {
namespace {

// GIMP's own name for gamma-encoded 8-bit RGB, which is what the engine's
// images are (the reference reads PNG files as they are).
const Babl* rgb8_format() { return babl_format("R'G'B' u8"); }

GimpImageType layer_type_for(GimpImage* image) {
  return gimp_image_get_base_type(image) == GIMP_GRAY ? GIMP_GRAY_IMAGE : GIMP_RGB_IMAGE;
}

}  // namespace

Pixels read_drawable(GimpDrawable* drawable, const char* missing_message) {
  if (!drawable || !gimp_item_is_valid(GIMP_ITEM(drawable))) throw Error(missing_message);
  GeglBuffer* buffer = gimp_drawable_get_buffer(drawable);
  Pixels pixels;
  pixels.width = gegl_buffer_get_width(buffer);
  pixels.height = gegl_buffer_get_height(buffer);
  pixels.rgb.resize(static_cast<size_t>(pixels.width) * pixels.height * 3);
  gegl_buffer_get(buffer, GEGL_RECTANGLE(0, 0, pixels.width, pixels.height), 1.0, rgb8_format(), pixels.rgb.data(),
                  GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref(buffer);
  return pixels;
}

std::optional<Area> selection_in(GimpImage* image, GimpDrawable* drawable) {
  gboolean non_empty = FALSE;
  gint x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  gimp_selection_bounds(image, &non_empty, &x1, &y1, &x2, &y2);
  if (!non_empty) return std::nullopt;
  gint offset_x = 0, offset_y = 0;
  gimp_drawable_get_offsets(drawable, &offset_x, &offset_y);
  return Area{x1 - offset_x, y1 - offset_y, x2 - x1, y2 - y1};
}

std::string drawable_name(GimpDrawable* drawable) {
  gchar* name = gimp_item_get_name(GIMP_ITEM(drawable));
  std::string copy = name ? name : "";
  g_free(name);
  return copy;
}

namespace {

// A new layer holding `pixels`, inserted at `position` in `parent` (null:
// the image's top level) at the offsets of `placed_like`.
GimpLayer* insert_pixels(GimpImage* image, GimpLayer* parent, int position, GimpDrawable* placed_like,
                         const Pixels& pixels, const std::string& name) {
  gint offset_x = 0, offset_y = 0;
  gimp_drawable_get_offsets(placed_like, &offset_x, &offset_y);
  GimpLayer* layer = gimp_layer_new(image, name.c_str(), pixels.width, pixels.height, layer_type_for(image), 100.0,
                                    GIMP_LAYER_MODE_NORMAL);
  gimp_image_insert_layer(image, layer, parent, position);
  GeglBuffer* buffer = gimp_drawable_get_buffer(GIMP_DRAWABLE(layer));
  gegl_buffer_set(buffer, GEGL_RECTANGLE(0, 0, pixels.width, pixels.height), 0, rgb8_format(), pixels.rgb.data(),
                  GEGL_AUTO_ROWSTRIDE);
  g_object_unref(buffer);  // flushes the pixels to GIMP
  gimp_layer_set_offsets(layer, offset_x, offset_y);
  return layer;
}

GimpLayer* parent_of(GimpDrawable* item) { return GIMP_LAYER(gimp_item_get_parent(GIMP_ITEM(item))); }

}  // namespace

GimpLayer* insert_layer_above(GimpImage* image, GimpDrawable* below, const Pixels& pixels, const std::string& name) {
  const UndoStep undo_step(image);
  return insert_pixels(image, parent_of(below), gimp_image_get_item_position(image, GIMP_ITEM(below)), below, pixels,
                       name);
}

std::optional<std::vector<GimpDrawable*>> group_layers(GimpDrawable* drawable) {
  if (!drawable || !gimp_item_is_valid(GIMP_ITEM(drawable)) || !gimp_item_is_group(GIMP_ITEM(drawable)))
    return std::nullopt;
  GimpItem** children = gimp_item_get_children(GIMP_ITEM(drawable));
  std::vector<GimpDrawable*> layers;
  for (GimpItem** child = children; child && *child; ++child) layers.push_back(GIMP_DRAWABLE(*child));
  g_free(children);  // the items themselves belong to libgimp
  return layers;
}

GimpLayer* insert_group_above(GimpImage* image, GimpDrawable* below, const std::string& name) {
  GimpLayer* group = GIMP_LAYER(gimp_group_layer_new(image, name.c_str()));
  gimp_image_insert_layer(image, group, parent_of(below), gimp_image_get_item_position(image, GIMP_ITEM(below)));
  return group;
}

GimpLayer* insert_layer_into(GimpImage* image, GimpLayer* group, int position, GimpDrawable* placed_like,
                             const Pixels& pixels, const std::string& name) {
  return insert_pixels(image, group, position, placed_like, pixels, name);
}

UndoStep::UndoStep(GimpImage* image) : image_(image) { gimp_image_undo_group_start(image_); }
UndoStep::~UndoStep() { gimp_image_undo_group_end(image_); }

std::string weights_folder(bool interactive, const std::string& chosen) {
  const char* environment = std::getenv("BARBERSHOP_WEIGHTS");
  const bool from_environment = environment && *environment;
  if (!interactive && from_environment) return environment;
  return chosen.empty() ? default_weights_dir() : chosen;
}

}  // namespace barbershop::plugin
