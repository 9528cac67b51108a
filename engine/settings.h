#pragma once
// What a transfer is asked to do, independent of any host: step counts,
// presets, mode, smoothing, noise and cache. A door header (plain types, no
// LibTorch header), so the hosts name these settings without LibTorch.
#include <cstdint>
#include <string>

namespace barbershop {

// Optimisation steps of each stage (docs/method.md, "Step counts").
struct StepCounts {
  int w = 1100;     // II2S W+ embedding
  int fs = 250;     // FS embedding
  int mask = 80;    // each of the two GAN-completion rounds of the target mask
  int align1 = 140; // alignment step 1 (identity latent)
  int align2 = 100; // alignment step 2 (structure latent, with style loss)
  int blend = 400;  // blending
  bool operator==(const StepCounts& other) const;
};

enum class Preset { Paper, Fast };
enum class TargetMode { Realistic, Fidelity };
enum class NoiseMode { Stored, Random };
enum class AlignMode {
  Auto,  // align every image that is not already an FFHQ crop of its face
  Off,   // take the images as they are (square aligned crops)
};

// `paper`: the counts above. `fast`: about a quarter of them (w=250, fs=80,
// mask=30, align1=40, align2=30, blend=100), chosen so each loss still falls
// most of its way; for previews.
StepCounts preset_steps(Preset preset);
Preset parse_preset(const std::string& name);           // "paper" | "fast"
TargetMode parse_target_mode(const std::string& name);  // "realistic" | "fidelity"
AlignMode parse_align_mode(const std::string& name);    // "auto" | "off"

// The one seed every host offers (--seed, the batch's seed column, the
// plug-ins' seed): 0, the default, is the generator's stored noise
// (deterministic; the reference draws fresh noise, docs/method.md); 1 to
// kLargestSeed is random noise drawn from that seed, the same result again
// for the same seed, cached embeddings or not. The largest is what a GIMP
// PDB int holds, so a seed means the same in every host.
constexpr int64_t kLargestSeed = 2147483647;
// The noise `seed` asks for; throws barbershop::Error (setting "seed")
// outside 0..kLargestSeed rather than cutting it to fit.
NoiseMode noise_of_seed(int64_t seed);

// Applies "w=2,fs=2,mask=2,align1=2,align2=2,blend=2" (any subset) to `base`.
// Throws barbershop::Error naming the bad entry.
StepCounts parse_steps(const std::string& text, StepCounts base);

// The steps a transfer uses: the preset, then `overrides` (e.g. --steps),
// then the environment variable BARBERSHOP_STEPS, which wins everywhere so
// tests can run the whole pipeline in seconds.
StepCounts resolve_steps(Preset preset, const std::string& overrides);

// How the optimisation steps are computed: each measure changes the speed
// and the memory, not the method. barbershop-bench measures each against the
// float32 eager baseline (all off) in the same process; docs of each field
// say whether it stays within 2 levels of 255 of that baseline's image.
struct SpeedOptions {
  // The generator, VGG16 and BiSeNet forwards in bfloat16 autocast; latents,
  // losses' reductions and Adam's state stay float32.
  bool bf16 = false;
  // The networks' convolution weights (and so their activations) in
  // channels-last memory format: the same numbers in another layout.
  bool channels_last = false;
  // Adam as one fused update of all parameters of a stage (LibTorch's
  // _fused_adam_ kernel) instead of torch::optim::Adam's per-parameter ops:
  // the same arithmetic, so on by default.
  bool fused_adam = true;
  // CUDA only: each stage's step (forward, backward and the fused Adam
  // update) captured once as a CUDA graph and replayed; ignored on the CPU,
  // with random noise and in builds without CUDA.
  bool cuda_graphs = false;
  // Peak device memory to stay under, in MiB (0: no cap): the distinct
  // images are then embedded in micro-batches small enough to fit.
  int64_t memory_cap_mb = 0;
  bool operator==(const SpeedOptions& other) const;
};

struct TransferSettings {
  StepCounts steps;
  TargetMode mode = TargetMode::Realistic;
  int smooth = 5;               // dilation / erosion iterations in alignment
  NoiseMode noise = NoiseMode::Stored;  // stored buffers: deterministic
  uint64_t seed = 0;            // for NoiseMode::Random (see noise_of_seed)
  double learning_rate = 0.01;
  std::string cache_dir;        // empty: no embedding cache
  // How many distinct images are embedded together as one batch (the result
  // is the same). 0: all of them on a GPU, where it saves time, and one at a
  // time on the CPU, where it saves little and multiplies the memory.
  int embedding_batch = 0;
  SpeedOptions speed;
};

}  // namespace barbershop
