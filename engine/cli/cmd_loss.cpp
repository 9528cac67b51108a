// placeholder: filled in by the engine-foundation work
#include "engine/cli/commands.h"
#include "engine/error.h"

namespace barbershop::cli {
namespace {
int run(const Args&) { throw Error("`barbershop loss` is not built yet"); }
}  // namespace
const Command loss_command{"loss", "usage: barbershop loss (not built yet)\n", {}, {}, &run};
}  // namespace barbershop::cli
