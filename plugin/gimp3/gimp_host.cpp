#include "plugin/gimp3/gimp_host.h"

#include "plugin/common/gimp_shared.h"

namespace barbershop::plugin {
namespace {

// libgimp keeps the items; these are borrowed.
GimpItem* item(LayerId id) { return gimp_item_get_by_id(id); }
GimpDrawable* drawable(LayerId id) { return GIMP_DRAWABLE(item(id)); }
GimpLayer* parent_of(LayerId id) { return GIMP_LAYER(gimp_item_get_parent(item(id))); }
LayerId id_of(GimpLayer* layer) { return gimp_item_get_id(GIMP_ITEM(layer)); }

class GimpHost final : public GimpHostBase<GimpImage*> {
 public:
  GimpHost(GimpImage* image, bool interactive) : GimpHostBase(image, interactive) {}

  bool is_drawable(LayerId id) const override { return id > 0 && gimp_item_id_is_drawable(id); }
  bool is_layer(LayerId id) const override { return id > 0 && gimp_item_id_is_layer(id); }
  Pixels pixels(LayerId id) const override { return take_pixels(gimp_drawable_get_buffer(drawable(id))); }
  std::string name(LayerId id) const override { return take_string(gimp_item_get_name(item(id))); }

  Offsets offsets(LayerId id) const override {
    Offsets at;
    gimp_drawable_get_offsets(drawable(id), &at.x, &at.y);
    return at;
  }

  std::optional<std::vector<LayerId>> group_layers(LayerId id) const override {
    if (id <= 0 || !gimp_item_id_is_group_layer(id)) return std::nullopt;
    GimpItem** children = gimp_item_get_children(item(id));
    std::vector<LayerId> layers;
    for (GimpItem** child = children; child && *child; ++child) layers.push_back(gimp_item_get_id(*child));
    g_free(children);  // the items themselves belong to libgimp
    return layers;
  }

  std::vector<LayerId> image_layers() const override {
    GimpLayer** layers = gimp_image_get_layers(image_);
    std::vector<LayerId> ids;
    for (GimpLayer** layer = layers; layer && *layer; ++layer) ids.push_back(id_of(*layer));
    g_free(layers);
    return ids;
  }

  LayerId insert_layer_above(LayerId below, const Pixels& pixels, const std::string& name, Offsets at) override {
    return insert_pixels(parent_of(below), gimp_image_get_item_position(image_, item(below)), pixels, name, at);
  }

  LayerId insert_group_above(LayerId below, const std::string& name) override {
    GimpLayer* group = GIMP_LAYER(gimp_group_layer_new(image_, name.c_str()));
    gimp_image_insert_layer(image_, group, parent_of(below), gimp_image_get_item_position(image_, item(below)));
    return id_of(group);
  }

  LayerId insert_layer_into(LayerId group, int position, const Pixels& pixels, const std::string& name,
                            Offsets at) override {
    return insert_pixels(GIMP_LAYER(item(group)), position, pixels, name, at);
  }

 private:
  // A new layer holding `pixels` at `position` in `parent` (null: the image).
  LayerId insert_pixels(GimpLayer* parent, int position, const Pixels& pixels, const std::string& name, Offsets at) {
    GimpLayer* layer = gimp_layer_new(image_, name.c_str(), pixels.width, pixels.height,
                                      layer_type(gimp_image_get_base_type(image_)), 100.0, GIMP_LAYER_MODE_NORMAL);
    gimp_image_insert_layer(image_, layer, parent, position);
    give_pixels(gimp_drawable_get_buffer(GIMP_DRAWABLE(layer)), pixels);
    gimp_layer_set_offsets(layer, at.x, at.y);
    return id_of(layer);
  }
};

}  // namespace

std::unique_ptr<Host> gimp_host(GimpImage* image, bool interactive) {
  return std::make_unique<GimpHost>(image, interactive);
}

LayerId id_of(GimpDrawable* drawable) { return drawable ? gimp_item_get_id(GIMP_ITEM(drawable)) : kNoLayer; }

}  // namespace barbershop::plugin
