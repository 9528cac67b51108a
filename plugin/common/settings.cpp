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
  // Seed 0: the generator's stored noise (deterministic, as the reference);
  // any other value: random noise drawn from this seed.
  options.noise = values.seed == 0 ? NoiseMode::Stored : NoiseMode::Random;
  options.seed = static_cast<uint64_t>(static_cast<uint32_t>(values.seed));
  options.weights_dir = weights;
  return options;
}

std::string transfer_layer_name(const std::string& identity, const std::string& structure,
                                const std::string& appearance) {
  return "Barbershop: " + identity + " + " + structure + "/" + appearance;
}

std::string hair_mask_layer_name(const std::string& face) { return std::string(_("Hair mask")) + ": " + face; }

}  // namespace barbershop::plugin
