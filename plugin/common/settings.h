#pragma once
// The PDB's numbers for a transfer as the engine's settings, and the names
// of the layers the plug-in adds: the same in GIMP 2.10 and GIMP 3, mapped
// here once.
#include <string>

#include "engine/barbershop.h"
#include "plugin/common/remembered.h"

namespace barbershop::plugin {

// Throws barbershop::Error for a preset or mode out of range.
TransferOptions options_from(const TransferValues& values, const std::string& weights);

// "Barbershop: <identity> + <structure>/<appearance>", the layers' names.
std::string transfer_layer_name(const std::string& identity, const std::string& structure,
                                const std::string& appearance);
// "Hair mask: <face>", translated.
std::string hair_mask_layer_name(const std::string& face);

}  // namespace barbershop::plugin
