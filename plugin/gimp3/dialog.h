#pragma once
// The interactive dialog of Filters ▸ Barbershop ▸ Hair Transfer in GIMP 3:
// a GimpProcedureDialog over the procedure's config (the layers for the two
// other roles and the four optional masks, the settings, the weights folder
// with a found / missing line per file, a button that downloads the missing
// ones, and the generator). GimpProcedureConfig remembers what was chosen.
#include <libgimp/gimp.h>

#include <string>

namespace barbershop::plugin {

// The folder in the config's file argument `name`; "" for none.
std::string config_folder(GimpProcedureConfig* config, const char* name);

// Shows the dialog for the face layer named `face_name`; true when the user
// pressed OK, with `config` updated.
bool run_transfer_dialog(GimpProcedure* procedure, GimpProcedureConfig* config, const std::string& face_name);

}  // namespace barbershop::plugin
