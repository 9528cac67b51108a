// placeholder: filled in by the engine-foundation work
#include "engine/cli/commands.h"
#include "engine/error.h"

namespace barbershop::cli {
namespace {
int run(const Args&) { throw Error("`barbershop generate` is not built yet"); }
}  // namespace
const Command generate_command{"generate", "usage: barbershop generate (not built yet)\n", {}, {}, &run};
}  // namespace barbershop::cli
