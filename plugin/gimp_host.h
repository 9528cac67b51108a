#pragma once
// The host functions: what the plug-in asks of GIMP. Layers in as packed
// RGB, a new layer out, progress, messages. Only this file and the dialog
// talk to libgimp; nothing here knows the method.
#include <libgimp/gimp.h>

#include <optional>
#include <string>

#include "plugin/engine_bridge.h"

namespace barbershop::plugin {

// Any layer (grey, RGBA, indexed; offsets ignored) as 8-bit RGB; the alpha
// channel is dropped. Throws barbershop::Error with `missing_message` when
// `drawable` is -1 or not a drawable of an open image.
Pixels read_drawable(gint32 drawable, const char* missing_message);

// The image's selection in `drawable`'s pixel coordinates; nothing when
// there is no selection.
std::optional<Area> selection_in(gint32 image, gint32 drawable);

// "Background", the layer's name as the Layers dialog shows it.
std::string drawable_name(gint32 drawable);

// Inserts `pixels` as a new layer named `name` directly above `below`, at
// its offsets, inside one undo group. Returns the new layer.
gint32 insert_layer_above(gint32 image, gint32 below, const Pixels& pixels, const std::string& name);

// GIMP's progress bar: the stage name as its text, the stage's fraction as
// its value. Cancelling there ends the plug-in before any change to the image.
class ProgressBar {
 public:
  explicit ProgressBar(const std::string& title);
  void operator()(const std::string& stage, double fraction);

 private:
  std::string stage_;
  int shown_percent_ = -1;
};

}  // namespace barbershop::plugin
