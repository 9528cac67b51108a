#pragma once
// What the plug-in's procedures (plugin/common/procedures.h) need from an
// image editor, in plain types: read layers, add layers, one undo group,
// progress and messages. Each editor implements it in one adapter file
// (plugin/gimp2/gimp_host.cpp, plugin/gimp3/gimp_host.cpp), the tests in
// memory (tests/plugin_memory_host.h); the procedures never name an editor.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace barbershop::plugin {

// The editor's own id of a layer (or of any drawable, such as a channel
// given as a mask); kNoLayer where a call names none.
using LayerId = int32_t;
constexpr LayerId kNoLayer = -1;

// Packed 8-bit RGB rows, top row first; empty when a layer was not given.
struct Pixels {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
  bool empty() const { return rgb.empty(); }
};

// A rectangle in the image's pixels (or in a layer's, once moved by its
// offsets).
struct Area {
  int x = 0, y = 0, width = 0, height = 0;
};

// Where a layer's top-left pixel lies in its image.
struct Offsets {
  int x = 0, y = 0;
};

// The plug-in's own progress window of an interactive run: the stage, a
// bar, the latest preview of the result and two buttons, "Stop and keep"
// and "Cancel". Called on the editor's main thread only; the procedures run
// the engine on a worker thread meanwhile and call pump_events() until it
// ends.
class RunWindow {
 public:
  virtual ~RunWindow() = default;
  // The stage (already translated) and how far it is, in [0, 1].
  virtual void show_stage(const std::string& text, double fraction) = 0;
  // The latest composite, scaled to fit, with a line saying what it shows.
  virtual void show_preview(const Pixels& preview, const std::string& caption) = 0;
  virtual bool stop_pressed() const = 0;
  // Cancel, or the window closed.
  virtual bool cancel_pressed() const = 0;
  // Draws and takes clicks, waiting a short while (tens of milliseconds)
  // so that the caller's loop does not spin.
  virtual void pump_events() = 0;
  // The shortest time between previews, in seconds: each costs a generator
  // forward and a copy.
  virtual double preview_interval() const { return 1.0; }
};

// The editor with the image a procedure was called on.
class Host {
 public:
  virtual ~Host() = default;

  // Reading. A drawable: a layer, a group or a channel of an open image.
  virtual bool is_drawable(LayerId id) const = 0;
  // A layer or a group (not a channel, not a layer mask).
  virtual bool is_layer(LayerId id) const = 0;
  // Any drawable (grey, RGBA, indexed) as 8-bit RGB, its alpha dropped; a
  // group gives its composite. Call only for a drawable.
  virtual Pixels pixels(LayerId id) const = 0;
  virtual std::string name(LayerId id) const = 0;
  virtual Offsets offsets(LayerId id) const = 0;
  // A group's layers, top to bottom as the Layers dialog lists them (a
  // group inside counts as one layer); nothing when `id` is not a group.
  virtual std::optional<std::vector<LayerId>> group_layers(LayerId id) const = 0;
  // The image's top-level layers, top to bottom.
  virtual std::vector<LayerId> image_layers() const = 0;
  // The selection's bounds in image pixels; nothing without a selection.
  virtual std::optional<Area> selection_bounds() const = 0;

  // Changing the image: call between begin_undo_group() and
  // end_undo_group(), so that one Ctrl+Z takes back the whole call.
  // `pixels` as a new layer named `name` at `at`, directly above `below`
  // in below's parent. Returns the new layer.
  virtual LayerId insert_layer_above(LayerId below, const Pixels& pixels, const std::string& name, Offsets at) = 0;
  // A new, empty group named `name` directly above `below`.
  virtual LayerId insert_group_above(LayerId below, const std::string& name) = 0;
  // `pixels` as a new layer at `position` (0: the top) inside `group`.
  virtual LayerId insert_layer_into(LayerId group, int position, const Pixels& pixels, const std::string& name,
                                    Offsets at) = 0;
  virtual void begin_undo_group() = 0;
  virtual void end_undo_group() = 0;
  // Draws what changed so far in the editor's windows.
  virtual void show_changes() = 0;

  // Telling the user. A progress bar is started with a title, then shows a
  // text (the stage) and a fraction in [0, 1].
  virtual void progress_start(const std::string& title) = 0;
  virtual void progress_text(const std::string& text) = 0;
  virtual void progress_fraction(double fraction) = 0;
  virtual void message(const std::string& text) = 0;
  // The plug-in's progress window (RunWindow) titled `title`, open until
  // the returned object goes; nullptr where there is none (a script's
  // non-interactive call), and then progress_* is used.
  virtual std::unique_ptr<RunWindow> open_run_window(const std::string& title) = 0;
};

}  // namespace barbershop::plugin
