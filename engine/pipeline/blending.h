#pragma once
// Blending (paper section 3.4; docs/method.md, "Blending"): mixes the S codes of the
// identity and the appearance image, u in [0,1] per code and channel, so
// the face keeps the identity's look and the hair takes the appearance's.
#include <ATen/core/Tensor.h>

#include <optional>

#include "engine/pipeline/embedding.h"

namespace barbershop {

struct BlendingInput {
  const Embedding& identity;
  const Embedding& appearance;
  at::Tensor identity_image;     // [1,3,R,R] in [-1,1]
  at::Tensor appearance_image;   // [1,3,R,R]
  at::Tensor identity_hair;      // [1,1,512,512] float 0/1 (parser or user mask)
  at::Tensor appearance_hair;    // [1,1,512,512]
  at::Tensor F_mix_appearance;   // F mix of the (identity, appearance) alignment
  at::Tensor F_mix_structure;    // F mix of the (identity, structure) alignment: renders the result
};

struct BlendingResult {
  at::Tensor u;       // [n,512] in [0,1]
  at::Tensor latent;  // [1,n,512] the blended codes
  at::Tensor image;   // [1,3,R,R]
  std::optional<StepPoint> stopped;  // the step the host stopped at (TransferProgress::stop_requested)
};

// Offers colour previews every few steps (TransferProgress::wants_preview) and, when
// the host stops, ends after the current step with its composite.
BlendingResult blend(const StageContext& context, const BlendingInput& input);

// The generated image with the new hair shape before blending (u = 0: the
// identity's S codes on the (identity, structure) F mix), [1,3,R,R]. A
// random noise source is not advanced.
at::Tensor shape_composite(const StageContext& context, const at::Tensor& F_mix_structure, const Embedding& identity);

}  // namespace barbershop
