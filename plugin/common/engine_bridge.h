#pragma once
// The plug-in's side of the engine's front door (engine/barbershop.h), used
// by the procedures (plugin/common/procedures.cpp): layers arrive as packed
// 8-bit RGB (Pixels, plugin/common/host.h) and leave the same way; the
// settings are the engine's own TransferOptions, filled from the PDB's
// numbers by options_from (plugin/common/settings.h).
// Errors are barbershop::Error with a message meant for the user.
#include <atomic>
#include <functional>
#include <optional>
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

// What an interactive run adds (plugin/common/host.h, RunWindow): previews
// of the result as it forms and the window's two buttons. The host's thread
// sets the flags while the engine runs on another; the callbacks are called
// on the engine's thread.
struct RunControls {
  // "Stop and keep": the run ends at the next step with the latest
  // composite (shape or colour) as its result; a layer group's run keeps
  // the styles made so far and the one being made, and makes no more.
  std::atomic<bool> stop{false};
  // Nothing is kept: the run throws Cancelled at the next step.
  std::atomic<bool> cancel{false};
  // The composite at the result's size, and what it shows ("colour,
  // blending, step 3 of 400"; a group's run names the style first).
  std::function<void(const Pixels& preview, const std::string& caption)> preview;
  double preview_interval = 1.0;  // seconds, at least, between previews
};

// A transfer's result, and where "Stop and keep" ended it, if it did.
struct TransferOutcome {
  Pixels image;
  std::optional<StepPoint> stopped;
};

// The whole method; the result has the identity layer's size (a photo comes
// back whole, with only its hair changed). Layers, settings and the weights
// folder are checked first, before the networks load, so wrong input fails
// at once. `controls` (may be null): previews, stop and cancel. Throws
// barbershop::Error (Cancelled when cancelled; a stop before the first
// composite is an Error saying there is nothing to keep yet).
TransferOutcome run_transfer(const TransferJob& job, const StageProgress& progress, const Warning& warn,
                             RunControls* controls = nullptr);

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

// How a style ended: its result (and where Stop and keep ended it), or the
// one-line reason it failed.
using StyleDone = std::function<void(size_t style, const Pixels* result, const std::string& error,
                                     const std::optional<StepPoint>& stopped)>;

// Every style of `job`, one after another, through Engine::transfer_each:
// the networks load once and the face is embedded once. Every style's
// inputs are checked before the networks load, so wrong input fails at
// once. The progress stage reads "style k of N: <stage>". A style that
// fails (a shape without a face) fails alone; `done` hears of each style as
// it ends, so a host can show the finished ones before the run is over.
// Throws barbershop::Error for wrong input, Cancelled when cancelled.
// `controls` (may be null): previews, stop (the run then ends normally after
// the style being made) and cancel.
void run_styles(const StylesJob& job, const StageProgress& progress, const Warning& warn, const StyleDone& done,
                RunControls* controls = nullptr);

// The parser's hair region of `face` (a face crop, or a photo whose face is
// found) as white (255) on black, at its size.
Pixels run_hair_mask(const Pixels& face, const TransferOptions& options, const Warning& warn);

// The weights folder's files (weight_files_in), the generator picker's
// choices (generator_files_in) and the Download button
// (download_missing_weights) are the front door's own functions.

}  // namespace barbershop::plugin
