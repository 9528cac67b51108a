#include "plugin/common/i18n.h"

#include <glib.h>

#include <string>

namespace barbershop::plugin {

const char* bind_translations(const char* executable) {
  static std::string folder;
  gchar* dir = g_path_get_dirname(executable);
  gchar* beside = g_build_filename(dir, "locale", nullptr);
  folder = g_file_test(beside, G_FILE_TEST_IS_DIR) ? beside : BARBERSHOP_LOCALEDIR;
  g_free(beside);
  g_free(dir);
  bindtextdomain(GETTEXT_PACKAGE, folder.c_str());
  bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
  textdomain(GETTEXT_PACKAGE);
  return folder.c_str();
}

}  // namespace barbershop::plugin
