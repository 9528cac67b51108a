#pragma once
// The plug-in's side of the engine's front door (engine/barbershop.h), used
// by the procedures (plugin/common/procedures.cpp): layers arrive as packed
// 8-bit RGB (Pixels, plugin/common/host.h) and leave the same way; the
// settings are the engine's own TransferOptions, filled from the PDB's
// numbers by options_from (plugin/common/settings.h).
// Errors are barbershop::Error with a message meant for the user.
#include <functional>
#include <string>
#include <vector>

#include "engine/barbershop.h"
#include "plugin/common/host.h"
#include "plugin/common/styles.h"

namespace barbershop::plugin {

struct TransferJob {
  // Ordinary photos or aligned face crops: faces are found and aligned where
  // needed, and the result is pasted back into the identity photo.
  Pixels identity, structure, appearance;
  // Optional hair masks (hair where the first channel is >= 128).
  Pixels identity_mask, structure_mask, appearance_mask, target_mask;
  // options.face_area: the selection on the identity layer, if any; of
  // several faces, the one inside it is used.
  TransferOptions options;
};

// Called for every optimisation step: the engine's stage name and how far
// that stage is, in [0, 1].
using StageProgress = std::function<void(const std::string& stage, double fraction)>;
using Warning = std::function<void(const std::string& message)>;

// The whole method; the result has the identity layer's size (a photo comes
// back whole, with only its hair changed). Layers, settings and the weights
// folder are checked first, before the networks load, so wrong input fails
// at once. Throws barbershop::Error.
Pixels run_transfer(const TransferJob& job, const StageProgress& progress, const Warning& warn);

// One face with many hair shapes and/or colours (plugin/common/styles.h):
// style k takes structures[styles[k].structure] and
// appearances[styles[k].appearance]; the face and its masks serve them all.
struct StylesJob {
  Pixels identity, identity_mask, target_mask;
  std::vector<Pixels> structures, appearances;
  Pixels structure_mask, appearance_mask;  // only beside a single layer
  std::vector<StylePair> styles;
  TransferOptions options;
};

// How a style ended: its result, or the one-line reason it failed.
using StyleDone = std::function<void(size_t style, const Pixels* result, const std::string& error)>;

// Every style of `job`, one after another, through Engine::transfer_each:
// the networks load once and the face is embedded once. Every style's
// inputs are checked before the networks load, so wrong input fails at
// once. The progress stage reads "style k of N: <stage>". A style that
// fails (a shape without a face) fails alone; `done` hears of each style as
// it ends, so a host can show the finished ones before the run is over.
// Throws barbershop::Error for wrong input, Cancelled when cancelled.
void run_styles(const StylesJob& job, const StageProgress& progress, const Warning& warn, const StyleDone& done);

// The parser's hair region of `face` (a face crop, or a photo whose face is
// found) as white (255) on black, at its size.
Pixels run_hair_mask(const Pixels& face, const TransferOptions& options, const Warning& warn);

// The weights folder's files (weight_files_in), the generator picker's
// choices (generator_files_in) and the Download button
// (download_missing_weights) are the front door's own functions.

}  // namespace barbershop::plugin
