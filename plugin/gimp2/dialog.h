#pragma once
// The interactive dialog of Filters ▸ Barbershop ▸ Hair Transfer: layer
// pickers for the three roles and the four optional masks, the settings, the
// weights folder with a found / missing line per file and a button that
// downloads the missing ones, and the generator picker.
#include <string>

#include "plugin/common/remembered.h"

namespace barbershop::plugin {

// Shows the dialog filled with `values`, `weights` and `generator` (a file
// name in the weights folder, "" for ffhq.pt); true when the user pressed
// OK, with all three updated.
bool run_transfer_dialog(TransferValues& values, std::string& weights, std::string& generator);

}  // namespace barbershop::plugin
