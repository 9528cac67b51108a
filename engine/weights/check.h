#pragma once
// Whether a weights file is what the engine can use: read with the engine's
// own checkpoint reader (no code from the file runs) into the network it is
// for, so every key and shape the engine needs is checked.
#include <string>

#include "engine/weights/catalogue.h"

namespace barbershop::weights {

// Throws barbershop::Error naming `path` and the first problem found (not a
// checkpoint, a missing key, a wrong shape).
void check_weights_file(const std::string& path, Role role);

}  // namespace barbershop::weights
