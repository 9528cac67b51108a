#pragma once
// Embedding an image in FS space (paper section 3.1; docs/method.md, "Embedding"):
// II2S finds W+ codes that reconstruct it, then F (the block-3 feature map)
// and S (the codes after it) are refined together.
#include <ATen/core/Tensor.h>

#include <vector>

#include "engine/pipeline/stage.h"

namespace barbershop {

struct Embedding {
  at::Tensor w_plus;  // [1,n,512], the II2S result
  at::Tensor latent;  // [1,n,512], the FS codes: below kSIndex equal to w_plus, S from there
  at::Tensor F;       // [1,C,32,32]
};

// images: [B,3,R,R] in [-1,1] on the models' device, R the generator's size;
// one embedding per image, in order. The B images are optimised together as
// one batch, but each follows the path it would follow alone: the batch loss
// is the sum of the images' own losses and Adam acts element by element, so
// the batch changes only how often the networks run (once per step instead
// of B times), not the result.
std::vector<Embedding> embed(const StageContext& context, const at::Tensor& images);

}  // namespace barbershop
