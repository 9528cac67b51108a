#pragma once
// gettext for the plug-in's own strings (menu labels, dialog, messages). The
// engine's messages stay English: they name files and options verbatim.
#include <glib/gi18n-lib.h>

namespace barbershop::plugin {

// Binds the plug-in's text domain to the `locale` folder beside the
// executable when there is one (a plug-in installed as a folder), else to
// the locale folder of the install prefix. Returns the folder used.
const char* bind_translations(const char* executable);

}  // namespace barbershop::plugin
