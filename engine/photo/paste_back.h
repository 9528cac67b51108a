#pragma once
// Putting a transfer result back into the photo it was aligned from: the
// result is warped back with the inverse of the alignment and blended in
// with a feathered mask over what the transfer changed (the hair of the
// result and of the original, dilated). Every photo pixel where the mask is
// 0 keeps its exact value.
#include <ATen/core/Tensor.h>

#include "engine/networks/bisenet.h"
#include "engine/photo/ffhq_align.h"

namespace barbershop {

// What a transfer changes in the aligned square: the parser's hair of the
// aligned identity and of the result, plus `also` (e.g. the user's identity
// hair mask, aligned) when given. All square, any sizes -> [n,n] float 0/1 at
// the result's size n.
at::Tensor changed_region(const FaceParser& parser, const at::Tensor& aligned_identity, const at::Tensor& result,
                          const at::Tensor& also = {});

// The blending weight in the aligned square: `region` ([n,n] 0/1) dilated by
// n/32 pixels, blurred over as much, and faded to 0 towards the square's
// border so the pasted square has no visible edge. [n,n] in [0,1].
at::Tensor feathered_mask(const at::Tensor& region);

struct PastedPhoto {
  at::Tensor image;  // [3,H,W]: the photo with `result` blended in
  at::Tensor mask;   // [H,W] in [0,1]: the weight `result` got; 0 = pixel untouched
};

// photo [3,H,W] in [-1,1]; result [3,n,n], the transfer of the aligned crop;
// region [m,m] what changed in it (changed_region).
PastedPhoto paste_back(const at::Tensor& photo, const at::Tensor& result, const AlignTransform& transform,
                       const at::Tensor& region);

}  // namespace barbershop
