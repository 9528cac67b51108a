// `barbershop generate`: runs the StyleGAN2 generator on W+ codes (engine/tools.h).
#include "cli/commands.h"
#include "engine/error.h"
#include "engine/tools.h"

namespace barbershop::cli {
namespace {

const char kUsage[] =
    "usage: barbershop generate --checkpoint G.pt --latent W.npy --out OUT.npy|OUT.png\n"
    "                           [--seed N]\n"
    "                           [--stop-after-block K]\n"
    "                           [--start-from-block K --features F.npy]\n"
    "                           [--device auto|cpu|cuda[:N]]\n"
    "\n"
    "Synthesises an image (or a feature map) with a StyleGAN2 generator.\n"
    "Block 0 is the 4x4 stage; block k >= 1 works at 4*2^k (F = block 3's output).\n"
    "\n"
    "  --checkpoint PATH     generator in rosinality's layout (ffhq.pt: g_ema, latent_avg);\n"
    "                        the size (64..1024) is read from the weights\n"
    "  --latent PATH         W+ codes, float .npy [n,512] or [1,n,512] with\n"
    "                        n = 2*log2(size)-2 (18 at 1024); [512] = one w for all n\n"
    "  --out PATH            .npy: the image [3,R,R] in [-1,1] (not clamped), or with\n"
    "                        --stop-after-block the feature map [C,H,W]; .png: 8-bit RGB\n"
    "  --seed N              0 (default): the checkpoint's noise buffers; 1 to 2147483647:\n"
    "                        fresh N(0,1) noise drawn from that seed, as in `transfer`\n"
    "  --stop-after-block K  write the feature map after block K instead of the image\n"
    "  --start-from-block K  start at block K >= 1 from --features, the output of\n"
    "                        block K-1; as in the Barbershop reference the RGB skip\n"
    "                        starts at zero there\n"
    "  --features PATH       feature map .npy [C,H,W] or [1,C,H,W] for --start-from-block\n"
    "  --device NAME         where to run (default auto: cuda when available)\n";

int run(const Args& args) {
  tools::GenerateRequest request;
  request.checkpoint = args.required("checkpoint");
  request.latent = args.required("latent");
  request.out = args.required("out");
  request.seed = args.integer("seed", 0);
  if (args.get("stop-after-block")) request.stop_after_block = args.integer("stop-after-block", 0);
  if (args.get("start-from-block")) request.start_from_block = args.integer("start-from-block", 0);
  request.features = args.get("features");
  request.device = args.get_or("device", "auto");
  tools::generate(request);
  return 0;
}

}  // namespace

const Command generate_command{
    "generate",
    kUsage,
    {"checkpoint", "latent", "out", "seed", "stop-after-block", "start-from-block",
     "features", "device"},
    {},
    &run};

}  // namespace barbershop::cli
