#pragma once
// GIMP 2.10 as the plug-in's Host (plugin/common/host.h), in gimp_host.cpp:
// layer ids are GIMP 2.10's own item ids. In the GIMP 2.10 build libgimp is
// called there, in plugin/common/gimp_shared.*, in the dialog and in
// main.cpp (the procedure table and the PDB's parameters).
#include <libgimp/gimp.h>

#include <memory>

#include "plugin/common/host.h"

namespace barbershop::plugin {

// The host for a procedure called on `image` (-1: none, for the download);
// `interactive`: runs show the plug-in's progress window
// (plugin/common/progress_window.h) instead of GIMP's progress bar.
std::unique_ptr<Host> gimp_host(gint32 image, bool interactive = false);

}  // namespace barbershop::plugin
