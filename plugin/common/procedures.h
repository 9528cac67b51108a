#pragma once
// Names GIMP knows the plug-in by; scripts and tests call the procedures.
namespace barbershop::plugin {

constexpr const char* kPluginBinary = "barbershop-gimp";
constexpr const char* kTransferProcedure = "plug-in-barbershop";
constexpr const char* kHairMaskProcedure = "plug-in-barbershop-hair-mask";
// What the dialog's "Download missing files" button runs, for scripts and tests.
constexpr const char* kDownloadProcedure = "plug-in-barbershop-download-weights";
constexpr const char* kMenuPath = "<Image>/Filters/Barbershop";
constexpr const char* kIconFile = "barbershop.svg";

}  // namespace barbershop::plugin
