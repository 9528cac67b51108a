#pragma once
// The host functions: what the plug-in asks of GIMP. Layers in as packed
// RGB, a new layer out, progress, the remembered values and weights folder.
// libgimp is called here, in the dialog and in main.cpp, GIMP's entry point
// (the procedure table and the PDB's parameters) and nowhere else; nothing
// here knows the method.
#include <libgimp/gimp.h>

#include <optional>
#include <string>
#include <vector>

#include "plugin/common/engine_bridge.h"
#include "plugin/common/progress_bar.h"
#include "plugin/common/remembered.h"

namespace barbershop::plugin {

// A rectangle in a layer's pixels.
struct Area {
  int x = 0, y = 0, width = 0, height = 0;
};

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

// The layers of a layer group, top to bottom (a group inside it counts as
// one layer: its composite); nothing when `item` is not a group.
std::optional<std::vector<gint32>> group_layers(gint32 item);

// The results of many styles: a new, empty layer group named `name`
// directly above `below`. Call inside an UndoStep.
gint32 insert_group_above(gint32 image, gint32 below, const std::string& name);
// `pixels` as a new layer named `name` at `position` inside `group`, at the
// offsets of `placed_like`. Call inside an UndoStep.
gint32 insert_layer_into(gint32 image, gint32 group, int position, gint32 placed_like, const Pixels& pixels,
                         const std::string& name);

// One undo step for everything done to `image` while it lives. Should the
// plug-in end while one is open (a cancel), GIMP closes it: what was added
// so far stays, still as one step.
class UndoStep {
 public:
  explicit UndoStep(gint32 image);
  ~UndoStep();
  UndoStep(const UndoStep&) = delete;
  UndoStep& operator=(const UndoStep&) = delete;

 private:
  gint32 image_;
};

// The last values of `procedure` in this GIMP session, else the defaults.
TransferValues last_transfer_values(const char* procedure);
void remember_transfer_values(const char* procedure, const TransferValues& values);

// The folder chosen in the dialog, else $BARBERSHOP_WEIGHTS, else
// ~/.local/share/barbershop/weights. Non-interactive calls put
// $BARBERSHOP_WEIGHTS first, so scripts and tests decide for themselves.
std::string weights_folder(bool interactive);
void remember_weights_folder(const std::string& folder);

// First use (or the remembered layers are gone): offer the image's other
// layers as hair shape and colour.
void suggest_reference_layers(gint32 image, TransferValues& values);

}  // namespace barbershop::plugin
