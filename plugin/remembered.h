#pragma once
// What the plug-in remembers between runs: the last transfer's choices (for
// the dialog and RUN_WITH_LAST_VALS, kept by GIMP for the session) and the
// weights folder (a persistent parasite, so it survives a restart).
#include <glib.h>

#include <string>

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

// The last values of `procedure` in this GIMP session, else the defaults.
TransferValues last_transfer_values(const char* procedure);
void remember_transfer_values(const char* procedure, const TransferValues& values);

// The folder chosen in the dialog, else $BARBERSHOP_WEIGHTS, else
// ~/.local/share/barbershop/weights. Non-interactive calls put
// $BARBERSHOP_WEIGHTS first, so scripts and tests decide for themselves.
std::string weights_folder(bool interactive);
void remember_weights_folder(const std::string& folder);

}  // namespace barbershop::plugin
