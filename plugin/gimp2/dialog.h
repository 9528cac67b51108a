#pragma once
// The interactive dialog of Filters ▸ Barbershop ▸ Hair Transfer, laid out
// for the common case: the three roles' layer pickers with thumbnails; the
// four optional hair masks in a closed section; quality and mode; and a
// "More" section (open only while a weights file is missing) with the
// smoothing, the seed, the generator picker and the weights folder with a
// found / missing line per file and a button that downloads the missing ones
// (that part, written once for both GIMPs: plugin/common/weights_panel.h).
#include <string>

#include "plugin/common/remembered.h"

namespace barbershop::plugin {

// Shows the dialog filled with `values`, `weights` and `generator` (a file
// name in the weights folder, "" for ffhq.pt); true when the user pressed
// OK, with all three updated.
bool run_transfer_dialog(TransferValues& values, std::string& weights, std::string& generator);

}  // namespace barbershop::plugin
