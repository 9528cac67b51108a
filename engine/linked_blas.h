#pragma once
// Which BLAS the process's matrix products run on. LibTorch's PyPI build
// carries its own (MKL) and exports its symbols; a system BLAS that the
// dynamic linker loads ahead of LibTorch (dlib pulls in Debian's reference
// libblas.so.3) takes over LibTorch's own calls, which makes matrix products
// slower and changes results in their last bits. Hosts link LibTorch before
// dlib so that this does not happen; `doctor` reports what it sees.
#include <string>

namespace barbershop {

struct LinkedBlas {
  std::string used;      // the file whose sgemm_ this process calls ("" when none is loaded)
  std::string libtorch;  // the file LibTorch's own sgemm_ is in ("" when it has none)
  bool libtorchs_own() const { return !used.empty() && used == libtorch; }
};
LinkedBlas linked_blas();

}  // namespace barbershop
