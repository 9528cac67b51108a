#pragma once
// GIMP 3 as the plug-in's Host (plugin/common/host.h), in gimp_host.cpp:
// layer ids are GIMP 3's item ids (gimp_item_get_id). In the GIMP 3 build
// libgimp is called there, in plugin/common/gimp_shared.*, in dialog.cpp
// and in main.cpp (the GimpPlugIn and its procedures' arguments).
#include <libgimp/gimp.h>

#include <memory>

#include "plugin/common/host.h"

namespace barbershop::plugin {

// The host for a procedure called on `image` (null: none, for the download);
// `interactive`: runs show the plug-in's progress window
// (plugin/common/progress_window.h) instead of GIMP's progress bar.
std::unique_ptr<Host> gimp_host(GimpImage* image, bool interactive = false);

// The drawable's id, or kNoLayer for none.
LayerId id_of(GimpDrawable* drawable);

}  // namespace barbershop::plugin
