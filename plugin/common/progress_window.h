#pragma once
// The plug-in's own progress window (RunWindow, plugin/common/host.h) in
// plain GTK, written once: GTK 2 in the GIMP 2.10 build, GTK 3 in the
// GIMP 3 build. Non-modal: the stage, a bar, the latest preview scaled to
// fit, and "Stop and keep" and "Cancel" (closing the window cancels too).
// Each adapter opens it for interactive runs, after gimp_ui_init.
#include <memory>
#include <string>

#include "plugin/common/host.h"

namespace barbershop::plugin {

std::unique_ptr<RunWindow> open_progress_window(const std::string& title);

}  // namespace barbershop::plugin
