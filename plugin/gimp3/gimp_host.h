#pragma once
// The GIMP 3 host functions: what the plug-in asks of GIMP 3. Layers in as
// packed RGB, a new layer out, progress, the weights folder. In the GIMP 3
// build libgimp is called here, in dialog.cpp, in main.cpp (the GimpPlugIn
// and its procedures) and in plugin/common/progress_bar.cpp, which both
// GIMPs share; nothing here knows the method.
#include <libgimp/gimp.h>

#include <optional>
#include <string>
#include <vector>

#include "plugin/common/engine_bridge.h"
#include "plugin/common/progress_bar.h"

namespace barbershop::plugin {

// A rectangle in a layer's pixels.
struct Area {
  int x = 0, y = 0, width = 0, height = 0;
};

// Any layer (grey, RGBA, indexed; offsets ignored) as 8-bit RGB; the alpha
// channel is dropped. Throws barbershop::Error with `missing_message` when
// `drawable` is none or no longer valid.
Pixels read_drawable(GimpDrawable* drawable, const char* missing_message);

// The image's selection in `drawable`'s pixel coordinates; nothing when
// there is no selection.
std::optional<Area> selection_in(GimpImage* image, GimpDrawable* drawable);

// "Background", the layer's name as the Layers dialog shows it.
std::string drawable_name(GimpDrawable* drawable);

// Inserts `pixels` as a new layer named `name` directly above `below`, at
// its offsets, inside one undo group. Returns the new layer.
GimpLayer* insert_layer_above(GimpImage* image, GimpDrawable* below, const Pixels& pixels, const std::string& name);

// The layers of a layer group, top to bottom (a group inside it counts as
// one layer: its composite); nothing when `drawable` is not a group.
std::optional<std::vector<GimpDrawable*>> group_layers(GimpDrawable* drawable);

// The results of many styles: a new, empty layer group named `name`
// directly above `below`. Call inside an UndoStep.
GimpLayer* insert_group_above(GimpImage* image, GimpDrawable* below, const std::string& name);
// `pixels` as a new layer named `name` at `position` inside `group`, at the
// offsets of `placed_like`. Call inside an UndoStep.
GimpLayer* insert_layer_into(GimpImage* image, GimpLayer* group, int position, GimpDrawable* placed_like,
                             const Pixels& pixels, const std::string& name);

// One undo step for everything done to `image` while it lives. Should the
// plug-in end while one is open (a cancel), GIMP closes it: what was added
// so far stays, still as one step.
class UndoStep {
 public:
  explicit UndoStep(GimpImage* image);
  ~UndoStep();
  UndoStep(const UndoStep&) = delete;
  UndoStep& operator=(const UndoStep&) = delete;

 private:
  GimpImage* image_;
};

// The folder chosen in the dialog (`chosen`, may be empty), else
// $BARBERSHOP_WEIGHTS, else ~/.local/share/barbershop/weights.
// Non-interactive calls put $BARBERSHOP_WEIGHTS first, so scripts and tests
// decide for themselves.
std::string weights_folder(bool interactive, const std::string& chosen);

}  // namespace barbershop::plugin
