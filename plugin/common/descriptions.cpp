#include "plugin/common/descriptions.h"

#include <glib.h>

#include "plugin/common/i18n.h"

namespace barbershop::plugin {

const ProcedureText kTransferText = {
    N_("_Hair Transfer..."), N_("Give a face the hair shape of one layer and the hair colour of another"),
    "Barbershop (Zhu et al. 2021): the face of the identity layer (the procedure's drawable) with the hair shape of "
    "the structure layer and the hair colour and texture of the appearance layer, as a new layer. Layers are photos "
    "with a face (the selection picks one of several) or aligned face crops; the face is aligned for the method and "
    "the result pasted back, so only the hair changes. Weights: $BARBERSHOP_WEIGHTS or "
    "~/.local/share/barbershop/weights."};

const ProcedureText kHairMaskText = {
    N_("Hair _Mask..."), N_("Add the hair region of a face layer as a mask layer"),
    "The face parser's hair region of the layer, white on black, as a new layer to paint and feed back as a hair "
    "mask of plug-in-barbershop."};

// No menu entry: the transfer dialog's "Download missing files" button runs
// the same code; scripts and tests call this.
const ProcedureText kDownloadText = {
    nullptr, "Download the missing Barbershop weights files",
    "Fetches the weights files a transfer needs (ffhq.pt, seg.pth, vgg16-397923af.pth, vgg.pth) that the folder "
    "lacks or holds damaged, checks each by loading it and records it in manifest.json, as `barbershop weights "
    "download` does."};

const LayerArgument kLayerArguments[kLayerArgumentCount] = {
    {"structure", N_("Hair _shape (structure):"),
     "Structure layer: the hair shape; a layer group: one transfer per layer, into a new group"},
    {"appearance", N_("Hair _colour (appearance):"),
     "Appearance layer: the hair colour and texture; a layer group: one per layer (paired in order with a "
     "structure group of the same length)"},
    {"identity-mask", N_("Face hair mask:"),
     "Hair mask of the identity layer (white = hair); none (-1 in GIMP 2.10): found"},
    {"structure-mask", N_("Shape hair mask:"), "Hair mask of the structure layer; none (-1 in GIMP 2.10): found"},
    {"appearance-mask", N_("Colour hair mask:"), "Hair mask of the appearance layer; none (-1 in GIMP 2.10): found"},
    {"target-mask", N_("Target hair mask:"), "Hair mask of the result; none (-1 in GIMP 2.10): made from the others"},
};

const char* const kGeneratorBlurb =
    "A StyleGAN2 generator file in the weights folder, by its name; \"\": ffhq.pt";
const char* const kSeedBlurb =
    "0: the generator's stored noise (repeatable); 1 to 2147483647: random noise drawn from this seed; "
    "others are refused";
const char* const kWeightsFolderBlurb = "Where the files go; \"\": the plug-in's weights folder";
const char* const kUrlBaseBlurb =
    "Fetch <url-base>/<file> (a mirror); \"\": $BARBERSHOP_WEIGHTS_URL_BASE, else the official addresses";

std::string beside_executable(const std::string& executable, const char* name) {
  gchar* dir = g_path_get_dirname(executable.c_str());
  gchar* path = g_build_filename(dir, name, nullptr);
  const std::string found = g_file_test(path, G_FILE_TEST_EXISTS) ? path : "";
  g_free(path);
  g_free(dir);
  return found;
}

}  // namespace barbershop::plugin
