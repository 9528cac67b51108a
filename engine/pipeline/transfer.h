#pragma once
// The whole method on three aligned face crops, from the images to the
// composite, with networks already loaded. Hosts do not call it themselves:
// engine/barbershop.h opens the networks, aligns photos and calls it.
// Progress and cancellation go through TransferProgress.
#include "engine/pipeline/images.h"
#include "engine/pipeline/models.h"
#include "engine/pipeline/progress.h"
#include "engine/settings.h"

namespace barbershop {

// Throws barbershop::Error on unusable input, Cancelled when cancelled.
TransferOutput transfer(const Models& models, const TransferTensors& images, const TransferSettings& settings,
                        const TransferProgress& progress);

}  // namespace barbershop
