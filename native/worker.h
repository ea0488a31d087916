// The base of the addon's asynchronous work: a Napi::AsyncWorker that settles one promise.
//
// Why not Napi::AsyncWorker's own completion: the work can finish after its environment began
// to stop, when a worker_thread exited (process.exit, terminate(), an uncaught error) while the
// work ran on the libuv pool. N-API then refuses to call into JS; node-addon-api reports that
// refusal by throwing a C++ exception from the libuv callback, where nothing catches it:
// std::terminate, and the whole process aborts. Here completion catches it. The promise is
// settled while it still can be; otherwise nobody is left to receive the result, and it is
// dropped with this object (its tensors are freed now, and any handle already made is freed
// with the environment's tensor table).
#pragma once

#include "common.h"

namespace tts {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* resourceName);
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  // Runs on a libuv thread: no N-API here. A thrown c10::Error or std::exception rejects the
  // promise with a TorchError carrying its message.
  virtual void Run() = 0;
  // Runs on the environment's thread once Run() succeeded: the value the promise resolves to.
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute() final;
  void OnWorkComplete(Napi::Env env, napi_status status) final;
  void Settle(Napi::Env env);

  Napi::Promise::Deferred deferred_;
  std::string error_;
};

}  // namespace tts
