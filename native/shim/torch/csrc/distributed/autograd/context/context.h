// Stand-in for libtorch's distributed-autograd context header, which c10d/reducer.hpp includes
// but Debian's libtorch-dev does not ship (it leaves out the RPC headers). The Reducer only
// holds a shared_ptr to the context and names its GradCallback type, so a declaration with the
// same GradCallback is enough: torch-ts never creates or reads a context, and a pointer's
// layout does not depend on its pointee. Used for native/distributed.cc alone, and only when
// the real header is missing (CMakeLists.txt).
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
