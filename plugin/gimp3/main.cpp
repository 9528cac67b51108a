// The GIMP 3 plug-in: a GimpPlugIn with the procedures plug-in-barbershop
// (Filters ▸ Barbershop ▸ Hair Transfer), plug-in-barbershop-hair-mask and
// plug-in-barbershop-download-weights, with the same arguments as in GIMP
// 2.10 in GIMP 3's types. It reads the chosen layers, runs the engine
// in-process and adds the result as one new layer in one undo group. Nothing
// touches the image until the engine has finished, so a failure or a cancel
// leaves it as it was. A layer group as hair shape or colour runs one
// transfer per layer into a new group, each result added as it finishes.
#include <gegl.h>
#include <libgimp/gimp.h>

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "plugin/packaging/bundled_files.h"
#include "plugin/common/engine_bridge.h"
#include "plugin/common/i18n.h"
#include "plugin/common/messages.h"
#include "plugin/common/procedures.h"
#include "plugin/common/settings.h"
#include "plugin/common/styles.h"
#include "plugin/gimp3/dialog.h"
#include "plugin/gimp3/gimp_host.h"

namespace barbershop::plugin {
namespace {

std::string g_executable;

constexpr const char* kAuthors = "Barbershop for GIMP developers";

// The layer arguments after the image procedure's own run-mode, image and
// drawables (the identity layer), as in GIMP 2.10.
struct LayerArgument {
  const char* name;
  const char* label;
  const char* blurb;
  bool none_ok;
};
const LayerArgument kLayerArguments[] = {
    {"structure", N_("Hair _shape (structure):"),
     "Structure layer: the hair shape; a layer group: one transfer per layer, into a new group", false},
    {"appearance", N_("Hair _colour (appearance):"),
     "Appearance layer: the hair colour and texture; a layer group: one per layer (paired in order with a "
     "structure group of the same length)",
     false},
    {"identity-mask", N_("Face hair mask:"), "Hair mask of the identity layer (white = hair), none: found", true},
    {"structure-mask", N_("Shape hair mask:"), "Hair mask of the structure layer, none: found", true},
    {"appearance-mask", N_("Colour hair mask:"), "Hair mask of the appearance layer, none: found", true},
    {"target-mask", N_("Target hair mask:"), "Hair mask of the result, none: made from the others", true},
};

void set_common_properties(GimpProcedure* procedure, const char* menu_label, const char* blurb, const char* help) {
  gimp_procedure_set_image_types(procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask(procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_menu_label(procedure, menu_label);
  gimp_procedure_add_menu_path(procedure, kMenuPath);
  gimp_procedure_set_documentation(procedure, blurb, help, nullptr);
  gimp_procedure_set_attribution(procedure, kAuthors, kAuthors, "2026");
  gchar* dir = g_path_get_dirname(g_executable.c_str());
  gchar* icon = g_build_filename(dir, kIconFile, nullptr);
  if (g_file_test(icon, G_FILE_TEST_EXISTS)) {
    GFile* file = g_file_new_for_path(icon);
    gimp_procedure_set_icon_file(procedure, file);
    g_object_unref(file);
  }
  g_free(icon);
  g_free(dir);
  gimp_procedure_add_layer_return_value(procedure, "layer", "Layer", "The new layer", FALSE, G_PARAM_READWRITE);
}

GimpValueArray* run_transfer_procedure(GimpProcedure*, GimpRunMode, GimpImage*, GimpDrawable**,
                                       GimpProcedureConfig*, gpointer);
GimpValueArray* run_hair_mask_procedure(GimpProcedure*, GimpRunMode, GimpImage*, GimpDrawable**,
                                        GimpProcedureConfig*, gpointer);
GimpValueArray* run_download_procedure(GimpProcedure*, GimpProcedureConfig*, gpointer);

GimpProcedure* transfer_procedure(GimpPlugIn* plug_in) {
  GimpProcedure* procedure = gimp_image_procedure_new(plug_in, kTransferProcedure, GIMP_PDB_PROC_TYPE_PLUGIN,
                                                      run_transfer_procedure, nullptr, nullptr);
  set_common_properties(
      procedure, _("_Hair Transfer..."), _("Give a face the hair shape of one layer and the hair colour of another"),
      "Barbershop (Zhu et al. 2021): the face of the identity layer (the image procedure's drawable) with the hair "
      "shape of the structure layer and the hair colour and texture of the appearance layer, as a new layer. Layers "
      "are photos with a face (the selection picks one of several) or aligned face crops; the face is aligned for "
      "the method and the result pasted back, so only the hair changes. Weights: $BARBERSHOP_WEIGHTS or "
      "~/.local/share/barbershop/weights.");
  for (const LayerArgument& argument : kLayerArguments)
    gimp_procedure_add_drawable_argument(procedure, argument.name, _(argument.label), argument.blurb,
                                         argument.none_ok, G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument(
      procedure, "preset", _("_Quality:"), "Step counts: paper or fast",
      gimp_choice_new_with_values(kPresetNames[0], 0, _("Paper (best, slow)"), nullptr, kPresetNames[1], 1,
                                  _("Fast (preview)"), nullptr, nullptr),
      kPresetNames[0], G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument(
      procedure, "mode", _("_Mode:"), "Target mask: realistic or fidelity",
      gimp_choice_new_with_values(kModeNames[0], 0, _("Realistic"), nullptr, kModeNames[1], 1, _("Fidelity"), nullptr,
                                  nullptr),
      kModeNames[0], G_PARAM_READWRITE);
  const TransferValues defaults;
  gimp_procedure_add_int_argument(procedure, "smooth", _("Smoot_h:"), "Dilation/erosion steps of the alignment masks",
                                  0, 50, defaults.smooth, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument(procedure, "seed", _("S_eed:"),
                                  "0: stored noise (repeatable); other: random noise from this seed", 0, G_MAXINT,
                                  defaults.seed, G_PARAM_READWRITE);
  // Only the dialog's: remembered with the other values, not a PDB argument.
  gimp_procedure_add_file_aux_argument(procedure, "weights-folder", _("_Weights folder:"),
                                       "The folder with the weights files", GIMP_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                       TRUE, nullptr, G_PARAM_READWRITE);
  gimp_procedure_add_string_aux_argument(procedure, "generator", _("_Generator:"),
                                         "A generator file in the weights folder; empty: ffhq.pt", "",
                                         G_PARAM_READWRITE);
  return procedure;
}

GimpProcedure* hair_mask_procedure(GimpPlugIn* plug_in) {
  GimpProcedure* procedure = gimp_image_procedure_new(plug_in, kHairMaskProcedure, GIMP_PDB_PROC_TYPE_PLUGIN,
                                                      run_hair_mask_procedure, nullptr, nullptr);
  set_common_properties(procedure, _("Hair _Mask..."), _("Add the hair region of a face layer as a mask layer"),
                        "The face parser's hair region of the layer, white on black, as a new layer to paint and "
                        "feed back as a hair mask of plug-in-barbershop.");
  return procedure;
}

// No menu entry: what the dialog's "Download missing files" button runs, for
// scripts and tests.
GimpProcedure* download_procedure(GimpPlugIn* plug_in) {
  GimpProcedure* procedure =
      gimp_procedure_new(plug_in, kDownloadProcedure, GIMP_PDB_PROC_TYPE_PLUGIN, run_download_procedure, nullptr,
                         nullptr);
  gimp_procedure_set_documentation(
      procedure, "Download the missing Barbershop weights files",
      "Fetches the weights files a transfer needs (ffhq.pt, seg.pth, vgg16-397923af.pth, vgg.pth) that the folder "
      "lacks or holds damaged, checks each by loading it and records it in manifest.json, as `barbershop weights "
      "download` does.",
      nullptr);
  gimp_procedure_set_attribution(procedure, kAuthors, kAuthors, "2026");
  gimp_procedure_add_enum_argument(procedure, "run-mode", "Run mode", "The run mode", GIMP_TYPE_RUN_MODE,
                                   GIMP_RUN_NONINTERACTIVE, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument(procedure, "weights-folder", "Weights folder",
                                     "Where the files go; \"\": the plug-in's weights folder", "", G_PARAM_READWRITE);
  gimp_procedure_add_string_argument(
      procedure, "url-base", "URL base",
      "Fetch <url-base>/<file> (a mirror); \"\": $BARBERSHOP_WEIGHTS_URL_BASE, else the official addresses", "",
      G_PARAM_READWRITE);
  return procedure;
}

// What the engine needs of GIMP 3's objects, read once from the config.
struct TransferCall {
  GimpDrawable* identity = nullptr;
  GimpDrawable* layers[G_N_ELEMENTS(kLayerArguments)] = {};
  TransferValues values;
  std::string weights;
  std::string generator;
};

std::string config_string(GimpProcedureConfig* config, const char* name) {
  gchar* text = nullptr;
  g_object_get(config, name, &text, nullptr);
  std::string copy = text ? text : "";
  g_free(text);
  return copy;
}

std::string config_folder(GimpProcedureConfig* config, const char* name) {
  GFile* file = nullptr;
  g_object_get(config, name, &file, nullptr);
  if (!file) return "";
  gchar* path = g_file_get_path(file);
  std::string copy = path ? path : "";
  g_free(path);
  g_object_unref(file);
  return copy;
}

TransferCall call_from(GimpProcedureConfig* config, GimpDrawable* identity, bool interactive) {
  TransferCall call;
  call.identity = identity;
  for (size_t i = 0; i < G_N_ELEMENTS(kLayerArguments); ++i) {
    GimpDrawable* drawable = nullptr;
    g_object_get(config, kLayerArguments[i].name, &drawable, nullptr);
    call.layers[i] = drawable;
    if (drawable) g_object_unref(drawable);  // the image keeps it alive
  }
  call.values.preset = gimp_procedure_config_get_choice_id(config, "preset");
  call.values.mode = gimp_procedure_config_get_choice_id(config, "mode");
  g_object_get(config, "smooth", &call.values.smooth, "seed", &call.values.seed, nullptr);
  call.weights = weights_folder(interactive, config_folder(config, "weights-folder"));
  call.generator = config_string(config, "generator");
  return call;
}

Pixels optional_mask(GimpDrawable* drawable) {
  return drawable ? read_drawable(drawable, _("A hair mask layer no longer exists; choose another.")) : Pixels();
}

void show_warning(const std::string& warning) { g_message("%s", warning.c_str()); }

// The call's settings; options.face_area: the selection on the face layer.
TransferOptions options_of(const TransferCall& call, GimpImage* image) {
  TransferOptions options = options_from(call.values, call.weights);
  // The dialog's generator names a file in the weights folder.
  if (!call.generator.empty()) options.generator = options.weights_dir + "/" + call.generator;
  if (const std::optional<Area> area = selection_in(image, call.identity))
    options.face_area = PixelBox{static_cast<double>(area->x), static_cast<double>(area->y),
                                 static_cast<double>(area->x + area->width),
                                 static_cast<double>(area->y + area->height)};
  return options;
}

TransferJob job_from(const TransferCall& call, const TransferOptions& options) {
  TransferJob job;
  job.identity = read_drawable(call.identity, _("Choose a face (identity) layer."));
  job.structure = read_drawable(call.layers[0], _("Choose a hair shape (structure) layer."));
  job.appearance = read_drawable(call.layers[1], _("Choose a hair colour (appearance) layer."));
  job.identity_mask = optional_mask(call.layers[2]);
  job.structure_mask = optional_mask(call.layers[3]);
  job.appearance_mask = optional_mask(call.layers[4]);
  job.target_mask = optional_mask(call.layers[5]);
  job.options = options;
  return job;
}

// A role's layers: the group's, or the one layer itself.
std::vector<GimpDrawable*> role_layers(GimpDrawable* drawable) {
  return group_layers(drawable).value_or(std::vector<GimpDrawable*>{drawable});
}

RoleLayers role_of(GimpDrawable* drawable) {
  const std::optional<std::vector<GimpDrawable*>> layers = group_layers(drawable);
  return layers ? RoleLayers{layers->size(), true} : RoleLayers{};
}

std::vector<Pixels> read_layers(const std::vector<GimpDrawable*>& layers, const char* missing_message) {
  std::vector<Pixels> pixels;
  for (GimpDrawable* layer : layers) pixels.push_back(read_drawable(layer, missing_message));
  return pixels;
}

// The hair shape and/or colour is a layer group: one transfer per style, the
// face embedded once. Each result joins a new group above the face as it
// finishes, all in one undo step; the image is untouched until the first
// result. A style that fails is reported and the others go on. Returns the
// result group.
GimpLayer* run_styles_procedure(GimpImage* image, const TransferCall& call, const TransferOptions& options) {
  const std::vector<GimpDrawable*> structures = role_layers(call.layers[0]), appearances = role_layers(call.layers[1]);
  StylesJob job;
  job.styles = pair_styles(role_of(call.layers[0]), role_of(call.layers[1]), call.layers[3] != nullptr,
                           call.layers[4] != nullptr);
  job.identity = read_drawable(call.identity, _("Choose a face (identity) layer."));
  job.structures = read_layers(structures, _("Choose a hair shape (structure) layer."));
  job.appearances = read_layers(appearances, _("Choose a hair colour (appearance) layer."));
  job.identity_mask = optional_mask(call.layers[2]);
  job.structure_mask = optional_mask(call.layers[3]);
  job.appearance_mask = optional_mask(call.layers[4]);
  job.target_mask = optional_mask(call.layers[5]);
  job.options = options;

  const std::string face = drawable_name(call.identity);
  std::optional<UndoStep> undo_step;  // opened with the first result
  GimpLayer* group = nullptr;
  int kept = 0;
  std::string first_error;
  ProgressBar progress_bar(_("Barbershop: loading the networks"));
  run_styles(job, std::ref(progress_bar), show_warning, [&](size_t k, const Pixels* result, const std::string& error) {
    const StylePair& style = job.styles[k];
    if (!result) {
      if (first_error.empty()) first_error = error;
      show_warning(style_progress_text(k + 1, job.styles.size()) + ": " + error);
      return;
    }
    if (!group) {
      undo_step.emplace(image);
      group = insert_group_above(image, call.identity, styles_group_name(face, job.styles.size()));
    }
    insert_layer_into(image, group, kept++, call.identity, *result,
                      transfer_layer_name(face, drawable_name(structures[style.structure]),
                                          drawable_name(appearances[style.appearance])));
    gimp_displays_flush();
  });
  if (!group) throw Error(first_error);
  return group;
}

// The image procedure's one drawable, the face: a layer.
GimpDrawable* the_face(GimpDrawable** drawables, const char* message) {
  if (!drawables || !drawables[0] || drawables[1] || !GIMP_IS_LAYER(drawables[0])) throw Error(message);
  return drawables[0];
}

GimpValueArray* failed(GimpProcedure* procedure, const std::exception& error) {
  const std::string message = message_of(error);
  return gimp_procedure_new_return_values(procedure, GIMP_PDB_EXECUTION_ERROR,
                                          g_error_new_literal(GIMP_PLUG_IN_ERROR, 0, message.c_str()));
}

GimpValueArray* succeeded(GimpProcedure* procedure, GimpRunMode mode, GimpLayer* layer) {
  if (mode != GIMP_RUN_NONINTERACTIVE) gimp_displays_flush();
  GimpValueArray* values = gimp_procedure_new_return_values(procedure, GIMP_PDB_SUCCESS, nullptr);
  GIMP_VALUES_SET_LAYER(values, 1, layer);
  return values;
}

GimpValueArray* run_transfer_procedure(GimpProcedure* procedure, GimpRunMode mode, GimpImage* image,
                                       GimpDrawable** drawables, GimpProcedureConfig* config, gpointer) {
  gegl_init(nullptr, nullptr);
  try {
    GimpDrawable* identity = the_face(drawables, _("The face (identity) must be a layer."));
    if (mode == GIMP_RUN_INTERACTIVE) {
      suggest_reference_layers(image, identity, config);
      if (!run_transfer_dialog(procedure, config, identity))
        return gimp_procedure_new_return_values(procedure, GIMP_PDB_CANCEL, nullptr);
    }
    const TransferCall call = call_from(config, identity, mode != GIMP_RUN_NONINTERACTIVE);
    const TransferOptions options = options_of(call, image);
    if (role_of(call.layers[0]).group || role_of(call.layers[1]).group)
      return succeeded(procedure, mode, run_styles_procedure(image, call, options));
    const TransferJob job = job_from(call, options);
    ProgressBar progress_bar(_("Barbershop: loading the networks"));
    const Pixels result = run_transfer(job, std::ref(progress_bar), show_warning);
    const std::string name =
        transfer_layer_name(drawable_name(identity), drawable_name(call.layers[0]), drawable_name(call.layers[1]));
    return succeeded(procedure, mode, insert_layer_above(image, identity, result, name));
  } catch (const std::exception& error) {
    return failed(procedure, error);
  }
}

GimpValueArray* run_hair_mask_procedure(GimpProcedure* procedure, GimpRunMode mode, GimpImage* image,
                                        GimpDrawable** drawables, GimpProcedureConfig*, gpointer) {
  gegl_init(nullptr, nullptr);
  try {
    GimpDrawable* face = the_face(drawables, _("Choose a face layer for the hair mask."));
    const Pixels pixels = read_drawable(face, _("Choose a face layer for the hair mask."));
    gimp_progress_init(_("Barbershop: finding the hair"));
    TransferOptions options;
    options.weights_dir = weights_folder(mode != GIMP_RUN_NONINTERACTIVE, "");
    const Pixels mask = run_hair_mask(pixels, options, show_warning);
    return succeeded(procedure, mode,
                     insert_layer_above(image, face, mask, hair_mask_layer_name(drawable_name(face))));
  } catch (const std::exception& error) {
    return failed(procedure, error);
  }
}

// The dialog's download, with GIMP's progress bar; cancelling it there ends
// the plug-in, and the partial file is resumed next time.
GimpValueArray* run_download_procedure(GimpProcedure* procedure, GimpProcedureConfig* config, gpointer) {
  try {
    GimpRunMode mode = GIMP_RUN_NONINTERACTIVE;
    g_object_get(config, "run-mode", &mode, nullptr);
    const std::string folder = config_string(config, "weights-folder");
    const std::string dir = folder.empty() ? weights_folder(mode != GIMP_RUN_NONINTERACTIVE, "") : folder;
    ProgressBar progress_bar(_("Barbershop: downloading the weights"));
    const DownloadSummary summary = download_missing_weights(
        dir, config_string(config, "url-base"), [&](const std::string& file, double fraction) {
          progress_bar(file, fraction < 0 ? 0.0 : fraction);
          return true;
        });
    if (!summary.failures.empty()) throw Error(summary.failures.front());
    return gimp_procedure_new_return_values(procedure, GIMP_PDB_SUCCESS, nullptr);
  } catch (const std::exception& error) {
    return failed(procedure, error);
  }
}

}  // namespace
}  // namespace barbershop::plugin

// The GObject side: the plug-in class GIMP instantiates.
#define BARBERSHOP_TYPE_PLUG_IN (barbershop_plug_in_get_type())
G_DECLARE_FINAL_TYPE(BarbershopPlugIn, barbershop_plug_in, BARBERSHOP, PLUG_IN, GimpPlugIn)

struct _BarbershopPlugIn {
  GimpPlugIn parent_instance;
};

G_DEFINE_TYPE(BarbershopPlugIn, barbershop_plug_in, GIMP_TYPE_PLUG_IN)

namespace {

GList* query_procedures(GimpPlugIn*) {
  using namespace barbershop::plugin;
  GList* names = nullptr;
  for (const char* name : {kTransferProcedure, kHairMaskProcedure, kDownloadProcedure})
    names = g_list_append(names, g_strdup(name));
  return names;
}

GimpProcedure* create_procedure(GimpPlugIn* plug_in, const gchar* name) {
  using namespace barbershop::plugin;
  bind_translations(g_executable.c_str());
  if (g_strcmp0(name, kTransferProcedure) == 0) return transfer_procedure(plug_in);
  if (g_strcmp0(name, kHairMaskProcedure) == 0) return hair_mask_procedure(plug_in);
  if (g_strcmp0(name, kDownloadProcedure) == 0) return download_procedure(plug_in);
  return nullptr;
}

// GIMP reads the menu labels through the plug-in's own catalogue in the
// locale folder beside the executable; GIMP 3 takes that folder only as a
// path relative to the plug-in's folder. Installed elsewhere (a system
// prefix), the labels stay English and the plug-in's own strings are still
// translated (bind_translations).
gboolean set_i18n(GimpPlugIn*, const gchar*, gchar** gettext_domain, gchar** catalog_dir) {
  using barbershop::plugin::g_executable;
  gchar* dir = g_path_get_dirname(g_executable.c_str());
  gchar* beside = g_build_filename(dir, "locale", nullptr);
  const bool has_locale = g_file_test(beside, G_FILE_TEST_IS_DIR);
  g_free(beside);
  g_free(dir);
  if (!has_locale) return FALSE;
  *gettext_domain = g_strdup(GETTEXT_PACKAGE);
  *catalog_dir = g_strdup("locale");
  return TRUE;
}

}  // namespace

static void barbershop_plug_in_class_init(BarbershopPlugInClass* klass) {
  GimpPlugInClass* plug_in_class = GIMP_PLUG_IN_CLASS(klass);
  plug_in_class->query_procedures = query_procedures;
  plug_in_class->create_procedure = create_procedure;
  plug_in_class->set_i18n = set_i18n;
}

static void barbershop_plug_in_init(BarbershopPlugIn*) {}

int main(int argc, char** argv) {
  barbershop::plugin::g_executable = argv[0];
  barbershop::packaging::use_bundled_landmark_model();
  return gimp_main(BARBERSHOP_TYPE_PLUG_IN, argc, argv);
}
