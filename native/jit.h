// TorchScript: torch.jit.load/save, running script methods, tracing torch-ts modules into
// script modules, freeze and optimize_for_inference (native/jit.cc, native/jit_ivalue.cc).
// Declared here rather than in common.h so that adding to it rebuilds only these files.
#pragma once

#include "common.h"

#include <ATen/core/ivalue.h>

namespace tts {

void RegisterJit(Napi::Env env, Napi::Object exports);

// IValue <-> JS, in the tagged form lib/jit/ivalue.ts reads and writes: null, booleans,
// numbers and strings as themselves; everything else as { k, ... } with k = "t" (tensor
// handle h), "l" (list v), "u" (tuple v), "d" (dict v: [key, value] pairs), "dev" (device
// string v), "m" (a submodule: ref), "o" (an object torch-ts cannot show: type name).
Napi::Value IValueToJs(Napi::Env env, const c10::IValue& value);
// `where` names the argument in errors ("forward: argument 'x'").
c10::IValue IValueFromJs(const Napi::Value& value, const c10::TypePtr& type, const std::string& where);
// A script module (an object whose type is a module) as a JS reference (native/jit.cc).
Napi::Value WrapModuleObject(Napi::Env env, c10::intrusive_ptr<c10::ivalue::Object> object);

}  // namespace tts
