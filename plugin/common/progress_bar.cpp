#include "plugin/common/progress_bar.h"

#include "plugin/common/i18n.h"

namespace barbershop::plugin {

ProgressBar::ProgressBar(Host& host, const std::string& title) : host_(host) { host_.progress_start(title); }

void ProgressBar::operator()(const std::string& stage, double fraction) {
  // Each update is a round trip to the editor: send only what changes the
  // display.
  const int percent = static_cast<int>(fraction * 100);
  if (stage != stage_) {
    stage_ = stage;
    host_.progress_text(std::string(_("Barbershop")) + ": " + stage);
  } else if (percent == shown_percent_) {
    return;
  }
  shown_percent_ = percent;
  host_.progress_fraction(fraction);
}

}  // namespace barbershop::plugin
