#include "plugin/gimp2/gimp_host.h"

#include "plugin/common/gimp_shared.h"

namespace barbershop::plugin {
namespace {

bool valid(LayerId id) { return id >= 0 && gimp_item_is_valid(id); }

class GimpHost final : public GimpHostBase<gint32> {
 public:
  GimpHost(gint32 image, bool interactive) : GimpHostBase(image, interactive) {}

  bool is_drawable(LayerId id) const override { return valid(id) && gimp_item_is_drawable(id); }
  bool is_layer(LayerId id) const override { return valid(id) && gimp_item_is_layer(id); }
  Pixels pixels(LayerId id) const override { return take_pixels(gimp_drawable_get_buffer(id)); }
  std::string name(LayerId id) const override { return take_string(gimp_item_get_name(id)); }

  Offsets offsets(LayerId id) const override {
    Offsets at;
    gimp_drawable_offsets(id, &at.x, &at.y);
    return at;
  }

  std::optional<std::vector<LayerId>> group_layers(LayerId id) const override {
    if (!valid(id) || !gimp_item_is_group(id)) return std::nullopt;
    gint count = 0;
    gint32* children = gimp_item_get_children(id, &count);
    std::vector<LayerId> layers(children, children + count);
    g_free(children);
    return layers;
  }

  std::vector<LayerId> image_layers() const override {
    gint count = 0;
    gint32* layers = gimp_image_get_layers(image_, &count);
    std::vector<LayerId> ids(layers, layers + count);
    g_free(layers);
    return ids;
  }

  LayerId insert_layer_above(LayerId below, const Pixels& pixels, const std::string& name, Offsets at) override {
    return insert_pixels(gimp_item_get_parent(below), gimp_image_get_item_position(image_, below), pixels, name, at);
  }

  LayerId insert_group_above(LayerId below, const std::string& name) override {
    const gint32 group = gimp_layer_group_new(image_);
    gimp_item_set_name(group, name.c_str());
    gimp_image_insert_layer(image_, group, gimp_item_get_parent(below), gimp_image_get_item_position(image_, below));
    return group;
  }

  LayerId insert_layer_into(LayerId group, int position, const Pixels& pixels, const std::string& name,
                            Offsets at) override {
    return insert_pixels(group, position, pixels, name, at);
  }

 private:
  // A new layer holding `pixels` at `position` in `parent` (0: the image).
  LayerId insert_pixels(gint32 parent, int position, const Pixels& pixels, const std::string& name, Offsets at) {
    const gint32 layer = gimp_layer_new(image_, name.c_str(), pixels.width, pixels.height,
                                        layer_type(gimp_image_base_type(image_)), 100.0, GIMP_LAYER_MODE_NORMAL);
    gimp_image_insert_layer(image_, layer, parent, position);
    give_pixels(gimp_drawable_get_buffer(layer), pixels);
    gimp_layer_set_offsets(layer, at.x, at.y);
    return layer;
  }
};

}  // namespace

std::unique_ptr<Host> gimp_host(gint32 image, bool interactive) {
  return std::make_unique<GimpHost>(image, interactive);
}

}  // namespace barbershop::plugin
