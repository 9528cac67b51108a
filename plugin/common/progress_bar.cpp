#include "plugin/common/progress_bar.h"

#include <libgimp/gimp.h>

#include "plugin/common/i18n.h"

namespace barbershop::plugin {

ProgressBar::ProgressBar(const std::string& title) { gimp_progress_init(title.c_str()); }

void ProgressBar::operator()(const std::string& stage, double fraction) {
  // Each update is a round trip to GIMP: send only what changes the display.
  const int percent = static_cast<int>(fraction * 100);
  if (stage != stage_) {
    stage_ = stage;
    gimp_progress_set_text_printf("%s: %s", _("Barbershop"), stage.c_str());
  } else if (percent == shown_percent_) {
    return;
  }
  shown_percent_ = percent;
  gimp_progress_update(fraction);
}

}  // namespace barbershop::plugin
