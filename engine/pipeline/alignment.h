#pragma once
// Alignment (paper section 3.3; docs/method.md, "Alignment"): moves a reference image's
// embedding so that its segmentation matches the target mask, then mixes
// the F feature maps so that each region comes from the right image.
#include <ATen/core/Tensor.h>

#include "engine/pipeline/embedding.h"
#include "engine/pipeline/target_mask.h"

namespace barbershop {

// What the alignment of (identity, reference) needs of each image.
struct AlignmentInput {
  const Embedding& embedding;
  at::Tensor hair;  // the parser's hair mask [1,1,512,512] float 0/1
};

// Returns F_mix [1,C,32,32]: identity regions from the identity's F, the
// target hair region from the reference aligned to the target mask.
at::Tensor align(const StageContext& context, const AlignmentInput& identity,
                 const AlignmentInput& reference, const TargetMask& target);

}  // namespace barbershop
