// torch.distributed over c10d (native/distributed.cc). Declared here, not in common.h, so
// that changing it rebuilds only the files that use it.
#pragma once

#include "common.h"

namespace tts {

void RegisterDistributed(Napi::Env env, Napi::Object exports);
// Whether this build has c10d's Gloo backend (torch.config().distributedBackends).
bool HasGloo();

}  // namespace tts
