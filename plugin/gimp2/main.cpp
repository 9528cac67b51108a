// The GIMP 2.10 plug-in's registration: Filters ▸ Barbershop ▸ Hair Transfer
// and Hair Mask, the transfer with a named generator and the download
// procedure, with their PDB parameters, and what GIMP 2.10 remembers
// between runs. The procedures themselves are
// written once in plugin/common/procedures.h; GimpHost is their GIMP 2.10.
#include <gegl.h>
#include <libgimp/gimp.h>

#include <exception>
#include <memory>
#include <string>

#include "engine/error.h"
#include "plugin/common/descriptions.h"
#include "plugin/common/i18n.h"
#include "plugin/common/messages.h"
#include "plugin/common/procedures.h"
#include "plugin/packaging/bundled_files.h"
#include "plugin/gimp2/dialog.h"
#include "plugin/gimp2/gimp_host.h"

namespace barbershop::plugin {
namespace {

const char* g_executable = "";

// GIMP 2.10's PDB has no optional parameters, and Script-Fu refuses a call
// with fewer than the procedure declares: a generator parameter added to
// plug-in-barbershop would break every script that calls it. Scripts name a
// generator through this procedure instead: plug-in-barbershop's
// parameters, then the generator (GIMP 3 has it as an optional argument).
constexpr const char* kTransferWithGeneratorProcedure = "plug-in-barbershop-with-generator";
const ProcedureText kTransferWithGeneratorText = {
    nullptr, "Hair transfer with a generator other than ffhq.pt",
    "plug-in-barbershop with one more parameter, the generator: a file in the weights folder, by its name."};

// Transfer parameters after run-mode, image, drawable (identity), in order;
// kGenerator only in plug-in-barbershop-with-generator.
enum TransferParameter {
  kStructure = 3, kPreset = kStructure + kLayerArgumentCount, kMode, kSmooth, kSeed, kGenerator,
  kTransferParameterCount = kGenerator
};

// GIMP's parameter table wants mutable strings; these are never written.
GimpParamDef parameter(GimpPDBArgType type, const char* name, const char* description) {
  return {type, const_cast<gchar*>(name), const_cast<gchar*>(description)};
}

const GimpParamDef kRunMode =
    parameter(GIMP_PDB_INT32, "run-mode", "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }");
const GimpParamDef kImage = parameter(GIMP_PDB_IMAGE, "image", "Input image");
GimpParamDef layer_parameter(int k) {
  return parameter(GIMP_PDB_DRAWABLE, kLayerArguments[k].name, kLayerArguments[k].blurb);
}
const GimpParamDef kTransferArgs[] = {
    kRunMode,
    kImage,
    parameter(GIMP_PDB_DRAWABLE, "drawable", "Identity layer: the face to keep"),
    layer_parameter(0),
    layer_parameter(1),
    layer_parameter(2),
    layer_parameter(3),
    layer_parameter(4),
    layer_parameter(5),
    parameter(GIMP_PDB_INT32, "preset", "Step counts { paper (0), fast (1) }"),
    parameter(GIMP_PDB_INT32, "mode", "Target mask { realistic (0), fidelity (1) }"),
    parameter(GIMP_PDB_INT32, "smooth", "Dilation/erosion steps of the alignment masks (5)"),
    parameter(GIMP_PDB_INT32, "seed", kSeedBlurb),
    parameter(GIMP_PDB_STRING, "generator", kGeneratorBlurb),  // plug-in-barbershop-with-generator's only
};
constexpr int kTransferWithGeneratorParameterCount = kGenerator + 1;
const GimpParamDef kHairMaskArgs[] = {kRunMode, kImage, parameter(GIMP_PDB_DRAWABLE, "drawable", "A face layer")};
const GimpParamDef kLayerReturn[] = {parameter(GIMP_PDB_LAYER, "layer", "The new layer")};
const GimpParamDef kDownloadArgs[] = {kRunMode, parameter(GIMP_PDB_STRING, "weights-folder", kWeightsFolderBlurb),
                                      parameter(GIMP_PDB_STRING, "url-base", kUrlBaseBlurb)};
enum DownloadParameter { kWeightsFolder = 1, kUrlBase, kDownloadParameterCount };

// A procedure on RGB and grey images, returning the new layer, or (no
// image) one that returns nothing; in the menu when it has a menu label.
void register_procedure(const char* name, const ProcedureText& text, const GimpParamDef* args, int n_args,
                        bool on_images) {
  gimp_install_procedure(name, text.blurb, text.help, kAuthors, kAuthors, kDate, text.menu_label,
                         on_images ? "RGB*, GRAY*" : "", GIMP_PLUGIN, n_args, on_images ? 1 : 0, args,
                         on_images ? kLayerReturn : nullptr);
  if (!text.menu_label) return;
  gimp_plugin_menu_register(name, kMenuPath);
  const std::string icon = beside_executable(g_executable, kIconFile);
  if (!icon.empty())
    gimp_plugin_icon_register(name, GIMP_ICON_TYPE_IMAGE_FILE, reinterpret_cast<const guint8*>(icon.c_str()));
}

void query() {
  gimp_plugin_domain_register(GETTEXT_PACKAGE, bind_translations(g_executable));
  register_procedure(kTransferProcedure, kTransferText, kTransferArgs, kTransferParameterCount, true);
  register_procedure(kTransferWithGeneratorProcedure, kTransferWithGeneratorText, kTransferArgs,
                     kTransferWithGeneratorParameterCount, true);
  register_procedure(kHairMaskProcedure, kHairMaskText, kHairMaskArgs, G_N_ELEMENTS(kHairMaskArgs), true);
  register_procedure(kDownloadProcedure, kDownloadText, kDownloadArgs, G_N_ELEMENTS(kDownloadArgs), false);
}

TransferValues values_from_parameters(const GimpParam* param) {
  TransferValues values;
  values.identity = param[2].data.d_drawable;
  for (int k = 0; k < kLayerArgumentCount; ++k) *values.layer_arguments()[k] = param[kStructure + k].data.d_drawable;
  values.preset = param[kPreset].data.d_int32;
  values.mode = param[kMode].data.d_int32;
  values.smooth = param[kSmooth].data.d_int32;
  values.seed = param[kSeed].data.d_int32;
  return values;
}

// What the plug-in remembers between runs: the last transfer's values in
// this GIMP session, the weights folder and the generator chosen in the
// dialog for good (the generator is a file of that folder).
constexpr const char* kWeightsParasite = "barbershop-weights-folder";
constexpr const char* kGeneratorParasite = "barbershop-generator";

TransferValues last_transfer_values() {
  TransferValues values;
  if (gimp_get_data_size(kTransferProcedure) == sizeof values) gimp_get_data(kTransferProcedure, &values);
  return values;
}

void remember_transfer_values(const TransferValues& values) {
  gimp_set_data(kTransferProcedure, &values, sizeof values);
}

// The text kept in GIMP's global parasite `name`; "" when none.
std::string remembered_text(const char* name) {
  GimpParasite* parasite = gimp_get_parasite(name);
  if (!parasite) return "";
  const auto* data = static_cast<const char*>(gimp_parasite_data(parasite));  // none when the text was ""
  std::string text = data ? std::string(data, gimp_parasite_data_size(parasite)) : "";
  gimp_parasite_free(parasite);
  return text;
}

void remember_text(const char* name, const std::string& text) {
  GimpParasite* parasite =
      gimp_parasite_new(name, GIMP_PARASITE_PERSISTENT, static_cast<guint32>(text.size()), text.data());
  gimp_attach_parasite(parasite);
  gimp_parasite_free(parasite);
}

std::string chosen_weights_folder() { return remembered_text(kWeightsParasite); }

// The call's generator: the one a script names through
// plug-in-barbershop-with-generator, else none for other scripts (ffhq.pt:
// they decide for themselves), else the one last chosen in the dialog.
std::string generator_of(bool names_generator, GimpRunMode mode, int n_params, const GimpParam* param) {
  if (names_generator) {
    if (n_params != kTransferWithGeneratorParameterCount)
      throw Error(_("plug-in-barbershop-with-generator takes 14 parameters"));
    const char* name = param[kGenerator].data.d_string;
    return name ? name : "";
  }
  return mode == GIMP_RUN_NONINTERACTIVE ? "" : remembered_text(kGeneratorParasite);
}

// Returns the new layer (or group), or -1 when the user closed the dialog.
gint32 run_transfer_procedure(GimpRunMode mode, gint32 image, gint32 drawable, bool names_generator, int n_params,
                              const GimpParam* param) {
  // Every run but a script's shows the plug-in's progress window.
  const std::unique_ptr<Host> host = gimp_host(image, mode != GIMP_RUN_NONINTERACTIVE);
  TransferCall call{last_transfer_values(), weights_folder(mode != GIMP_RUN_NONINTERACTIVE, chosen_weights_folder()),
                    generator_of(names_generator, mode, n_params, param)};
  if (mode == GIMP_RUN_NONINTERACTIVE) {
    if (!names_generator && n_params != kTransferParameterCount)
      throw Error(_("plug-in-barbershop takes 13 parameters"));
    call.values = values_from_parameters(param);
  }
  call.values.identity = drawable;
  if (mode == GIMP_RUN_INTERACTIVE) {
    suggest_reference_layers(*host, call.values);
    if (!run_transfer_dialog(call.values, call.weights, call.generator)) return -1;
    remember_text(kWeightsParasite, call.weights);
    remember_text(kGeneratorParasite, call.generator);
  }
  const gint32 layer = transfer(*host, call);
  remember_transfer_values(call.values);
  return layer;
}

gint32 run_hair_mask_procedure(GimpRunMode mode, gint32 image, gint32 drawable) {
  const std::string weights = weights_folder(mode != GIMP_RUN_NONINTERACTIVE, chosen_weights_folder());
  return hair_mask(*gimp_host(image), drawable, weights);
}

// The dialog's download, with GIMP's progress bar; cancelling it there ends
// the plug-in, and the partial file is resumed next time.
void run_download_procedure(GimpRunMode mode, int n_params, const GimpParam* param) {
  if (n_params != kDownloadParameterCount) throw Error(_("plug-in-barbershop-download-weights takes 3 parameters"));
  const char* folder = param[kWeightsFolder].data.d_string;
  const char* url_base = param[kUrlBase].data.d_string;
  const std::string weights =
      folder && *folder ? folder : weights_folder(mode != GIMP_RUN_NONINTERACTIVE, chosen_weights_folder());
  download_weights(*gimp_host(-1), weights, url_base ? url_base : "");
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
    const bool names_generator = g_strcmp0(name, kTransferWithGeneratorProcedure) == 0;
    const bool is_transfer = names_generator || g_strcmp0(name, kTransferProcedure) == 0;
    if (n_params < 3) throw Error(_("Missing run-mode, image or drawable."));
    const gint32 image = param[1].data.d_image, drawable = param[2].data.d_drawable;
    const gint32 layer = is_transfer ? run_transfer_procedure(mode, image, drawable, names_generator, n_params, param)
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
    if (is_cancel(error)) {  // the progress window's Cancel: the image untouched
      values[0].data.d_status = GIMP_PDB_CANCEL;
      return;
    }
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
