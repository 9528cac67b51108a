#include "engine/weights/check.h"

#include "engine/losses/lpips.h"
#include "engine/networks/bisenet.h"
#include "engine/networks/stylegan2.h"
#include "engine/networks/vgg16.h"

namespace barbershop::weights {

// The loaders the transfer itself uses, so a file accepted here is a file
// the transfer can load; the networks are dropped at once.
void check_weights_file(const std::string& path, Role role) {
  switch (role) {
    case Role::Generator:
      stylegan2::load_generator(path);
      return;
    case Role::Parser:
      FaceParser::load(path);
      return;
    case Role::Vgg16:
      Vgg16::load(path);
      return;
    case Role::Lpips:
      Lpips(Vgg16(), path);
      return;
  }
}

}  // namespace barbershop::weights
