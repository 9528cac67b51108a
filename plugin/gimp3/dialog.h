#pragma once
// The interactive dialog of Filters ▸ Barbershop ▸ Hair Transfer in GIMP 3:
// a GimpProcedureDialog over the procedure's config (the layers for the two
// other roles and the four optional masks, the settings, the weights folder
// with a found / missing line per file, a button that downloads the missing
// ones, and the generator). GimpProcedureConfig remembers what was chosen.
#include <libgimp/gimp.h>

namespace barbershop::plugin {

// First use (or the remembered layers are gone): offer the image's other
// layers, in stack order, as hair shape and colour.
void suggest_reference_layers(GimpImage* image, GimpDrawable* identity, GimpProcedureConfig* config);

// Shows the dialog for the face `identity`; true when the user pressed OK,
// with `config` updated.
bool run_transfer_dialog(GimpProcedure* procedure, GimpProcedureConfig* config, GimpDrawable* identity);

}  // namespace barbershop::plugin
