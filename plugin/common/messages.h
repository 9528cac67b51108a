#pragma once
// What the user reads when a call fails: the engine's one-line message with
// the place in GIMP that fixes it (the same fields in both GIMP versions).
#include <exception>
#include <string>

namespace barbershop::plugin {

std::string message_of(const std::exception& error);

}  // namespace barbershop::plugin
