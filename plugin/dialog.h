#pragma once
// The interactive dialog of Filters ▸ Barbershop ▸ Hair Transfer: layer
// pickers for the three roles and the four optional masks, the settings, and
// the weights folder with a found / missing line per file.
#include <string>

#include "plugin/remembered.h"

namespace barbershop::plugin {

// Shows the dialog filled with `values` and `weights`; true when the user
// pressed OK, with both updated.
bool run_transfer_dialog(TransferValues& values, std::string& weights);

}  // namespace barbershop::plugin
