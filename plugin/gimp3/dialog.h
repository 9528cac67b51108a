#pragma once
// The interactive dialog of Filters ▸ Barbershop ▸ Hair Transfer in GIMP 3:
// a GimpProcedureDialog over the procedure's config, laid out as GIMP
// 2.10's (plugin/gimp2/dialog.h): the layers for the two other roles with
// thumbnails; the four optional masks in a closed section; quality and
// mode; a "More" section with the smoothing, the seed, the weights folder
// with a found / missing line per file, a button that downloads the missing
// ones, and a picker of the folder's generators (that part, written once
// for both GIMPs: plugin/common/weights_panel.h). GimpProcedureConfig
// remembers what was chosen.
#include <libgimp/gimp.h>

#include <string>

namespace barbershop::plugin {

// The config's string argument `name`.
std::string config_string(GimpProcedureConfig* config, const char* name);

// The folder in the config's file argument `name`; "" for none.
std::string config_folder(GimpProcedureConfig* config, const char* name);

// Shows the dialog for the face layer `face`; true when the user pressed OK,
// with `config` updated.
bool run_transfer_dialog(GimpProcedure* procedure, GimpProcedureConfig* config, GimpDrawable* face);

}  // namespace barbershop::plugin
