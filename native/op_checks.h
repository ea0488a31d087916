// Checks that libtorch 1.13's kernels lack, run by native/dispatch.cc's boxed call before the ops
// they name (see op_checks.cc).
#pragma once

#include <ATen/core/function_schema.h>
#include <ATen/core/stack.h>

#include <string>

namespace tts {

// Raises (c10::Error, which the one error path turns into a TorchError) when the call's
// arguments would crash or hang the process inside the op. `stack` holds the final arguments,
// schema defaults filled in.
using OpCheck = void (*)(const c10::FunctionSchema& schema, const torch::jit::Stack& stack);

// The check for an operator ("aten::max_unpool2d", any overload), or nullptr when it needs none.
OpCheck OpCheckFor(const std::string& name);

}  // namespace tts
