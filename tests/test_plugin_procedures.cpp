// The plug-in's procedures (plugin/common/procedures.h), written once for
// GIMP 2.10 and GIMP 3, run against an image in memory
// (tests/plugin_memory_host.h) with the pipeline fixture's random 64-px
// weights and tiny step counts: wrong input is refused before any change;
// a transfer adds one layer right above the face, at its offsets, in one
// undo group, with the pixels the engine's front door gives for the same
// layers; a group of shapes gives one result group with a layer per style;
// the hair mask adds one black and white layer; the layer suggestions and
// the weights folder's order of choice. With a run window (a scripted one
// that presses its buttons): previews at the result's size, "Stop and keep"
// adds the last preview as one layer named "... (stopped at ...)", a layer
// group's run stops after the style being made, "Cancel" adds nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "engine/barbershop.h"
#include "engine/error.h"
#include "engine/io/image.h"
#include "engine/ops/lanczos.h"
#include "plugin/common/procedures.h"
#include "plugin/common/settings.h"
#include "tests/plugin_memory_host.h"

namespace barbershop::plugin {
namespace {

const std::string kWeights = std::string(BARBERSHOP_FIXTURE_DIR) + "/pipeline/weights";
const std::string kFaces = std::string(BARBERSHOP_TEST_DATA) + "/faces/";
constexpr int kSize = 64;  // the random generator's

// Tiny step counts, set before any engine opens, as test_previews runs them:
// two FS steps and four blending steps, so that the colour layer shows in
// the result; and an embedding cache of this test's own.
class TinyRuns : public ::testing::Environment {
 public:
  void SetUp() override {
    setenv("BARBERSHOP_STEPS", "w=1,fs=2,mask=1,align1=1,align2=1,blend=4", 1);
    setenv("BARBERSHOP_PCA_SAMPLES", "2000", 1);
    cache_ = std::filesystem::temp_directory_path() / ("plugin-procedures-" + std::to_string(getpid()));
    setenv("XDG_CACHE_HOME", cache_.c_str(), 1);
  }
  void TearDown() override { std::filesystem::remove_all(cache_); }

 private:
  std::filesystem::path cache_;
};
const auto* const kTinyRuns = ::testing::AddGlobalTestEnvironment(new TinyRuns);

Pixels face(const std::string& name) {
  const at::Tensor image = lanczos_resize(read_image(kFaces + name + ".png").unsqueeze(0), kSize, kSize)[0];
  return {kSize, kSize, rgb8_from_image(image)};
}

Pixels grey(int width, int height) { return {width, height, std::vector<uint8_t>(size_t(width) * height * 3, 128)}; }

// The three sample faces as layers "15", "16" (the face, moved off the
// origin) and "117", top to bottom.
struct FacesImage {
  MemoryHost host;
  LayerId structure = host.add_layer("15", face("15"));
  LayerId identity = host.add_layer("16", face("16"), {7, 5});
  LayerId appearance = host.add_layer("117", face("117"));

  TransferCall call() const {
    TransferCall call;
    call.values.identity = identity;
    call.values.structure = structure;
    call.values.appearance = appearance;
    call.weights = kWeights;
    return call;
  }
};

std::string refusal(MemoryHost& host, const TransferCall& call) {
  try {
    transfer(host, call);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// Nothing changed: no layer added, no undo group opened.
void expect_untouched(const MemoryHost& host, size_t items_before) {
  EXPECT_EQ(host.item_count(), items_before);
  EXPECT_EQ(host.undo_groups, 0);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(PluginProcedures, AFaceThatIsNoLayerIsRefused) {
  FacesImage image;
  TransferCall call = image.call();
  call.values.identity = image.host.add_channel("a channel", face("16"));
  const size_t before = image.host.item_count();
  EXPECT_TRUE(contains(refusal(image.host, call), "face (identity) must be a layer"));
  call.values.identity = kNoLayer;
  EXPECT_TRUE(contains(refusal(image.host, call), "face (identity) must be a layer"));
  expect_untouched(image.host, before);
}

TEST(PluginProcedures, AMissingOrDeletedRoleLayerIsNamedBeforeAnyChange) {
  FacesImage image;
  TransferCall call = image.call();
  call.values.structure = kNoLayer;
  const size_t before = image.host.item_count();
  EXPECT_TRUE(contains(refusal(image.host, call), "Choose a hair shape (structure) layer"));
  call = image.call();
  const LayerId gone = image.host.add_layer("gone", face("15"));
  image.host.remove(gone);
  call.values.appearance = gone;
  EXPECT_TRUE(contains(refusal(image.host, call), "Choose a hair colour (appearance) layer"));
  call = image.call();
  call.values.target_mask = gone;
  EXPECT_TRUE(contains(refusal(image.host, call), "hair mask layer no longer exists"));
  expect_untouched(image.host, before);
}

TEST(PluginProcedures, GroupsOfDifferentLengthsAreRefusedBeforeAnyChange) {
  FacesImage image;
  const LayerId shapes = image.host.add_group("shapes");
  for (const char* name : {"15", "117", "16"}) image.host.add_layer(name, face(name), {}, shapes);
  const LayerId colours = image.host.add_group("colours");
  for (const char* name : {"15", "117"}) image.host.add_layer(name, face(name), {}, colours);
  TransferCall call = image.call();
  call.values.structure = shapes;
  call.values.appearance = colours;
  const size_t before = image.host.item_count();
  EXPECT_TRUE(contains(refusal(image.host, call), "group has 3 layers and the hair colour group 2"));
  expect_untouched(image.host, before);
}

TEST(PluginProcedures, AWrongSizeOrAMissingWeightsFolderIsRefusedBeforeAnyChange) {
  FacesImage image;
  TransferCall call = image.call();
  call.values.structure = image.host.add_layer("dot", grey(1, 1));
  const size_t before = image.host.item_count();
  EXPECT_FALSE(refusal(image.host, call).empty());
  call = image.call();
  call.weights = "/nonexistent/barbershop-weights";
  EXPECT_TRUE(contains(refusal(image.host, call), "/nonexistent/barbershop-weights"));
  expect_untouched(image.host, before);
}

TEST(PluginProcedures, ATransferAddsOneLayerAboveTheFaceWithTheEnginesPixels) {
  FacesImage image;
  // The face inside a group: the result stays beside it, in that group.
  const LayerId group = image.host.add_group("people");
  const LayerId identity = image.host.add_layer("16", face("16"), {7, 5}, group);
  const LayerId below = image.host.add_layer("below", grey(kSize, kSize), {}, group);
  TransferCall call = image.call();
  call.values.identity = identity;
  const LayerId result = transfer(image.host, call);

  EXPECT_EQ(image.host.stack_of(group), (std::vector<LayerId>{result, identity, below}));
  const MemoryHost::Item& added = image.host.item(result);
  EXPECT_EQ(added.name, "Barbershop: 16 + 15/117");
  EXPECT_EQ(added.at.x, 7);
  EXPECT_EQ(added.at.y, 5);
  EXPECT_EQ(image.host.undo_groups, 1);
  EXPECT_EQ(image.host.open_undo_groups, 0);
  EXPECT_EQ(image.host.changes_outside_undo, 0);
  ASSERT_FALSE(image.host.progress_texts.empty());
  for (const std::string& text : image.host.progress_texts) EXPECT_EQ(text.rfind("Barbershop: ", 0), 0u) << text;
  for (const double fraction : image.host.progress_fractions) {
    EXPECT_GE(fraction, 0.0);
    EXPECT_LE(fraction, 1.0);
  }

  // The engine's front door on the same layers, same settings.
  TransferOptions options;
  options.weights_dir = kWeights;
  const auto image_of = [&](LayerId id) {
    const Pixels pixels = image.host.pixels(id);
    return buffer_from_rgb8(pixels.rgb.data(), pixels.height, pixels.width);
  };
  const TransferImages images{image_of(identity), image_of(image.structure), image_of(image.appearance)};
  const std::vector<uint8_t> expected = rgb8_from_buffer(Engine(options).transfer(images, Progress()).image);
  ASSERT_EQ(added.pixels.width, kSize);
  ASSERT_EQ(added.pixels.height, kSize);
  ASSERT_EQ(added.pixels.rgb.size(), expected.size());
  int worst = 0;
  for (size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::abs(added.pixels.rgb[i] - expected[i]));
  EXPECT_LE(worst, 1) << "largest difference from the engine's own result, in 8-bit steps";
}

TEST(PluginProcedures, AGroupOfColoursGivesOneResultGroupWithALayerPerStyle) {
  FacesImage image;
  const LayerId colours = image.host.add_group("colours");
  for (const char* name : {"15", "117"}) image.host.add_layer(name, face(name), {}, colours);
  TransferCall call = image.call();
  call.values.appearance = colours;
  const LayerId group = transfer(image.host, call);

  const std::vector<LayerId>& top = image.host.stack_of(kNoLayer);
  EXPECT_EQ(top, (std::vector<LayerId>{image.structure, group, image.identity, image.appearance, colours}));
  EXPECT_EQ(image.host.item(group).name, "Barbershop: 16 - 2 styles");
  const std::vector<LayerId>& styles = image.host.stack_of(group);
  ASSERT_EQ(styles.size(), 2u);
  EXPECT_EQ(image.host.item(styles[0]).name, "Barbershop: 16 + 15/15");
  EXPECT_EQ(image.host.item(styles[1]).name, "Barbershop: 16 + 15/117");
  for (const LayerId style : styles) {
    EXPECT_EQ(image.host.item(style).at.x, 7);
    EXPECT_EQ(image.host.item(style).at.y, 5);
    EXPECT_EQ(image.host.item(style).pixels.width, kSize);
  }
  // Each style took its own colour layer.
  EXPECT_NE(image.host.item(styles[0]).pixels.rgb, image.host.item(styles[1]).pixels.rgb);
  EXPECT_EQ(image.host.undo_groups, 1);
  EXPECT_EQ(image.host.open_undo_groups, 0);
  EXPECT_EQ(image.host.changes_outside_undo, 0);
  EXPECT_EQ(image.host.shown_changes, 2);  // each result shown as it came
  bool second_style_named = false;
  for (const std::string& text : image.host.progress_texts) second_style_named |= contains(text, "style 2 of 2: ");
  EXPECT_TRUE(second_style_named);
}

TEST(PluginProcedures, TheHairMaskIsOneBlackAndWhiteLayerAboveTheFace) {
  FacesImage image;
  const LayerId mask = hair_mask(image.host, image.identity, kWeights);
  EXPECT_EQ(image.host.stack_of(kNoLayer),
            (std::vector<LayerId>{image.structure, mask, image.identity, image.appearance}));
  const MemoryHost::Item& added = image.host.item(mask);
  EXPECT_EQ(added.name, "Hair mask: 16");
  EXPECT_EQ(added.at.x, 7);
  EXPECT_EQ(added.at.y, 5);
  ASSERT_EQ(added.pixels.rgb.size(), size_t(kSize) * kSize * 3);
  for (const uint8_t value : added.pixels.rgb) ASSERT_TRUE(value == 0 || value == 255) << int(value);
  EXPECT_EQ(image.host.undo_groups, 1);
  EXPECT_EQ(image.host.changes_outside_undo, 0);
  EXPECT_THROW(hair_mask(image.host, image.host.add_channel("c", face("16")), kWeights), Error);
}

TEST(PluginProcedures, TheOtherLayersAreSuggestedInStackOrderAndAChoiceStays) {
  FacesImage image;
  TransferValues values;
  values.identity = image.identity;
  suggest_reference_layers(image.host, values);
  EXPECT_EQ(values.structure, image.structure);
  EXPECT_EQ(values.appearance, image.appearance);
  values.structure = image.appearance;  // chosen before: kept
  values.appearance = kNoLayer;
  suggest_reference_layers(image.host, values);
  EXPECT_EQ(values.structure, image.appearance);
  EXPECT_EQ(values.appearance, image.appearance);  // the second other layer

  MemoryHost alone;
  TransferValues single;
  single.identity = alone.add_layer("only", grey(4, 4));
  suggest_reference_layers(alone, single);
  EXPECT_EQ(single.structure, single.identity);
  EXPECT_EQ(single.appearance, single.identity);
}

TEST(PluginProcedures, ScriptsTakeTheEnvironmentsWeightsFolderAndTheDialogItsOwn) {
  setenv("BARBERSHOP_WEIGHTS", "/from/environment", 1);
  EXPECT_EQ(weights_folder(false, "/chosen"), "/from/environment");
  EXPECT_EQ(weights_folder(true, "/chosen"), "/chosen");
  EXPECT_EQ(weights_folder(true, ""), "/from/environment");  // nothing chosen
  unsetenv("BARBERSHOP_WEIGHTS");
  EXPECT_EQ(weights_folder(false, "/chosen"), "/chosen");
  EXPECT_EQ(weights_folder(false, ""), std::string(std::getenv("HOME")) + "/.local/share/barbershop/weights");
}

// The PDB's seed means what --seed means (noise_of_seed): passed on whole,
// not cut to 32 bits; GIMP 2.10's gint32 can be negative, which is refused
// with the engine's message before any change.
TEST(PluginProcedures, TheSeedIsTheEnginesSeedAndANegativeOneIsRefusedBeforeAnyChange) {
  TransferValues values;
  EXPECT_EQ(options_from(values, kWeights).seed, 0);
  values.seed = 7;
  EXPECT_EQ(options_from(values, kWeights).seed, 7);
  values.seed = 2147483647;
  EXPECT_EQ(options_from(values, kWeights).seed, 2147483647);

  FacesImage image;
  TransferCall call = image.call();
  call.values.seed = -1;
  const size_t before = image.host.item_count();
  const std::string message = refusal(image.host, call);
  EXPECT_TRUE(contains(message, "seed takes 0 (the generator's stored noise) or 1 to 2147483647")) << message;
  EXPECT_TRUE(contains(message, "not -1")) << message;
  expect_untouched(image.host, before);
}

// What a scripted run window saw, and which button it presses when.
struct WindowScript {
  enum Press { kNothing, kStopAfterFirstComposite, kCancelAtFirstStage } press = kNothing;
  std::vector<std::string> titles, stages, captions;
  std::vector<Pixels> previews;
  bool stop = false, cancel = false;
  std::thread::id thread;  // the one it was called on
  bool called_off_thread = false;
};

// A RunWindow whose user presses a button at a scripted moment: Stop once a
// generated composite (shape or colour) has been shown, or Cancel at the
// first stage. Previews come as often as they can.
class ScriptedWindow final : public RunWindow {
 public:
  explicit ScriptedWindow(WindowScript& script) : script_(script) {}
  void show_stage(const std::string& text, double fraction) override {
    on_thread();
    EXPECT_GE(fraction, 0.0);
    EXPECT_LE(fraction, 1.0);
    script_.stages.push_back(text);
    if (script_.press == WindowScript::kCancelAtFirstStage) script_.cancel = true;
  }
  void show_preview(const Pixels& preview, const std::string& caption) override {
    on_thread();
    script_.previews.push_back(preview);
    script_.captions.push_back(caption);
    const bool composite = caption.find("shape, ") != std::string::npos || caption.find("colour, ") != std::string::npos;
    if (script_.press == WindowScript::kStopAfterFirstComposite && composite) script_.stop = true;
  }
  bool stop_pressed() const override { return script_.stop; }
  bool cancel_pressed() const override { return script_.cancel; }
  void pump_events() override {
    on_thread();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double preview_interval() const override { return 0; }

 private:
  void on_thread() { script_.called_off_thread |= std::this_thread::get_id() != script_.thread; }
  WindowScript& script_;
};

void open_scripted_windows(MemoryHost& host, WindowScript& script) {
  script.thread = std::this_thread::get_id();
  host.run_window = [&script](const std::string& title) {
    script.titles.push_back(title);
    return std::make_unique<ScriptedWindow>(script);
  };
}

// Enough blending steps that a stop pressed after the shape preview lands
// inside blending, long before its end.
class LongBlending {
 public:
  LongBlending() : before_(std::getenv("BARBERSHOP_STEPS")) {
    setenv("BARBERSHOP_STEPS", "w=1,fs=2,mask=1,align1=1,align2=1,blend=400", 1);
  }
  ~LongBlending() { setenv("BARBERSHOP_STEPS", before_.c_str(), 1); }

 private:
  std::string before_;
};

int largest_difference(const Pixels& a, const Pixels& b) {
  EXPECT_EQ(a.rgb.size(), b.rgb.size());
  int worst = 0;
  for (size_t i = 0; i < std::min(a.rgb.size(), b.rgb.size()); ++i) worst = std::max(worst, std::abs(a.rgb[i] - b.rgb[i]));
  return worst;
}

// "<name> (stopped at <stage> k/N)" with k < N.
void expect_stopped_name(const std::string& layer, const std::string& name) {
  std::smatch parts;
  const std::regex stopped(R"(^(.*) \(stopped at (.+) (\d+)/(\d+)\)$)");
  ASSERT_TRUE(std::regex_match(layer, parts, stopped)) << layer;
  EXPECT_EQ(parts[1].str(), name);
  EXPECT_LT(std::stoi(parts[3].str()), std::stoi(parts[4].str())) << layer;
}

TEST(PluginProceduresWindow, StopAndKeepAddsTheLastPreviewAsOneLayerNamedWhereItStopped) {
  const LongBlending long_blending;
  FacesImage image;
  WindowScript script;
  script.press = WindowScript::kStopAfterFirstComposite;
  open_scripted_windows(image.host, script);
  const size_t before = image.host.item_count();
  const LayerId result = transfer(image.host, image.call());

  EXPECT_EQ(script.titles.size(), 1u);
  EXPECT_FALSE(script.called_off_thread) << "the window was called from the engine's thread";
  ASSERT_GE(script.previews.size(), 2u);  // the layout, a composite, ...
  EXPECT_EQ(script.captions.front().rfind("layout, ", 0), 0u) << script.captions.front();
  for (const Pixels& preview : script.previews) {
    EXPECT_EQ(preview.width, kSize);
    EXPECT_EQ(preview.height, kSize);
  }
  EXPECT_EQ(image.host.item_count(), before + 1);
  const MemoryHost::Item& added = image.host.item(result);
  expect_stopped_name(added.name, "Barbershop: 16 + 15/117");
  EXPECT_LE(largest_difference(added.pixels, script.previews.back()), 1) << "in 8-bit steps";
  EXPECT_EQ(image.host.undo_groups, 1);
  EXPECT_EQ(image.host.open_undo_groups, 0);
  EXPECT_EQ(image.host.changes_outside_undo, 0);
  EXPECT_TRUE(image.host.progress_titles.empty()) << "the editor's progress bar was used beside the window";
  bool stage_shown = false;
  for (const std::string& stage : script.stages) stage_shown |= contains(stage, "Barbershop: alignment");
  EXPECT_TRUE(stage_shown);
}

TEST(PluginProceduresWindow, CancelAddsNothing) {
  FacesImage image;
  WindowScript script;
  script.press = WindowScript::kCancelAtFirstStage;
  open_scripted_windows(image.host, script);
  const size_t before = image.host.item_count();
  EXPECT_THROW(transfer(image.host, image.call()), Cancelled);
  expect_untouched(image.host, before);
  EXPECT_EQ(script.titles.size(), 1u);
}

TEST(PluginProceduresWindow, AGroupRunShowsEachStyleAndStopsAfterTheOneBeingMade) {
  const LongBlending long_blending;
  FacesImage image;
  const LayerId colours = image.host.add_group("colours");
  for (const char* name : {"15", "117"}) image.host.add_layer(name, face(name), {}, colours);
  WindowScript script;
  script.press = WindowScript::kStopAfterFirstComposite;
  open_scripted_windows(image.host, script);
  TransferCall call = image.call();
  call.values.appearance = colours;
  const LayerId group = transfer(image.host, call);

  ASSERT_FALSE(script.captions.empty());
  for (const std::string& caption : script.captions) EXPECT_EQ(caption.rfind("style 1 of 2: ", 0), 0u) << caption;
  const std::vector<LayerId>& styles = image.host.stack_of(group);
  ASSERT_EQ(styles.size(), 1u);  // the second style was never made
  expect_stopped_name(image.host.item(styles[0]).name, "Barbershop: 16 + 15/15");
  EXPECT_LE(largest_difference(image.host.item(styles[0]).pixels, script.previews.back()), 1);
  EXPECT_EQ(image.host.undo_groups, 1);
  EXPECT_EQ(image.host.open_undo_groups, 0);
  EXPECT_EQ(image.host.changes_outside_undo, 0);
  EXPECT_FALSE(script.called_off_thread);
}

}  // namespace
}  // namespace barbershop::plugin
