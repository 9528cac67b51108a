#pragma once
// What the procedure browser says of the procedures and their arguments,
// the same in GIMP 2.10 and GIMP 3 (each registers them in its own types).
// Menu labels, blurbs and argument labels are marked for translation.
#include <string>

namespace barbershop::plugin {

constexpr const char* kAuthors = "Barbershop for GIMP developers";
constexpr const char* kDate = "2026";

struct ProcedureText {
  const char* menu_label;  // nullptr: no menu entry
  const char* blurb;
  const char* help;
};
extern const ProcedureText kTransferText, kHairMaskText, kDownloadText;

// The transfer's layer arguments after the run mode, the image and the
// drawable (the face), in PDB order: shape, colour, then the four masks,
// which may be none.
struct LayerArgument {
  const char* name;
  const char* label;
  const char* blurb;
};
constexpr int kLayerArgumentCount = 6;
extern const LayerArgument kLayerArguments[kLayerArgumentCount];

// The transfer's generator argument (GIMP 3; GIMP 2.10's
// plug-in-barbershop-with-generator): a file in the weights folder.
extern const char* const kGeneratorBlurb;

// The transfer's seed argument, as every host means it (noise_of_seed,
// engine/settings.h).
extern const char* const kSeedBlurb;

// The download's arguments after the run mode.
extern const char* const kWeightsFolderBlurb;
extern const char* const kUrlBaseBlurb;

// `name` in the folder of `executable` when it is there, else "".
std::string beside_executable(const std::string& executable, const char* name);

}  // namespace barbershop::plugin
