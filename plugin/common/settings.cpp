#include "plugin/common/settings.h"

#include "engine/error.h"
#include "plugin/common/i18n.h"

namespace barbershop::plugin {

TransferOptions options_from(const TransferValues& values, const std::string& weights) {
  if (values.preset < 0 || values.preset > 1) throw Error("preset must be 0 (paper) or 1 (fast)");
  if (values.mode < 0 || values.mode > 1) throw Error("mode must be 0 (realistic) or 1 (fidelity)");
  TransferOptions options;
  options.preset = values.preset == 0 ? Preset::Paper : Preset::Fast;
  options.mode = values.mode == 0 ? TargetMode::Realistic : TargetMode::Fidelity;
  options.smooth = values.smooth;
  options.seed = values.seed;  // meaning and range: noise_of_seed, which check_inputs applies
  options.weights_dir = weights;
  return options;
}

std::string transfer_layer_name(const std::string& identity, const std::string& structure,
                                const std::string& appearance) {
  return "Barbershop: " + identity + " + " + structure + "/" + appearance;
}

std::string hair_mask_layer_name(const std::string& face) { return std::string(_("Hair mask")) + ": " + face; }

}  // namespace barbershop::plugin
