#include "plugin/common/procedures.h"

#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "plugin/common/engine_bridge.h"
#include "plugin/common/i18n.h"
#include "plugin/common/progress_bar.h"
#include "plugin/common/settings.h"
#include "plugin/common/styles.h"
#include "plugin/common/worker.h"

namespace barbershop::plugin {
namespace {

// One undo group for everything done to the image while it lives. Should
// the plug-in end while one is open (a cancel), GIMP closes it: what was
// added so far stays, still as one step.
class UndoGroup {
 public:
  explicit UndoGroup(Host& host) : host_(host) { host_.begin_undo_group(); }
  ~UndoGroup() { host_.end_undo_group(); }
  UndoGroup(const UndoGroup&) = delete;
  UndoGroup& operator=(const UndoGroup&) = delete;

 private:
  Host& host_;
};

// Throws barbershop::Error with `missing_message` when `layer` is none or
// no longer a drawable of an open image.
Pixels read_layer(const Host& host, LayerId layer, const char* missing_message) {
  if (layer == kNoLayer || !host.is_drawable(layer)) throw Error(missing_message);
  return host.pixels(layer);
}

Pixels optional_mask(const Host& host, LayerId layer) {
  return layer == kNoLayer ? Pixels()
                           : read_layer(host, layer, _("A hair mask layer no longer exists; choose another."));
}

std::vector<Pixels> read_layers(const Host& host, const std::vector<LayerId>& layers, const char* missing_message) {
  std::vector<Pixels> pixels;
  for (const LayerId layer : layers) pixels.push_back(read_layer(host, layer, missing_message));
  return pixels;
}

// A role's layers: the group's, or the one layer itself.
std::vector<LayerId> role_layers(const Host& host, LayerId layer) {
  return host.group_layers(layer).value_or(std::vector<LayerId>{layer});
}

RoleLayers role_of(const Host& host, LayerId layer) {
  const std::optional<std::vector<LayerId>> layers = layer == kNoLayer ? std::nullopt : host.group_layers(layer);
  return layers ? RoleLayers{layers->size(), true} : RoleLayers{};
}

// The call's settings; options.face_area: the selection, in the face
// layer's pixels.
TransferOptions options_of(const Host& host, const TransferCall& call) {
  TransferOptions options = options_from(call.values, call.weights);
  // The dialog's generator names a file in the weights folder.
  if (!call.generator.empty()) options.generator = options.weights_dir + "/" + call.generator;
  options.time_limit = call.time_limit;
  if (const std::optional<Area> area = host.selection_bounds()) {
    const Offsets face = host.offsets(call.values.identity);
    const double left = area->x - face.x, top = area->y - face.y;
    options.face_area = PixelBox{left, top, left + area->width, top + area->height};
  }
  return options;
}

Pixels read_face(const Host& host, const TransferValues& values) {
  return read_layer(host, values.identity, _("Choose a face (identity) layer."));
}

// "<name> (stopped at <stage> k/N)" for a result that "Stop and keep" or
// the time limit ended early; else `name`.
std::string kept_layer_name(const std::string& name, const std::optional<StepPoint>& stopped) {
  if (!stopped) return name;
  return name + " (" + _("stopped at") + " " + stopped->stage + " " + std::to_string(stopped->step) + "/" +
         std::to_string(stopped->total) + ")";
}

// What the engine's thread hands to the editor's main thread, which alone
// talks to the editor: the latest stage, the latest preview, and editor
// work (a warning, a finished style's layer).
class Mailbox {
 public:
  void stage(const std::string& text, double fraction) {
    const std::lock_guard<std::mutex> lock(mutex_);
    stage_ = {text, fraction};
  }
  void preview(const Pixels& pixels, const std::string& caption) {
    const std::lock_guard<std::mutex> lock(mutex_);
    preview_ = {pixels, caption};
  }
  void post(std::function<void()> task) {
    const std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  // Main thread: shows and does what came.
  void deliver(RunWindow& window) {
    std::optional<std::pair<std::string, double>> stage;
    std::optional<std::pair<Pixels, std::string>> preview;
    std::vector<std::function<void()>> tasks;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stage.swap(stage_);
      preview.swap(preview_);
      tasks.swap(tasks_);
    }
    if (stage) window.show_stage(stage->first, stage->second);
    if (preview) window.show_preview(preview->first, preview->second);
    for (const auto& task : tasks) task();
  }

 private:
  std::mutex mutex_;
  std::optional<std::pair<std::string, double>> stage_;
  std::optional<std::pair<Pixels, std::string>> preview_;
  std::vector<std::function<void()>> tasks_;
};

// How the engine's work reports: its stage, its warnings, and editor work,
// which `on_main` runs on the editor's thread; `controls` with a window.
struct EngineTalk {
  StageProgress progress;
  Warning warn;
  std::function<void(std::function<void()>)> on_main;
  RunControls* controls = nullptr;
};

// Runs `work` on a worker thread while this thread, the editor's, keeps
// `window` going until it ends: stages, previews and editor work are handed
// over as they come, the buttons set the controls' flags. Rethrows what
// `work` threw. Should editor work fail here, the engine is cancelled and
// waited for (the Worker's end).
void run_watched(RunWindow& window, RunControls& controls, Mailbox& mailbox, const std::function<void()>& work) {
  Worker worker([&controls] { controls.cancel = true; });
  worker.start(work);
  bool finished = false;
  while (!finished) {
    window.pump_events();
    if (window.stop_pressed()) controls.stop = true;
    if (window.cancel_pressed()) controls.cancel = true;
    finished = worker.finished();  // before delivering: all the work sent is then in this delivery
    mailbox.deliver(window);
  }
  if (const std::exception_ptr error = worker.join()) std::rethrow_exception(error);
}

// Runs the engine's `work`: with the plug-in's window where the host has
// one (the engine on a worker thread, previews shown, Stop and Cancel
// heard), else here with the editor's progress bar. `title` names the first
// stage.
void run_engine(Host& host, const std::string& title, const std::function<void(const EngineTalk&)>& work) {
  const Warning message = [&host](const std::string& text) { host.message(text); };
  const std::unique_ptr<RunWindow> window = host.open_run_window(_("Barbershop"));
  if (!window) {
    ProgressBar progress_bar(host, title);
    work({std::ref(progress_bar), message, [](const std::function<void()>& task) { task(); }, nullptr});
    return;
  }
  Mailbox mailbox;
  RunControls controls;
  controls.preview_interval = window->preview_interval();
  controls.preview = [&mailbox](const Pixels& pixels, const std::string& caption) {
    mailbox.preview(pixels, caption);
  };
  const EngineTalk talk{
      [&mailbox](const std::string& stage, double fraction) {
        mailbox.stage(std::string(_("Barbershop")) + ": " + stage, fraction);
      },
      [&mailbox, message](const std::string& text) { mailbox.post([message, text] { message(text); }); },
      [&mailbox](std::function<void()> task) { mailbox.post(std::move(task)); }, &controls};
  window->show_stage(title, 0);
  run_watched(*window, controls, mailbox, [&] { work(talk); });
}

LayerId transfer_one(Host& host, const TransferValues& values, const TransferOptions& options) {
  TransferJob job;
  job.identity = read_face(host, values);
  job.structure = read_layer(host, values.structure, _("Choose a hair shape (structure) layer."));
  job.appearance = read_layer(host, values.appearance, _("Choose a hair colour (appearance) layer."));
  job.identity_mask = optional_mask(host, values.identity_mask);
  job.structure_mask = optional_mask(host, values.structure_mask);
  job.appearance_mask = optional_mask(host, values.appearance_mask);
  job.target_mask = optional_mask(host, values.target_mask);
  job.options = options;
  TransferOutcome result;
  run_engine(host, _("Barbershop: loading the networks"), [&](const EngineTalk& talk) {
    result = run_transfer(job, talk.progress, talk.warn, talk.controls);
  });
  const std::string name =
      transfer_layer_name(host.name(values.identity), host.name(values.structure), host.name(values.appearance));
  const UndoGroup undo_group(host);
  return host.insert_layer_above(values.identity, result.image, kept_layer_name(name, result.stopped),
                                 host.offsets(values.identity));
}

// The hair shape and/or colour is a layer group: one transfer per style, the
// face embedded once. Each result joins a new group above the face as it
// finishes, all in one undo group; the image is untouched until the first
// result. Returns the result group.
LayerId transfer_styles(Host& host, const TransferValues& values, const TransferOptions& options) {
  const std::vector<LayerId> structures = role_layers(host, values.structure);
  const std::vector<LayerId> appearances = role_layers(host, values.appearance);
  StylesJob job;
  job.styles = pair_styles(role_of(host, values.structure), role_of(host, values.appearance),
                           values.structure_mask != kNoLayer, values.appearance_mask != kNoLayer);
  job.identity = read_face(host, values);
  job.structures = read_layers(host, structures, _("Choose a hair shape (structure) layer."));
  job.appearances = read_layers(host, appearances, _("Choose a hair colour (appearance) layer."));
  job.identity_mask = optional_mask(host, values.identity_mask);
  job.structure_mask = optional_mask(host, values.structure_mask);
  job.appearance_mask = optional_mask(host, values.appearance_mask);
  job.target_mask = optional_mask(host, values.target_mask);
  job.options = options;

  const std::string face = host.name(values.identity);
  const Offsets at = host.offsets(values.identity);
  std::optional<UndoGroup> undo_group;  // opened with the first result
  LayerId group = kNoLayer;
  int kept = 0;
  std::string first_error;
  // On the editor's thread, as each style ends.
  const auto add_style = [&](size_t k, const Pixels& result, const std::optional<StepPoint>& stopped) {
    if (group == kNoLayer) {
      undo_group.emplace(host);
      group = host.insert_group_above(values.identity, styles_group_name(face, job.styles.size()));
    }
    const StylePair& style = job.styles[k];
    const std::string name = transfer_layer_name(face, host.name(structures[style.structure]),
                                                 host.name(appearances[style.appearance]));
    host.insert_layer_into(group, kept++, result, kept_layer_name(name, stopped), at);
    host.show_changes();
  };
  const auto note_failure = [&](size_t k, const std::string& error) {
    if (first_error.empty()) first_error = error;
    host.message(style_progress_text(k + 1, job.styles.size()) + ": " + error);
  };
  run_engine(host, _("Barbershop: loading the networks"), [&](const EngineTalk& talk) {
    run_styles(
        job, talk.progress, talk.warn,
        [&](size_t k, const Pixels* result, const std::string& error, const std::optional<StepPoint>& stopped) {
          if (result)
            talk.on_main([&add_style, k, pixels = *result, stopped] { add_style(k, pixels, stopped); });
          else
            talk.on_main([&note_failure, k, error] { note_failure(k, error); });
        },
        talk.controls);
  });
  if (group == kNoLayer) throw Error(first_error);
  return group;
}

}  // namespace

bool is_cancel(const std::exception& error) { return dynamic_cast<const Cancelled*>(&error) != nullptr; }

void require_face_layer(const Host& host, LayerId face) {
  if (face == kNoLayer || !host.is_layer(face)) throw Error(_("The face (identity) must be a layer."));
}

LayerId transfer(Host& host, const TransferCall& call) {
  require_face_layer(host, call.values.identity);
  const TransferOptions options = options_of(host, call);
  if (role_of(host, call.values.structure).group || role_of(host, call.values.appearance).group)
    return transfer_styles(host, call.values, options);
  return transfer_one(host, call.values, options);
}

LayerId hair_mask(Host& host, LayerId face, const std::string& weights) {
  const char* missing = _("Choose a face layer for the hair mask.");
  if (face == kNoLayer || !host.is_layer(face)) throw Error(missing);
  const Pixels pixels = read_layer(host, face, missing);
  host.progress_start(_("Barbershop: finding the hair"));
  TransferOptions options;
  options.weights_dir = weights;
  const Pixels mask = run_hair_mask(pixels, options, [&](const std::string& warning) { host.message(warning); });
  const UndoGroup undo_group(host);
  return host.insert_layer_above(face, mask, hair_mask_layer_name(host.name(face)), host.offsets(face));
}

void download_weights(Host& host, const std::string& folder, const std::string& url_base) {
  ProgressBar progress_bar(host, _("Barbershop: downloading the weights"));
  const DownloadSummary summary =
      download_missing_weights(folder, url_base, [&](const std::string& file, double fraction) {
        progress_bar(file, fraction < 0 ? 0.0 : fraction);
        return true;
      });
  if (!summary.failures.empty()) throw Error(summary.failures.front());
}

std::string weights_folder(bool interactive, const std::string& chosen) {
  const char* environment = std::getenv("BARBERSHOP_WEIGHTS");
  const bool from_environment = environment && *environment;
  if (!interactive && from_environment) return environment;
  return chosen.empty() ? default_weights_dir() : chosen;
}

void suggest_reference_layers(const Host& host, TransferValues& values) {
  std::vector<LayerId> others;
  for (const LayerId layer : host.image_layers())
    if (layer != values.identity) others.push_back(layer);
  auto usable = [&](LayerId layer) { return layer != kNoLayer && host.is_drawable(layer); };
  if (!usable(values.structure)) values.structure = others.empty() ? values.identity : others[0];
  if (!usable(values.appearance)) values.appearance = others.size() < 2 ? values.structure : others[1];
}

}  // namespace barbershop::plugin
