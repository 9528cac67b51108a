#pragma once
// The editor's progress bar (Host::progress_*): the stage name as its text,
// the stage's fraction as its value. Cancelling there ends the plug-in
// before any change to the image.
#include <string>

#include "plugin/common/host.h"

namespace barbershop::plugin {

class ProgressBar {
 public:
  ProgressBar(Host& host, const std::string& title);
  void operator()(const std::string& stage, double fraction);

 private:
  Host& host_;
  std::string stage_;
  int shown_percent_ = -1;
};

}  // namespace barbershop::plugin
