#pragma once
// GIMP's progress bar: the stage name as its text, the stage's fraction as
// its value. Cancelling there ends the plug-in before any change to the image.
// The one piece of libgimp the two hosts share: its progress calls are the
// same in GIMP 2.10 and GIMP 3, and are compiled against the GIMP in use.
#include <string>

namespace barbershop::plugin {

class ProgressBar {
 public:
  explicit ProgressBar(const std::string& title);
  void operator()(const std::string& stage, double fraction);

 private:
  std::string stage_;
  int shown_percent_ = -1;
};

}  // namespace barbershop::plugin
