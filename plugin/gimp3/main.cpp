// The GIMP 3 plug-in's registration: a GimpPlugIn with the procedures
// plug-in-barbershop (Filters ▸ Barbershop ▸ Hair Transfer),
// plug-in-barbershop-hair-mask and plug-in-barbershop-download-weights, with
// the same arguments as in GIMP 2.10 in GIMP 3's types, and the transfer's
// generator as a last, optional argument (GIMP 2.10 has a procedure of its
// own for that, plug-in-barbershop-with-generator). The procedures
// themselves are written once in plugin/common/procedures.h; GimpHost is
// their GIMP 3.
#include <gegl.h>
#include <libgimp/gimp.h>

#include <exception>
#include <memory>
#include <string>

#include "plugin/common/descriptions.h"
#include "plugin/common/gimp_shared.h"
#include "plugin/common/i18n.h"
#include "plugin/common/messages.h"
#include "plugin/common/procedures.h"
#include "plugin/packaging/bundled_files.h"
#include "plugin/gimp3/dialog.h"
#include "plugin/gimp3/gimp_host.h"

namespace barbershop::plugin {
namespace {

std::string g_executable;

void set_common_properties(GimpProcedure* procedure, const ProcedureText& text) {
  gimp_procedure_set_image_types(procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask(procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_menu_label(procedure, _(text.menu_label));
  gimp_procedure_add_menu_path(procedure, kMenuPath);
  gimp_procedure_set_documentation(procedure, _(text.blurb), text.help, nullptr);
  gimp_procedure_set_attribution(procedure, kAuthors, kAuthors, kDate);
  const std::string icon = beside_executable(g_executable, kIconFile);
  if (!icon.empty()) {
    GFile* file = g_file_new_for_path(icon.c_str());
    gimp_procedure_set_icon_file(procedure, file);
    g_object_unref(file);
  }
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
  set_common_properties(procedure, kTransferText);
  for (int k = 0; k < kLayerArgumentCount; ++k)
    gimp_procedure_add_drawable_argument(procedure, kLayerArguments[k].name, _(kLayerArguments[k].label),
                                         kLayerArguments[k].blurb, k >= 2 /* the masks: none allowed */,
                                         G_PARAM_READWRITE);
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
  gimp_procedure_add_int_argument(procedure, "seed", _("S_eed:"), kSeedBlurb, 0, G_MAXINT, defaults.seed,
                                  G_PARAM_READWRITE);
  // Last, with a default: calls that do not name it (every script written
  // before it was added) get ffhq.pt. The dialog remembers it with the
  // other arguments.
  gimp_procedure_add_string_argument(procedure, "generator", _("_Generator:"), kGeneratorBlurb, "",
                                     G_PARAM_READWRITE);
  // After it, with a default (0: none), for the same reason.
  gimp_procedure_add_double_argument(procedure, "time-limit", _("_Time limit (seconds):"),
                                     "Seconds after which the latest composite is kept as the result, as the "
                                     "progress window's Stop and keep does; 0: none",
                                     0, G_MAXDOUBLE, 0, G_PARAM_READWRITE);
  // Only the dialog's: remembered with the other values, not a PDB argument.
  gimp_procedure_add_file_aux_argument(procedure, "weights-folder", _("_Weights folder:"),
                                       "The folder with the weights files", GIMP_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                       TRUE, nullptr, G_PARAM_READWRITE);
  return procedure;
}

GimpProcedure* hair_mask_procedure(GimpPlugIn* plug_in) {
  GimpProcedure* procedure = gimp_image_procedure_new(plug_in, kHairMaskProcedure, GIMP_PDB_PROC_TYPE_PLUGIN,
                                                      run_hair_mask_procedure, nullptr, nullptr);
  set_common_properties(procedure, kHairMaskText);
  return procedure;
}

// No menu entry: what the dialog's "Download missing files" button runs, for
// scripts and tests.
GimpProcedure* download_procedure(GimpPlugIn* plug_in) {
  GimpProcedure* procedure =
      gimp_procedure_new(plug_in, kDownloadProcedure, GIMP_PDB_PROC_TYPE_PLUGIN, run_download_procedure, nullptr,
                         nullptr);
  gimp_procedure_set_documentation(procedure, kDownloadText.blurb, kDownloadText.help, nullptr);
  gimp_procedure_set_attribution(procedure, kAuthors, kAuthors, kDate);
  gimp_procedure_add_enum_argument(procedure, "run-mode", "Run mode", "The run mode", GIMP_TYPE_RUN_MODE,
                                   GIMP_RUN_NONINTERACTIVE, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument(procedure, "weights-folder", "Weights folder", kWeightsFolderBlurb, "",
                                     G_PARAM_READWRITE);
  gimp_procedure_add_string_argument(procedure, "url-base", "URL base", kUrlBaseBlurb, "", G_PARAM_READWRITE);
  return procedure;
}

LayerId config_layer(GimpProcedureConfig* config, const char* name) {
  GimpDrawable* drawable = nullptr;
  g_object_get(config, name, &drawable, nullptr);
  const LayerId id = id_of(drawable);
  if (drawable) g_object_unref(drawable);  // the image keeps it alive
  return id;
}

TransferCall call_from(GimpProcedureConfig* config, LayerId identity, bool interactive) {
  TransferCall call;
  TransferValues& values = call.values;
  values.identity = identity;
  for (int k = 0; k < kLayerArgumentCount; ++k)
    *values.layer_arguments()[k] = config_layer(config, kLayerArguments[k].name);
  values.preset = gimp_procedure_config_get_choice_id(config, "preset");
  values.mode = gimp_procedure_config_get_choice_id(config, "mode");
  g_object_get(config, "smooth", &values.smooth, "seed", &values.seed, nullptr);
  call.weights = weights_folder(interactive, config_folder(config, "weights-folder"));
  call.generator = config_string(config, "generator");
  g_object_get(config, "time-limit", &call.time_limit, nullptr);
  return call;
}

// First use (or the remembered layers are gone): the image's other layers
// as hair shape and colour.
void suggest_reference_layers(const Host& host, LayerId face, GimpProcedureConfig* config) {
  TransferValues values;
  values.identity = face;
  values.structure = config_layer(config, "structure");
  values.appearance = config_layer(config, "appearance");
  plugin::suggest_reference_layers(host, values);
  g_object_set(config, "structure", gimp_drawable_get_by_id(values.structure), "appearance",
               gimp_drawable_get_by_id(values.appearance), nullptr);
}

// The image procedure's one drawable, the face; kNoLayer unless it is one.
LayerId the_face(GimpDrawable** drawables) {
  return drawables && drawables[0] && !drawables[1] ? id_of(drawables[0]) : kNoLayer;
}

// An error's return values; the progress window's Cancel: GIMP's cancel.
GimpValueArray* failed(GimpProcedure* procedure, const std::exception& error) {
  if (is_cancel(error)) return gimp_procedure_new_return_values(procedure, GIMP_PDB_CANCEL, nullptr);
  const std::string message = message_of(error);
  return gimp_procedure_new_return_values(procedure, GIMP_PDB_EXECUTION_ERROR,
                                          g_error_new_literal(GIMP_PLUG_IN_ERROR, 0, message.c_str()));
}

GimpValueArray* succeeded(GimpProcedure* procedure, GimpRunMode mode, LayerId layer) {
  if (mode != GIMP_RUN_NONINTERACTIVE) gimp_displays_flush();
  GimpValueArray* values = gimp_procedure_new_return_values(procedure, GIMP_PDB_SUCCESS, nullptr);
  GIMP_VALUES_SET_LAYER(values, 1, gimp_layer_get_by_id(layer));
  return values;
}

GimpValueArray* run_transfer_procedure(GimpProcedure* procedure, GimpRunMode mode, GimpImage* image,
                                       GimpDrawable** drawables, GimpProcedureConfig* config, gpointer) {
  gegl_init(nullptr, nullptr);
  try {
    // Every run but a script's shows the plug-in's progress window.
    const std::unique_ptr<Host> host = gimp_host(image, mode != GIMP_RUN_NONINTERACTIVE);
    const LayerId face = the_face(drawables);
    require_face_layer(*host, face);
    if (mode == GIMP_RUN_INTERACTIVE) {
      suggest_reference_layers(*host, face, config);
      if (!run_transfer_dialog(procedure, config, gimp_drawable_get_by_id(face)))
        return gimp_procedure_new_return_values(procedure, GIMP_PDB_CANCEL, nullptr);
    }
    return succeeded(procedure, mode, transfer(*host, call_from(config, face, mode != GIMP_RUN_NONINTERACTIVE)));
  } catch (const std::exception& error) {
    return failed(procedure, error);
  }
}

GimpValueArray* run_hair_mask_procedure(GimpProcedure* procedure, GimpRunMode mode, GimpImage* image,
                                        GimpDrawable** drawables, GimpProcedureConfig*, gpointer) {
  gegl_init(nullptr, nullptr);
  try {
    const std::string weights = weights_folder(mode != GIMP_RUN_NONINTERACTIVE, "");
    return succeeded(procedure, mode, hair_mask(*gimp_host(image), the_face(drawables), weights));
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
    const std::string weights = folder.empty() ? weights_folder(mode != GIMP_RUN_NONINTERACTIVE, "") : folder;
    download_weights(*gimp_host(nullptr), weights, config_string(config, "url-base"));
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
  using namespace barbershop::plugin;
  if (beside_executable(g_executable, "locale").empty()) return FALSE;
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
