#pragma once
// The sub-commands of `barbershop`; each lives in its own cmd_<name>.cpp.
#include <string>

#include "engine/command_line.h"
#include "engine/error.h"

namespace barbershop::cli {

extern const Command generate_command;
extern const Command segment_command;
extern const Command loss_command;
extern const Command transfer_command;
extern const Command align_command;
extern const Command doctor_command;
extern const Command weights_command;
extern const Command batch_command;

// An engine error's message with the flag that fixes it (main.cpp).
std::string with_hint(const Error& error);

}  // namespace barbershop::cli
