#pragma once
// Embedding an image in FS space (paper section 3.1, spec section 2):
// II2S finds W+ codes that reconstruct it, then F (the block-3 feature map)
// and S (the codes after it) are refined together.
#include <ATen/core/Tensor.h>

#include "engine/pipeline/stage.h"

namespace barbershop {

struct Embedding {
  at::Tensor w_plus;  // [1,n,512], the II2S result
  at::Tensor latent;  // [1,n,512], the FS codes: below kSIndex equal to w_plus, S from there
  at::Tensor F;       // [1,C,32,32]
};

// image: [1,3,R,R] in [-1,1] on the models' device, R the generator's size.
Embedding embed(const StageContext& context, const at::Tensor& image);

}  // namespace barbershop
