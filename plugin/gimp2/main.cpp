// The GIMP 2.10 plug-in's registration: Filters ▸ Barbershop ▸ Hair Transfer
// and Hair Mask and the download procedure, with their PDB parameters, and
// what GIMP 2.10 remembers between runs. The procedures themselves are
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

// Transfer parameters after run-mode, image, drawable (identity), in order.
enum TransferParameter {
  kStructure = 3, kPreset = kStructure + kLayerArgumentCount, kMode, kSmooth, kSeed, kTransferParameterCount
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
    parameter(GIMP_PDB_INT32, "seed", "0: stored noise (repeatable); other: random noise from this seed"),
};
const GimpParamDef kHairMaskArgs[] = {kRunMode, kImage, parameter(GIMP_PDB_DRAWABLE, "drawable", "A face layer")};
const GimpParamDef kLayerReturn[] = {parameter(GIMP_PDB_LAYER, "layer", "The new layer")};
const GimpParamDef kDownloadArgs[] = {kRunMode, parameter(GIMP_PDB_STRING, "weights-folder", kWeightsFolderBlurb),
                                      parameter(GIMP_PDB_STRING, "url-base", kUrlBaseBlurb)};
enum DownloadParameter { kWeightsFolder = 1, kUrlBase, kDownloadParameterCount };

// A procedure with a menu entry (then on RGB and grey images, returning the
// new layer) or without.
void register_procedure(const char* name, const ProcedureText& text, const GimpParamDef* args, int n_args) {
  const bool in_menu = text.menu_label != nullptr;
  gimp_install_procedure(name, text.blurb, text.help, kAuthors, kAuthors, kDate, text.menu_label,
                         in_menu ? "RGB*, GRAY*" : "", GIMP_PLUGIN, n_args, in_menu ? 1 : 0, args,
                         in_menu ? kLayerReturn : nullptr);
  if (!in_menu) return;
  gimp_plugin_menu_register(name, kMenuPath);
  const std::string icon = beside_executable(g_executable, kIconFile);
  if (!icon.empty())
    gimp_plugin_icon_register(name, GIMP_ICON_TYPE_IMAGE_FILE, reinterpret_cast<const guint8*>(icon.c_str()));
}

void query() {
  gimp_plugin_domain_register(GETTEXT_PACKAGE, bind_translations(g_executable));
  register_procedure(kTransferProcedure, kTransferText, kTransferArgs, G_N_ELEMENTS(kTransferArgs));
  register_procedure(kHairMaskProcedure, kHairMaskText, kHairMaskArgs, G_N_ELEMENTS(kHairMaskArgs));
  register_procedure(kDownloadProcedure, kDownloadText, kDownloadArgs, G_N_ELEMENTS(kDownloadArgs));
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
// this GIMP session, the weights folder chosen in the dialog for good.
constexpr const char* kWeightsParasite = "barbershop-weights-folder";

TransferValues last_transfer_values() {
  TransferValues values;
  if (gimp_get_data_size(kTransferProcedure) == sizeof values) gimp_get_data(kTransferProcedure, &values);
  return values;
}

void remember_transfer_values(const TransferValues& values) {
  gimp_set_data(kTransferProcedure, &values, sizeof values);
}

std::string chosen_weights_folder() {
  GimpParasite* parasite = gimp_get_parasite(kWeightsParasite);
  if (!parasite) return "";
  std::string folder(static_cast<const char*>(gimp_parasite_data(parasite)), gimp_parasite_data_size(parasite));
  gimp_parasite_free(parasite);
  return folder;
}

void remember_weights_folder(const std::string& folder) {
  GimpParasite* parasite =
      gimp_parasite_new(kWeightsParasite, GIMP_PARASITE_PERSISTENT, static_cast<guint32>(folder.size()), folder.data());
  gimp_attach_parasite(parasite);
  gimp_parasite_free(parasite);
}

// Returns the new layer (or group), or -1 when the user closed the dialog.
gint32 run_transfer_procedure(GimpRunMode mode, gint32 image, gint32 drawable, int n_params, const GimpParam* param) {
  const std::unique_ptr<Host> host = gimp_host(image);
  TransferCall call{last_transfer_values(), weights_folder(mode != GIMP_RUN_NONINTERACTIVE, chosen_weights_folder()),
                    ""};
  if (mode == GIMP_RUN_NONINTERACTIVE) {
    if (n_params != kTransferParameterCount) throw Error(_("plug-in-barbershop takes 13 parameters"));
    call.values = values_from_parameters(param);
  }
  call.values.identity = drawable;
  if (mode == GIMP_RUN_INTERACTIVE) {
    suggest_reference_layers(*host, call.values);
    if (!run_transfer_dialog(call.values, call.weights, call.generator)) return -1;
    remember_weights_folder(call.weights);
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
    const bool is_transfer = g_strcmp0(name, kTransferProcedure) == 0;
    if (n_params < 3) throw Error(_("Missing run-mode, image or drawable."));
    const gint32 image = param[1].data.d_image, drawable = param[2].data.d_drawable;
    const gint32 layer = is_transfer ? run_transfer_procedure(mode, image, drawable, n_params, param)
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
