// placeholder: filled in by the engine-foundation work
#include "engine/cli/commands.h"
#include "engine/error.h"

namespace barbershop::cli {
namespace {
int run(const Args&) { throw Error("`barbershop segment` is not built yet"); }
}  // namespace
const Command segment_command{"segment", "usage: barbershop segment (not built yet)\n", {}, {}, &run};
}  // namespace barbershop::cli
