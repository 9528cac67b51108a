#pragma once
// A transfer's choices as the PDB's numbers: what plug-in-barbershop is
// called with (plugin/common/procedures.h), and what the GIMP 2.10 host
// remembers for its dialog and RUN_WITH_LAST_VALS (plugin/gimp2/main.cpp
// stores and reads them; plugin/common/settings.h maps them to the engine's
// TransferOptions). GIMP 3 remembers its procedure's arguments itself.
#include <array>
#include <cstdint>

#include "plugin/common/host.h"

namespace barbershop::plugin {

// The choices' names in PDB order: GIMP 2.10 passes the index, GIMP 3 the
// name ("paper", "realistic").
constexpr const char* kPresetNames[] = {"paper", "fast"};
constexpr const char* kModeNames[] = {"realistic", "fidelity"};

// Plain data: GIMP 2.10 stores it as bytes.
struct TransferValues {
  LayerId identity = kNoLayer, structure = kNoLayer, appearance = kNoLayer;
  LayerId identity_mask = kNoLayer, structure_mask = kNoLayer, appearance_mask = kNoLayer, target_mask = kNoLayer;
  int32_t preset = 0;  // 0 paper, 1 fast
  int32_t mode = 0;    // 0 realistic, 1 fidelity
  int32_t smooth = 5;
  int32_t seed = 0;    // 0: stored noise; 1 and more: random noise from it (kSeedBlurb)

  // The layers after the face, in PDB order (kLayerArguments,
  // plugin/common/descriptions.h): shape, colour and the four masks.
  std::array<LayerId*, 6> layer_arguments() {
    return {&structure, &appearance, &identity_mask, &structure_mask, &appearance_mask, &target_mask};
  }
};

}  // namespace barbershop::plugin
