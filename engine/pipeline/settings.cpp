#include "engine/settings.h"

#include <cstdlib>
#include <sstream>

#include "engine/error.h"

namespace barbershop {

bool StepCounts::operator==(const StepCounts& o) const {
  return w == o.w && fs == o.fs && mask == o.mask && align1 == o.align1 && align2 == o.align2 &&
         blend == o.blend;
}

bool SpeedOptions::operator==(const SpeedOptions& o) const {
  return bf16 == o.bf16 && channels_last == o.channels_last && fused_adam == o.fused_adam &&
         cuda_graphs == o.cuda_graphs && memory_cap_mb == o.memory_cap_mb;
}

StepCounts preset_steps(Preset preset) {
  if (preset == Preset::Paper) return StepCounts{};
  return StepCounts{250, 80, 30, 40, 30, 100};
}

Preset parse_preset(const std::string& name) {
  if (name == "paper") return Preset::Paper;
  if (name == "fast") return Preset::Fast;
  throw Error("unknown preset '" + name + "'; use paper or fast", "preset");
}

TargetMode parse_target_mode(const std::string& name) {
  if (name == "realistic") return TargetMode::Realistic;
  if (name == "fidelity") return TargetMode::Fidelity;
  throw Error("unknown mode '" + name + "'; use realistic or fidelity", "mode");
}

NoiseMode noise_of_seed(int64_t seed) {
  if (seed < 0 || seed > kLargestSeed)
    throw Error("the seed takes 0 (the generator's stored noise) or 1 to " + std::to_string(kLargestSeed) +
                    " (random noise drawn from that seed), not " + std::to_string(seed) +
                    "; pick a seed in that range",
                "seed");
  return seed == 0 ? NoiseMode::Stored : NoiseMode::Random;
}

AlignMode parse_align_mode(const std::string& name) {
  if (name == "auto") return AlignMode::Auto;
  if (name == "off") return AlignMode::Off;
  throw Error("unknown alignment mode '" + name + "'; use auto or off", "align");
}

namespace {

int* field_named(StepCounts& steps, const std::string& name) {
  if (name == "w") return &steps.w;
  if (name == "fs") return &steps.fs;
  if (name == "mask") return &steps.mask;
  if (name == "align1") return &steps.align1;
  if (name == "align2") return &steps.align2;
  if (name == "blend") return &steps.blend;
  return nullptr;
}

int parse_count(const std::string& entry, const std::string& value) {
  try {
    size_t used = 0;
    const int count = std::stoi(value, &used);
    if (used == value.size() && count >= 1) return count;
  } catch (const std::exception&) {
  }
  throw Error("step count '" + entry + "' needs a whole number of at least 1", "steps");
}

}  // namespace

StepCounts parse_steps(const std::string& text, StepCounts base) {
  std::stringstream entries(text);
  std::string entry;
  while (std::getline(entries, entry, ',')) {
    if (entry.empty()) continue;
    const auto equals = entry.find('=');
    int* field = equals == std::string::npos ? nullptr : field_named(base, entry.substr(0, equals));
    if (!field)
      throw Error("bad step count '" + entry + "'; write e.g. w=2,fs=2,mask=2,align1=2,align2=2,blend=2", "steps");
    *field = parse_count(entry, entry.substr(equals + 1));
  }
  return base;
}

StepCounts resolve_steps(Preset preset, const std::string& overrides) {
  StepCounts steps = parse_steps(overrides, preset_steps(preset));
  if (const char* environment = std::getenv("BARBERSHOP_STEPS")) steps = parse_steps(environment, steps);
  return steps;
}

}  // namespace barbershop
