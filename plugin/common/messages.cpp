#include "plugin/common/messages.h"

#include "engine/error.h"
#include "plugin/common/i18n.h"

namespace barbershop::plugin {
namespace {

// The first line of an exception's text: LibTorch appends stack traces.
std::string first_line(const std::exception& error) {
  const std::string text = error.what();
  return text.substr(0, text.find('\n'));
}

// Where in GIMP the user changes an engine setting (Error::setting()), as
// the hint the plug-in adds to the engine's host-neutral message.
std::string hint_for(const std::string& setting) {
  if (setting == "weights_dir") return _("Choose the folder that holds them in the dialog's Weights folder field.");
  if (setting == "device") return _("To compute on the CPU, start GIMP with CUDA_VISIBLE_DEVICES set empty.");
  if (setting == "smooth") return _("Change the dialog's Smooth field.");
  if (setting == "generator") return _("Put a smaller generator into the weights folder as ffhq.pt.");
  if (setting == "face_index" || setting == "align") return _("Select the face on the face layer.");
  return "";
}

}  // namespace

std::string message_of(const std::exception& error) {
  std::string message = first_line(error);
  if (const auto* engine_error = dynamic_cast<const Error*>(&error)) {
    const std::string hint = hint_for(engine_error->setting());
    if (!hint.empty()) message += " " + hint;
  }
  return message;
}

}  // namespace barbershop::plugin
