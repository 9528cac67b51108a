#include "engine/pipeline/progress.h"

#include "engine/io/image_tensor.h"

namespace barbershop {

void TransferProgress::deliver(PreviewMoment moment, const at::Tensor& image, const StepPoint& at) const {
  if (!host_.preview_callback() || !run_) return;
  host_.preview_callback()(Preview{moment, image_of_tensor(image), at});
  run_->last_preview = Clock::now();
}

}  // namespace barbershop
