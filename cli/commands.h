#pragma once
// The sub-commands of `barbershop`; each lives in its own cmd_<name>.cpp.
#include "cli/args.h"

namespace barbershop::cli {

extern const Command generate_command;
extern const Command segment_command;
extern const Command loss_command;
extern const Command transfer_command;
extern const Command align_command;
extern const Command doctor_command;
extern const Command weights_command;

}  // namespace barbershop::cli
