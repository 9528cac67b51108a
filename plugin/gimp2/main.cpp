// The GIMP 2.10 plug-in: registers Filters ▸ Barbershop ▸ Hair Transfer and
// Hair Mask, reads the chosen layers, runs the engine in-process and adds the
// result as one new layer in one undo group. Nothing touches the image until
// the engine has finished, so a failure or a cancel (GIMP ends the plug-in)
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
#include "plugin/gimp2/dialog.h"
#include "plugin/gimp2/gimp_host.h"

namespace barbershop::plugin {
namespace {

const char* g_executable = "";

// Transfer parameters after run-mode, image, drawable (identity), in order.
enum TransferParameter {
  kStructure = 3, kAppearance, kIdentityMask, kStructureMask, kAppearanceMask, kTargetMask,
  kPreset, kMode, kSmooth, kSeed, kTransferParameterCount
};

// GIMP's parameter table wants mutable strings; these are never written.
GimpParamDef parameter(GimpPDBArgType type, const char* name, const char* description) {
  return {type, const_cast<gchar*>(name), const_cast<gchar*>(description)};
}

const GimpParamDef kRunMode =
    parameter(GIMP_PDB_INT32, "run-mode", "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }");
const GimpParamDef kImage = parameter(GIMP_PDB_IMAGE, "image", "Input image");
const GimpParamDef kTransferArgs[] = {
    kRunMode,
    kImage,
    parameter(GIMP_PDB_DRAWABLE, "drawable", "Identity layer: the face to keep"),
    parameter(GIMP_PDB_DRAWABLE, "structure",
              "Structure layer: the hair shape; a layer group: one transfer per layer, into a new group"),
    parameter(GIMP_PDB_DRAWABLE, "appearance",
              "Appearance layer: the hair colour and texture; a layer group: one per layer (paired in order "
              "with a structure group of the same length)"),
    parameter(GIMP_PDB_DRAWABLE, "identity-mask", "Hair mask of the identity layer (white = hair), -1 = none"),
    parameter(GIMP_PDB_DRAWABLE, "structure-mask", "Hair mask of the structure layer, -1 = none"),
    parameter(GIMP_PDB_DRAWABLE, "appearance-mask", "Hair mask of the appearance layer, -1 = none"),
    parameter(GIMP_PDB_DRAWABLE, "target-mask", "Hair mask of the result, -1 = none"),
    parameter(GIMP_PDB_INT32, "preset", "Step counts { paper (0), fast (1) }"),
    parameter(GIMP_PDB_INT32, "mode", "Target mask { realistic (0), fidelity (1) }"),
    parameter(GIMP_PDB_INT32, "smooth", "Dilation/erosion steps of the alignment masks (5)"),
    parameter(GIMP_PDB_INT32, "seed", "0: stored noise (repeatable); other: random noise from this seed"),
};
const GimpParamDef kHairMaskArgs[] = {kRunMode, kImage, parameter(GIMP_PDB_DRAWABLE, "drawable", "A face layer")};
const GimpParamDef kLayerReturn[] = {parameter(GIMP_PDB_LAYER, "layer", "The new layer")};
const GimpParamDef kDownloadArgs[] = {
    kRunMode,
    parameter(GIMP_PDB_STRING, "weights-folder", "Where the files go; \"\": the plug-in's weights folder"),
    parameter(GIMP_PDB_STRING, "url-base",
              "Fetch <url-base>/<file> (a mirror); \"\": $BARBERSHOP_WEIGHTS_URL_BASE, else the official addresses"),
};
enum DownloadParameter { kWeightsFolder = 1, kUrlBase, kDownloadParameterCount };

void register_procedure(const char* name, const char* blurb, const char* help, const char* menu_label,
                        const GimpParamDef* args, int n_args) {
  gimp_install_procedure(name, blurb, help, "Barbershop for GIMP developers", "Barbershop for GIMP developers", "2026",
                         menu_label, "RGB*, GRAY*", GIMP_PLUGIN, n_args, 1, args, kLayerReturn);
  gimp_plugin_menu_register(name, kMenuPath);
  gchar* dir = g_path_get_dirname(g_executable);
  gchar* icon = g_build_filename(dir, kIconFile, nullptr);
  if (g_file_test(icon, G_FILE_TEST_EXISTS))
    gimp_plugin_icon_register(name, GIMP_ICON_TYPE_IMAGE_FILE, reinterpret_cast<const guint8*>(icon));
  g_free(icon);
  g_free(dir);
}

void query() {
  gimp_plugin_domain_register(GETTEXT_PACKAGE, bind_translations(g_executable));
  register_procedure(kTransferProcedure, N_("Give a face the hair shape of one layer and the hair colour of another"),
                     "Barbershop (Zhu et al. 2021): the face of the identity layer with the hair shape of the "
                     "structure layer and the hair colour and texture of the appearance layer, as a new layer. "
                     "Layers are photos with a face (the selection picks one of several) or aligned face crops; the face "
                     "is aligned for the method and the result pasted back, so only the hair changes. Weights: "
                     "$BARBERSHOP_WEIGHTS or "
                     "~/.local/share/barbershop/weights.",
                     N_("_Hair Transfer..."), kTransferArgs, G_N_ELEMENTS(kTransferArgs));
  register_procedure(kHairMaskProcedure, N_("Add the hair region of a face layer as a mask layer"),
                     "The face parser's hair region of the layer, white on black, as a new layer to paint and "
                     "feed back as a hair mask of plug-in-barbershop.",
                     N_("Hair _Mask..."), kHairMaskArgs, G_N_ELEMENTS(kHairMaskArgs));
  // No menu entry: the transfer dialog's "Download missing files" button runs
  // the same code; scripts and tests call this.
  gimp_install_procedure(kDownloadProcedure, "Download the missing Barbershop weights files",
                         "Fetches the weights files a transfer needs (ffhq.pt, seg.pth, vgg16-397923af.pth, vgg.pth) "
                         "that the folder lacks or holds damaged, checks each by loading it and records it in "
                         "manifest.json, as `barbershop weights download` does.",
                         "Barbershop for GIMP developers", "Barbershop for GIMP developers", "2026", nullptr, "",
                         GIMP_PLUGIN, G_N_ELEMENTS(kDownloadArgs), 0, kDownloadArgs, nullptr);
}

std::string transfer_layer_name(const TransferValues& values) {
  return plugin::transfer_layer_name(drawable_name(values.identity), drawable_name(values.structure),
                                     drawable_name(values.appearance));
}

Pixels optional_mask(gint32 drawable) {
  return drawable < 0 ? Pixels() : read_drawable(drawable, _("A hair mask layer no longer exists; choose another."));
}

TransferJob job_from(const TransferValues& values, const TransferOptions& options) {
  TransferJob job;
  job.identity = read_drawable(values.identity, _("Choose a face (identity) layer."));
  job.structure = read_drawable(values.structure, _("Choose a hair shape (structure) layer."));
  job.appearance = read_drawable(values.appearance, _("Choose a hair colour (appearance) layer."));
  job.identity_mask = optional_mask(values.identity_mask);
  job.structure_mask = optional_mask(values.structure_mask);
  job.appearance_mask = optional_mask(values.appearance_mask);
  job.target_mask = optional_mask(values.target_mask);
  job.options = options;
  return job;
}

// A role's layers: the group's, or the one layer itself.
std::vector<gint32> role_layers(gint32 layer) { return group_layers(layer).value_or(std::vector<gint32>{layer}); }

RoleLayers role_of(gint32 layer) {
  const std::optional<std::vector<gint32>> layers = group_layers(layer);
  return layers ? RoleLayers{layers->size(), true} : RoleLayers{};
}

std::vector<Pixels> read_layers(const std::vector<gint32>& layers, const char* missing_message) {
  std::vector<Pixels> pixels;
  for (const gint32 layer : layers) pixels.push_back(read_drawable(layer, missing_message));
  return pixels;
}

TransferValues values_from_parameters(const GimpParam* param) {
  TransferValues values;
  values.identity = param[2].data.d_drawable;
  values.structure = param[kStructure].data.d_drawable;
  values.appearance = param[kAppearance].data.d_drawable;
  values.identity_mask = param[kIdentityMask].data.d_drawable;
  values.structure_mask = param[kStructureMask].data.d_drawable;
  values.appearance_mask = param[kAppearanceMask].data.d_drawable;
  values.target_mask = param[kTargetMask].data.d_drawable;
  values.preset = param[kPreset].data.d_int32;
  values.mode = param[kMode].data.d_int32;
  values.smooth = param[kSmooth].data.d_int32;
  values.seed = param[kSeed].data.d_int32;
  return values;
}

void show_warning(const std::string& warning) { g_message("%s", warning.c_str()); }

// The hair shape and/or colour is a layer group: one transfer per style, the
// face embedded once. Each result joins a new group above the face as it
// finishes, all in one undo step; the image is untouched until the first
// result. A style that fails is reported and the others go on. Returns the
// result group.
gint32 run_styles_procedure(gint32 image, const TransferValues& values, const TransferOptions& options) {
  const std::vector<gint32> structures = role_layers(values.structure), appearances = role_layers(values.appearance);
  StylesJob job;
  job.styles = pair_styles(role_of(values.structure), role_of(values.appearance), values.structure_mask >= 0,
                           values.appearance_mask >= 0);
  job.identity = read_drawable(values.identity, _("Choose a face (identity) layer."));
  job.structures = read_layers(structures, _("Choose a hair shape (structure) layer."));
  job.appearances = read_layers(appearances, _("Choose a hair colour (appearance) layer."));
  job.identity_mask = optional_mask(values.identity_mask);
  job.structure_mask = optional_mask(values.structure_mask);
  job.appearance_mask = optional_mask(values.appearance_mask);
  job.target_mask = optional_mask(values.target_mask);
  job.options = options;

  const std::string face = drawable_name(values.identity);
  std::optional<UndoStep> undo_step;  // opened with the first result
  gint32 group = -1;
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
    if (group < 0) {
      undo_step.emplace(image);
      group = insert_group_above(image, values.identity, styles_group_name(face, job.styles.size()));
    }
    insert_layer_into(image, group, kept++, values.identity, *result,
                      plugin::transfer_layer_name(face, drawable_name(structures[style.structure]),
                                                  drawable_name(appearances[style.appearance])));
    gimp_displays_flush();
  });
  if (group < 0) throw Error(first_error);
  return group;
}

// Returns the new layer, or -1 when the user closed the dialog.
gint32 run_transfer_procedure(GimpRunMode mode, gint32 image, gint32 drawable, int n_params, const GimpParam* param) {
  TransferValues values = last_transfer_values(kTransferProcedure);
  std::string weights = weights_folder(mode != GIMP_RUN_NONINTERACTIVE);
  std::string generator;  // ffhq.pt unless chosen in the dialog
  if (mode == GIMP_RUN_NONINTERACTIVE) {
    if (n_params != kTransferParameterCount) throw Error(_("plug-in-barbershop takes 13 parameters"));
    values = values_from_parameters(param);
  }
  values.identity = drawable;
  if (mode == GIMP_RUN_INTERACTIVE) {
    suggest_reference_layers(image, values);
    if (!run_transfer_dialog(values, weights, generator)) return -1;
    remember_weights_folder(weights);
  }
  if (!gimp_item_is_layer(values.identity)) throw Error(_("The face (identity) must be a layer."));
  TransferOptions options = options_from(values, weights);
  if (const std::optional<Area> area = selection_in(image, values.identity))
    options.face_area = PixelBox{static_cast<double>(area->x), static_cast<double>(area->y),
                                 static_cast<double>(area->x + area->width),
                                 static_cast<double>(area->y + area->height)};
  // The dialog's generator picker names a file in the weights folder.
  if (!generator.empty()) options.generator = options.weights_dir + "/" + generator;
  if (role_of(values.structure).group || role_of(values.appearance).group) {
    const gint32 group = run_styles_procedure(image, values, options);
    remember_transfer_values(kTransferProcedure, values);
    return group;
  }
  TransferJob job = job_from(values, options);

  ProgressBar progress_bar(_("Barbershop: loading the networks"));
  const Pixels result = run_transfer(job, std::ref(progress_bar), show_warning);
  remember_transfer_values(kTransferProcedure, values);
  return insert_layer_above(image, values.identity, result, transfer_layer_name(values));
}

gint32 run_hair_mask_procedure(GimpRunMode mode, gint32 image, gint32 drawable) {
  if (!gimp_item_is_layer(drawable)) throw Error(_("Choose a face layer for the hair mask."));
  const Pixels face = read_drawable(drawable, _("Choose a face layer for the hair mask."));
  gimp_progress_init(_("Barbershop: finding the hair"));
  TransferOptions options;
  options.weights_dir = weights_folder(mode != GIMP_RUN_NONINTERACTIVE);
  const Pixels mask = run_hair_mask(face, options, show_warning);
  return insert_layer_above(image, drawable, mask, hair_mask_layer_name(drawable_name(drawable)));
}

// The dialog's download, with GIMP's progress bar; cancelling it there ends
// the plug-in, and the partial file is resumed next time.
void run_download_procedure(GimpRunMode mode, int n_params, const GimpParam* param) {
  if (n_params != kDownloadParameterCount) throw Error(_("plug-in-barbershop-download-weights takes 3 parameters"));
  const char* folder = param[kWeightsFolder].data.d_string;
  const char* url_base = param[kUrlBase].data.d_string;
  const std::string dir = folder && *folder ? folder : weights_folder(mode != GIMP_RUN_NONINTERACTIVE);
  ProgressBar progress_bar(_("Barbershop: downloading the weights"));
  const DownloadSummary summary =
      download_missing_weights(dir, url_base ? url_base : "", [&](const std::string& file, double fraction) {
        progress_bar(file, fraction < 0 ? 0.0 : fraction);
        return true;
      });
  if (!summary.failures.empty()) throw Error(summary.failures.front());
}

void run(const gchar* name, gint n_params, const GimpParam* param, gint* n_return_vals, GimpParam** return_vals) {
  static GimpParam values[2];
  *n_return_vals = 1;
  *return_vals = values;
  values[0].type = GIMP_PDB_STATUS;
  values[0].data.d_status = GIMP_PDB_SUCCESS;

  bind_translations(g_executable);
  gegl_init(nullptr, nullptr);
  const auto mode = static_cast<GimpRunMode>(param[0].data.d_int32);
  static std::string message;
  try {
    if (g_strcmp0(name, kDownloadProcedure) == 0) {
      *n_return_vals = 1;
      run_download_procedure(mode, n_params, param);
      return;
    }
    const bool transfer = g_strcmp0(name, kTransferProcedure) == 0;
    if (n_params < 3) throw Error(_("Missing run-mode, image or drawable."));
    const gint32 image = param[1].data.d_image, drawable = param[2].data.d_drawable;
    const gint32 layer = transfer ? run_transfer_procedure(mode, image, drawable, n_params, param)
                                  : run_hair_mask_procedure(mode, image, drawable);
    if (layer < 0) {
      values[0].data.d_status = GIMP_PDB_CANCEL;
      return;
    }
    if (mode != GIMP_RUN_NONINTERACTIVE) gimp_displays_flush();
    *n_return_vals = 2;
    values[1].type = GIMP_PDB_LAYER;
    values[1].data.d_layer = layer;
  } catch (const std::exception& error) {
    message = message_of(error);
    values[0].data.d_status = GIMP_PDB_EXECUTION_ERROR;
    *n_return_vals = 2;
    values[1].type = GIMP_PDB_STRING;
    values[1].data.d_string = const_cast<gchar*>(message.c_str());
  }
}

}  // namespace
}  // namespace barbershop::plugin

const GimpPlugInInfo PLUG_IN_INFO = {nullptr, nullptr, barbershop::plugin::query, barbershop::plugin::run};

int main(int argc, char** argv) {
  barbershop::plugin::g_executable = argv[0];
  barbershop::packaging::use_bundled_landmark_model();
  return gimp_main(&PLUG_IN_INFO, argc, argv);
}
