#include "plugin/gimp2/gimp_host.h"

#include <gegl.h>

#include <cstdlib>
#include <vector>

#include "engine/error.h"
#include "plugin/common/i18n.h"

namespace barbershop::plugin {
namespace {

// GIMP's own name for gamma-encoded 8-bit RGB, which is what the engine's
// images are (the reference reads PNG files as they are).
const Babl* rgb8_format() { return babl_format("R'G'B' u8"); }

GimpImageType layer_type_for(gint32 image) {
  return gimp_image_base_type(image) == GIMP_GRAY ? GIMP_GRAY_IMAGE : GIMP_RGB_IMAGE;
}

}  // namespace

Pixels read_drawable(gint32 drawable, const char* missing_message) {
  if (drawable < 0 || !gimp_item_is_valid(drawable) || !gimp_item_is_drawable(drawable)) throw Error(missing_message);
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

std::optional<Area> selection_in(gint32 image, gint32 drawable) {
  gboolean non_empty = FALSE;
  gint x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  gimp_selection_bounds(image, &non_empty, &x1, &y1, &x2, &y2);
  if (!non_empty) return std::nullopt;
  gint offset_x = 0, offset_y = 0;
  gimp_drawable_offsets(drawable, &offset_x, &offset_y);
  return Area{x1 - offset_x, y1 - offset_y, x2 - x1, y2 - y1};
}

std::string drawable_name(gint32 drawable) {
  gchar* name = gimp_item_get_name(drawable);
  std::string copy = name ? name : "";
  g_free(name);
  return copy;
}

namespace {

// A new layer holding `pixels`, inserted at `position` in `parent` (0: the
// image's top level) at the offsets of `placed_like`.
gint32 insert_pixels(gint32 image, gint32 parent, int position, gint32 placed_like, const Pixels& pixels,
                     const std::string& name) {
  gint offset_x = 0, offset_y = 0;
  gimp_drawable_offsets(placed_like, &offset_x, &offset_y);
  const gint32 layer = gimp_layer_new(image, name.c_str(), pixels.width, pixels.height, layer_type_for(image), 100.0,
                                      GIMP_LAYER_MODE_NORMAL);
  gimp_image_insert_layer(image, layer, parent, position);
  GeglBuffer* buffer = gimp_drawable_get_buffer(layer);
  gegl_buffer_set(buffer, GEGL_RECTANGLE(0, 0, pixels.width, pixels.height), 0, rgb8_format(), pixels.rgb.data(),
                  GEGL_AUTO_ROWSTRIDE);
  g_object_unref(buffer);  // flushes the pixels to GIMP
  gimp_layer_set_offsets(layer, offset_x, offset_y);
  return layer;
}

}  // namespace

gint32 insert_layer_above(gint32 image, gint32 below, const Pixels& pixels, const std::string& name) {
  const UndoStep undo_step(image);
  return insert_pixels(image, gimp_item_get_parent(below), gimp_image_get_item_position(image, below), below, pixels,
                       name);
}

std::optional<std::vector<gint32>> group_layers(gint32 item) {
  if (item < 0 || !gimp_item_is_valid(item) || !gimp_item_is_group(item)) return std::nullopt;
  gint count = 0;
  gint32* children = gimp_item_get_children(item, &count);
  std::vector<gint32> layers(children, children + count);
  g_free(children);
  return layers;
}

gint32 insert_group_above(gint32 image, gint32 below, const std::string& name) {
  const gint32 group = gimp_layer_group_new(image);
  gimp_item_set_name(group, name.c_str());
  gimp_image_insert_layer(image, group, gimp_item_get_parent(below), gimp_image_get_item_position(image, below));
  return group;
}

gint32 insert_layer_into(gint32 image, gint32 group, int position, gint32 placed_like, const Pixels& pixels,
                         const std::string& name) {
  return insert_pixels(image, group, position, placed_like, pixels, name);
}

UndoStep::UndoStep(gint32 image) : image_(image) { gimp_image_undo_group_start(image_); }
UndoStep::~UndoStep() { gimp_image_undo_group_end(image_); }

// What the plug-in remembers between runs.
namespace {

constexpr const char* kWeightsParasite = "barbershop-weights-folder";

std::string chosen_weights_folder() {
  GimpParasite* parasite = gimp_get_parasite(kWeightsParasite);
  if (!parasite) return "";
  std::string folder(static_cast<const char*>(gimp_parasite_data(parasite)), gimp_parasite_data_size(parasite));
  gimp_parasite_free(parasite);
  return folder;
}

}  // namespace

TransferValues last_transfer_values(const char* procedure) {
  TransferValues values;
  if (gimp_get_data_size(procedure) == sizeof values) gimp_get_data(procedure, &values);
  return values;
}

void remember_transfer_values(const char* procedure, const TransferValues& values) {
  gimp_set_data(procedure, &values, sizeof values);
}

std::string weights_folder(bool interactive) {
  const char* environment = std::getenv("BARBERSHOP_WEIGHTS");
  const bool from_environment = environment && *environment;
  if (!interactive && from_environment) return environment;
  const std::string chosen = chosen_weights_folder();
  return chosen.empty() ? default_weights_dir() : chosen;
}

void remember_weights_folder(const std::string& folder) {
  GimpParasite* parasite =
      gimp_parasite_new(kWeightsParasite, GIMP_PARASITE_PERSISTENT, static_cast<guint32>(folder.size()), folder.data());
  gimp_attach_parasite(parasite);
  gimp_parasite_free(parasite);
}

// First use (or the remembered layers are gone): offer the image's other
// layers, in stack order, as hair shape and colour, so the dialog opens on
// three different layers where the image has them.
void suggest_reference_layers(gint32 image, TransferValues& values) {
  gint count = 0;
  gint32* layers = gimp_image_get_layers(image, &count);
  std::vector<gint32> others;
  for (gint i = 0; i < count; ++i)
    if (layers[i] != values.identity) others.push_back(layers[i]);
  g_free(layers);
  auto usable = [](gint32 layer) { return layer >= 0 && gimp_item_is_valid(layer); };
  if (!usable(values.structure)) values.structure = others.empty() ? values.identity : others[0];
  if (!usable(values.appearance)) values.appearance = others.size() < 2 ? values.structure : others[1];
}

}  // namespace barbershop::plugin
