#pragma once
// The target segmentation mask (paper section 3.2; docs/method.md, "Target mask",
// and "Order of operations" for what must happen before what): the
// identity's regions with the structure image's hair, the region the new
// hair uncovers filled in by inpainting and by two rounds of GAN-based
// completion.
#include <ATen/core/Tensor.h>

#include "engine/pipeline/stage.h"

namespace barbershop {

struct TargetMask {
  at::Tensor labels;  // [1,512,512] int64
  at::Tensor hair;    // [1,1,512,512] float 0/1
  // Earlier states, kept so that a dump can show where a difference starts:
  // the inpainted first target, and the target after the first GAN round.
  at::Tensor initial_labels, round1_labels;  // [1,512,512] int64
};

// The first pass, before any GAN round: the identity's labels with its hair
// cleared, the structure image's hair, and the region that hair leaves
// uncovered ("OB") refilled by inpainting.
struct InitialTarget {
  at::Tensor labels;          // [1,H,W] int64
  at::Tensor uncovered;       // the OB region [1,H,W] bool
  at::Tensor not_background;  // realistic mode's background target [1,H,W] int64 (0/1)
};
InitialTarget initial_target(const at::Tensor& identity_labels, const at::Tensor& structure_labels);

// identity_labels, structure_labels: the parser's labels [1,512,512] of I1
// and I2 (hair already replaced by any user mask).
TargetMask make_target_mask(const StageContext& context, const at::Tensor& identity_labels,
                            const at::Tensor& structure_labels);

// Cross-entropy weights without / only the background class, [16].
at::Tensor class_weights_without_background(c10::Device device);

// Navier-Stokes inpainting (OpenCV INPAINT_NS, radius 3) of `values`
// [H,W] float inside `region` [H,W] bool, on the CPU. Without OpenCV an
// iterated 4-neighbour average (harmonic fill) stands in for it.
at::Tensor inpaint(const at::Tensor& values, const at::Tensor& region);

}  // namespace barbershop
