#pragma once
// The last transfer's choices as the PDB's numbers, remembered for the
// GIMP 2.10 dialog and RUN_WITH_LAST_VALS (plugin/gimp2/gimp_host.h stores
// and reads them; plugin/common/settings.h maps them to the engine's
// TransferOptions). GIMP 3 remembers its procedure's arguments itself.
#include <glib.h>

namespace barbershop::plugin {

// Plain data: GIMP stores it as bytes.
struct TransferValues {
  gint32 identity = -1, structure = -1, appearance = -1;
  gint32 identity_mask = -1, structure_mask = -1, appearance_mask = -1, target_mask = -1;
  gint32 preset = 0;  // 0 paper, 1 fast
  gint32 mode = 0;    // 0 realistic, 1 fidelity
  gint32 smooth = 5;
  gint32 seed = 0;    // 0: stored noise
};

}  // namespace barbershop::plugin
