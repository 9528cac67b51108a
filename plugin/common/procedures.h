#pragma once
// The plug-in's procedures, written once for every editor: they read and
// add layers through a Host (plugin/common/host.h), run the engine
// (plugin/common/engine_bridge.h) and tell the user through the Host. The
// GIMP 2.10 and GIMP 3 registrations (plugin/gimp2/main.cpp,
// plugin/gimp3/main.cpp) turn their PDB arguments into these calls.
#include <exception>
#include <string>

#include "plugin/common/host.h"
#include "plugin/common/remembered.h"

namespace barbershop::plugin {

// Names GIMP knows the plug-in by; scripts and tests call the procedures.
constexpr const char* kPluginBinary = "barbershop-gimp";
constexpr const char* kTransferProcedure = "plug-in-barbershop";
constexpr const char* kHairMaskProcedure = "plug-in-barbershop-hair-mask";
// What the dialog's "Download missing files" button runs, for scripts and tests.
constexpr const char* kDownloadProcedure = "plug-in-barbershop-download-weights";
constexpr const char* kMenuPath = "<Image>/Filters/Barbershop";
constexpr const char* kIconFile = "barbershop.svg";

// One call of plug-in-barbershop: the PDB's layers and numbers, the weights
// folder (weights_folder()), the generator, a file in that folder ("":
// ffhq.pt), and the time limit in seconds (0: none; when it is up the
// latest composite is kept, as "Stop and keep" does).
struct TransferCall {
  TransferValues values;
  std::string weights;
  std::string generator;
  double time_limit = 0;
};

// Whether `error` is the engine's Cancelled (the run window's Cancel, or the
// window closed): the call ends with the editor's cancel status, no message.
bool is_cancel(const std::exception& error);

// Throws barbershop::Error unless `face` is a layer (the transfer's face:
// the procedure's drawable).
void require_face_layer(const Host& host, LayerId face);

// The face of values.identity with the hair shape of values.structure and
// the hair colour of values.appearance, as a new layer directly above the
// face, at its offsets, in one undo group. The selection, if any, picks the
// face of several. When the shape or the colour is a layer group: one
// transfer per style (plugin/common/styles.h) into a new group above the
// face, each result added as it finishes; a style that fails is reported
// and the others go on. Nothing touches the image before the first result,
// so a failure or a cancel leaves it as it was. Where the host has a run
// window (interactive runs), the engine runs on a worker thread while the
// window shows previews; "Stop and keep" (or the time limit) adds the
// latest composite named "... (stopped at <stage> k/N)", "Cancel" adds
// nothing more. Returns the new layer or group. Throws barbershop::Error
// (Cancelled when cancelled).
LayerId transfer(Host& host, const TransferCall& call);

// The parser's hair region of the layer `face`, white on black, as a new
// layer directly above it. Throws barbershop::Error.
LayerId hair_mask(Host& host, LayerId face, const std::string& weights);

// The weights files missing from `folder` (or damaged there), fetched from
// `url_base` ("": $BARBERSHOP_WEIGHTS_URL_BASE, else the official
// addresses) with the host's progress bar. Throws barbershop::Error with
// the first failure.
void download_weights(Host& host, const std::string& folder, const std::string& url_base);

// The folder chosen in the dialog (`chosen`, may be empty), else
// $BARBERSHOP_WEIGHTS, else ~/.local/share/barbershop/weights.
// Non-interactive calls put $BARBERSHOP_WEIGHTS first, so scripts and tests
// decide for themselves.
std::string weights_folder(bool interactive, const std::string& chosen);

// First use (or the remembered layers are gone): offers the image's other
// layers, in stack order, as hair shape and colour, so the dialog opens on
// three different layers where the image has them.
void suggest_reference_layers(const Host& host, TransferValues& values);

}  // namespace barbershop::plugin
