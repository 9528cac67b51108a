#pragma once
// The options of a transfer as `barbershop transfer` and `barbershop batch`
// take them: one list, one parser, one help text.
#include <set>
#include <string>

#include "engine/command_line.h"
#include "engine/barbershop.h"

namespace barbershop::cli {

// The lines of the --help text for the options with_transfer_options adds
// (--no-cache, the one flag, is among them).
extern const char kTransferOptionsHelp[];

// TransferOptions from the command line; throws barbershop::Error for a
// contradiction between flags (the engine's check_options does the rest).
TransferOptions transfer_options_from(const Args& args);

// `names` with the transfer options that take a value (--weights DIR, ...)
// added. A function, so other files' static Commands may call it.
std::set<std::string> with_transfer_options(std::set<std::string> names);

}  // namespace barbershop::cli
