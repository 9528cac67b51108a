#include "plugin/remembered.h"

#include <libgimp/gimp.h>

#include <cstdlib>

#include "plugin/engine_bridge.h"

namespace barbershop::plugin {
namespace {

constexpr const char* kWeightsParasite = "barbershop-weights-folder";

std::string chosen_weights_folder() {
  GimpParasite* parasite = gimp_get_parasite(kWeightsParasite);
  if (!parasite) return "";
  std::string folder(static_cast<const char*>(gimp_parasite_data(parasite)), gimp_parasite_data_size(parasite));
  gimp_parasite_free(parasite);
  return folder;
}

}  // namespace

TransferValues last_transfer_values(const char* procedure) {
  TransferValues values;
  if (gimp_get_data_size(procedure) == sizeof values) gimp_get_data(procedure, &values);
  return values;
}

void remember_transfer_values(const char* procedure, const TransferValues& values) {
  gimp_set_data(procedure, &values, sizeof values);
}

std::string weights_folder(bool interactive) {
  const char* environment = std::getenv("BARBERSHOP_WEIGHTS");
  const bool from_environment = environment && *environment;
  if (!interactive && from_environment) return environment;
  const std::string chosen = chosen_weights_folder();
  return chosen.empty() ? default_weights_folder() : chosen;
}

void remember_weights_folder(const std::string& folder) {
  GimpParasite* parasite =
      gimp_parasite_new(kWeightsParasite, GIMP_PARASITE_PERSISTENT, static_cast<guint32>(folder.size()), folder.data());
  gimp_attach_parasite(parasite);
  gimp_parasite_free(parasite);
}

}  // namespace barbershop::plugin
